# Rabta: the few commands people and CI use (DESIGN.md §4). `make help` lists them.
#
# Everything runs from the project's own virtualenv (.venv), so nothing is installed into
# the system Python and a fresh Debian machine needs only python3 (3.11+) and make.

# bash everywhere, so recipes behave the same whether /bin/sh is dash (Debian) or bash.
SHELL := /bin/bash

.DEFAULT_GOAL := help

# Prefer 3.11 explicitly (the version CI and pyproject target); fall back to python3 and let
# the version check below reject anything older. Override with `make PYTHON=/path/to/python`.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3 2>/dev/null)

VENV := .venv
BIN := $(VENV)/bin
# Markers, not the venv directory, are the targets: a directory's mtime changes whenever a
# file is added to it, which would make the install rules re-run (or never re-run) at random.
RUNTIME_MARKER := $(VENV)/.installed
DEV_MARKER := $(VENV)/.dev-installed

# Browser tests drive the system Chromium (Playwright `executable_path`), never a download
# from `playwright install`, so the package manager is the one source of the browser.
CHROMIUM := /usr/bin/chromium

HOST := 127.0.0.1
PORT := 5000

PIP := $(BIN)/python -m pip --disable-pip-version-check
LINT_PATHS := crm app.py migrations tests
PYTEST_ARGS ?=

.PHONY: help venv dev-venv setup run chromium test fuzz lint audit clean bench

help: ## List the targets
	@grep -E '^[a-z][a-z.-]*:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

venv: $(RUNTIME_MARKER) ## Create .venv and install the runtime dependencies

dev-venv: $(DEV_MARKER) ## Also install the test and lint tools

# Re-runs whenever requirements.txt changes. The venv is created only when missing, so a
# change of pins is an in-place `pip install`, not a rebuild. Debian ships venv/ensurepip in
# a separate pythonX.Y-venv package: installed here when we are root, else we say how. An
# existing venv is checked too: one made by hand with an older Python fails later, confusingly.
$(RUNTIME_MARKER): requirements.txt
	@if [ ! -x $(BIN)/python ]; then \
		if [ -z "$(PYTHON)" ]; then \
			echo "error: no python3 found. Install Python 3.11+: sudo apt-get install python3 python3-venv" >&2; \
			exit 1; \
		fi; \
		if ! $(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then \
			echo "error: $(PYTHON) is $$($(PYTHON) -V 2>&1); Rabta needs Python 3.11 or newer." >&2; \
			echo "       Install python3.11, or run: make PYTHON=/path/to/python3.11 $(MAKECMDGOALS)" >&2; \
			exit 1; \
		fi; \
		venv_pkg=$$($(PYTHON) -c 'import sys; print("python%d.%d-venv" % sys.version_info[:2])'); \
		if ! $(PYTHON) -c 'import ensurepip' 2>/dev/null; then \
			if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
				echo "Installing $$venv_pkg (needed to create the virtualenv)..."; \
				DEBIAN_FRONTEND=noninteractive apt-get update && \
				DEBIAN_FRONTEND=noninteractive apt-get install -y "$$venv_pkg" || exit 1; \
			else \
				echo "error: $(PYTHON) cannot create virtualenvs. Install: sudo apt-get install $$venv_pkg" >&2; \
				exit 1; \
			fi; \
		fi; \
		echo "Creating $(VENV) with $$($(PYTHON) -V 2>&1) ($(PYTHON))"; \
		$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); exit 1; }; \
	fi
	@$(BIN)/python -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { \
		echo "error: $(VENV) uses $$($(BIN)/python -V 2>&1); run 'make clean' and retry with Python 3.11+." >&2; \
		exit 1; }
	$(PIP) install -r requirements.txt
	@touch $@

# Depends on the runtime marker so a change in requirements.txt re-runs this too.
$(DEV_MARKER): requirements-dev.txt $(RUNTIME_MARKER)
	$(PIP) install -r requirements-dev.txt
	@touch $@

setup: venv ## Migrate, load reference data, create the first admin (prints its one-time password)
	$(BIN)/flask --app app setup

# The scheduler (reminders, escalations, e-mail) runs as a second process beside the server,
# as in production, and stops with it: the EXIT trap ends it whether the server stops on
# Ctrl-C (the INT trap turns the signal into an exit, which runs the EXIT trap) or fails.
run: setup ## Set up, then serve http://127.0.0.1:5000 (SQLite in instance/) with the scheduler beside it
	@$(BIN)/flask --app app scheduler & scheduler=$$!; \
	trap 'kill -TERM $$scheduler 2>/dev/null; wait $$scheduler 2>/dev/null' EXIT; \
	trap 'exit 130' INT; trap 'exit 143' TERM; \
	echo "Scheduler started (pid $$scheduler); it stops when the server stops."; \
	$(BIN)/flask --app app run --host $(HOST) --port $(PORT)

chromium: ## Make sure the system Chromium used by the browser tests is installed
	@if [ ! -x $(CHROMIUM) ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "Installing Chromium for the browser tests..."; \
			DEBIAN_FRONTEND=noninteractive apt-get update && \
			DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; \
		else \
			echo "error: $(CHROMIUM) is missing; the browser tests need it. Install it with:" >&2; \
			echo "    sudo apt-get install chromium" >&2; \
			exit 1; \
		fi; \
	fi

# pytest's exit code 5 means "no tests collected": a broken test path or marker must fail
# the build, not pass it silently. Any non-zero code already fails make; the message says why.
test: $(DEV_MARKER) chromium ## Lint with ruff, then run the whole suite (PYTEST_ARGS=... to narrow it)
	$(BIN)/ruff check $(LINT_PATHS)
	@rc=0; $(BIN)/python -m pytest $(PYTEST_ARGS) || rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "error: pytest collected no tests (exit code 5)." >&2; fi; \
	exit $$rc

# The API fuzzer of `make test` (tests/fuzz, 15 examples per operation), long: FUZZ_EXAMPLES
# generated requests per operation, each as a role drawn from every role and designation.
FUZZ_EXAMPLES ?= 1000
fuzz: $(DEV_MARKER) ## Fuzz every API operation with schemathesis (FUZZ_EXAMPLES=1000 requests each)
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest -q tests/fuzz $(PYTEST_ARGS)

lint: $(DEV_MARKER) ## ruff check, ruff format --check, mypy
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/ruff format --check $(LINT_PATHS)
	$(BIN)/mypy crm

# Known vulnerabilities in the pinned requirements fail; an unreachable vulnerability service
# (an air-gapped machine) only warns. The logic and its cases: .ci/audit, .ci/audit_verdict.py.
audit: $(DEV_MARKER) ## Check the pinned dependencies for known vulnerabilities (pip-audit)
	.ci/audit

# The benchmark (issue 8): gunicorn (2 workers) on SQLite and PostgreSQL, small and large demo
# data, measured by a separate client process; results into docs/benchmarks.md. Databases are
# generated once (instance/bench/, PostgreSQL bench_pg) and reused: BENCH_ARGS=--regenerate.
BENCH_ARGS ?=
bench: $(DEV_MARKER) ## Measure pages and API lists at small and large scale (docs/benchmarks.md)
	$(BIN)/python -m bench.run $(BENCH_ARGS)

# instance/ holds the database and the generated secret key: never removed by clean.
clean: ## Remove .venv and tool caches (keeps instance/)
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache test-results
	find . -path ./$(VENV) -prune -o -type d -name __pycache__ -prune -exec rm -rf {} +
