"""`make bench`: Rabta under gunicorn (2 workers), measured from this separate client process.

For each engine (SQLite, PostgreSQL) and scale (small, medium, large) it prepares a database once
(`flask setup` + `flask demo --scale ...`, kept in instance/bench/ or the PostgreSQL database
named below, reused by later runs: `--regenerate` starts over), starts gunicorn with
RABTA_BENCH_HEADERS=1 (each response carries X-Query-Count and X-App-Time-Ms), signs in
through the real pages (TOTP enrolment included), then measures every key page and API list:
a sequential latency phase (p50/p95, client and app time) and a concurrent throughput phase.
A bare Flask app (bench/hello.py) is measured in the same run under the same gunicorn, as the
machine's ceiling. Also worker RSS (/proc) and the daily digest (bench/digest.py).

Results go to instance/bench/results-<engine>-<scale>.json; docs/benchmarks.md is re-rendered
between its `bench:results` markers from every results file present.

    .venv/bin/python -m bench.run [--engines sqlite,postgresql] [--scales small,medium,large] [--regenerate]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyotp
import requests
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "instance" / "bench"
BIN = ROOT / ".venv" / "bin"
DOCS = ROOT / "docs" / "benchmarks.md"
PG = "postgresql+psycopg://postgres@127.0.0.1:5432/"
PG_URLS = {
    "small": os.environ.get("BENCH_PG_SMALL_URL", PG + "test_n8_bench_small"),
    "medium": os.environ.get("BENCH_PG_MEDIUM_URL", PG + "bench_pg_medium"),
    "large": os.environ.get("BENCH_PG_LARGE_URL", PG + "bench_pg"),
}
CHAIR, FOCAL = "demo.chair", "demo.focal"
LATENCY_REQUESTS = int(os.environ.get("BENCH_REQUESTS", "60"))
LATENCY_SECONDS = float(os.environ.get("BENCH_SECONDS", "5"))
THROUGHPUT_SECONDS = float(os.environ.get("BENCH_THROUGHPUT_SECONDS", "3"))
THREADS = int(os.environ.get("BENCH_THREADS", "4"))
WARM_UP = 10
PORT, HELLO_PORT = 8761, 8762
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
SECRET = re.compile(r'data-testid="totp-secret">([A-Z2-7 ]+)<')
ENROLMENT = re.compile(r'name="enrolment" type="hidden" value="([^"]+)"')
PASSWORD = re.compile(r"(?:Password: |shown only now: )(\S+)")
MARK_START, MARK_END = "<!-- bench:results -->", "<!-- /bench:results -->"


@dataclass(frozen=True)
class Target:
    engine: str
    scale: str

    @property
    def url(self) -> str:
        return f"sqlite:///{DATA / (self.scale + '.db')}" if self.engine == "sqlite" else PG_URLS[self.scale]

    @property
    def name(self) -> str:
        return f"{self.engine}-{self.scale}"


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def app_env(target: Target, **extra: str) -> dict[str, str]:
    env = dict(os.environ, DATABASE_URL=target.url, RABTA_ENV="development", RATELIMIT_ENABLED="0",
               LOG_LEVEL="WARNING", **extra)  # fmt: skip
    env.pop("FLASK_DEBUG", None)
    return env


def flask(target: Target, *args: str) -> str:
    command = [str(BIN / "flask"), "--app", "app", *args]
    done = subprocess.run(command, cwd=ROOT, env=app_env(target), capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode:
        raise SystemExit(f"flask {' '.join(args)} failed on {target.name}:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def reset_database(target: Target) -> None:
    if target.engine == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(str(DATA / (target.scale + ".db")) + suffix).unlink(missing_ok=True)
        return
    url = make_url(target.url)
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{url.database}"'))
    admin.dispose()


def prepare(target: Target, *, regenerate: bool) -> dict[str, Any]:
    """The prepared database's state (password, tokens, TOTP secrets), generating it if needed."""
    state_file = DATA / f"{target.name}.json"
    if state_file.exists() and not regenerate:
        return dict(json.loads(state_file.read_text()))
    DATA.mkdir(parents=True, exist_ok=True)
    reset_database(target)
    flask(target, "setup")
    started, load = time.perf_counter(), load_average()
    output = flask(target, "demo", "--scale", target.scale)
    state: dict[str, Any] = {"generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
                             "generation_seconds": round(time.perf_counter() - started, 1),
                             "generation_load": [load, load_average()], "totp": {}}  # fmt: skip
    match = PASSWORD.search(output)
    if not match:
        raise SystemExit(f"no password in the demo output:\n{output}")
    state["password"] = match.group(1)
    state["tokens"] = {name: flask(target, "users", "token", name).strip() for name in (CHAIR, FOCAL)}
    save_state(target, state)
    return state


def save_state(target: Target, state: dict[str, Any]) -> None:
    (DATA / f"{target.name}.json").write_text(json.dumps(state, indent=1))


class Server:
    """gunicorn with 2 workers, stopped (SIGTERM to its master) on exit."""

    def __init__(self, app: str, port: int, env: dict[str, str]) -> None:
        command = [str(BIN / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}", "--log-level", "warning", app]
        self.process = subprocess.Popen(command, cwd=ROOT, env=env)  # noqa: S603 (our own binary)
        self.base = f"http://127.0.0.1:{port}"

    def wait(self, path: str) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(self.base + path, timeout=30).status_code < 500:
                    return
            except (requests.ConnectionError, requests.Timeout):
                time.sleep(0.3)
        raise SystemExit(f"gunicorn did not answer {path}")

    def worker_rss_mb(self) -> list[float]:
        sizes = []
        for status in Path("/proc").glob("[0-9]*/status"):
            try:
                fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
            except OSError:
                continue
            if fields.get("PPid", "").strip() == str(self.process.pid):
                sizes.append(round(int(fields["VmRSS"].split()[0]) / 1024, 1))
        return sizes

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)


def sign_in(base: str, username: str, target: Target, state: dict[str, Any]) -> requests.Session:
    """The real sign-in form, then TOTP (enrolled on first use; the secret kept with the state)."""
    client = requests.Session()
    token = _found(CSRF, client.get(base + "/sign-in").text)
    form = {"username": username, "password": state["password"], "csrf_token": token}
    response = client.post(base + "/sign-in", data=form, allow_redirects=False)
    location = response.headers.get("Location", "")
    step_url = base + location if location.startswith("/") else location
    if "/account/two-step/set-up" in location:
        page = client.get(step_url).text
        state["totp"][username] = {"secret": _found(SECRET, page).replace(" ", ""), "last_step": 0}
        form = {"csrf_token": _found(CSRF, page), "enrolment": _found(ENROLMENT, page)}
        client.post(step_url, data={**form, "code": _code(state, username)})
    elif "/sign-in/code" in location:
        page = client.get(step_url).text
        form = {"csrf_token": _found(CSRF, page), "code": _code(state, username)}
        client.post(step_url, data=form, allow_redirects=False)
    save_state(target, state)
    check = client.get(base + "/", allow_redirects=False)
    assert check.status_code == 200, f"{username} is not signed in ({check.status_code} {check.headers})"
    return client


def _found(pattern: re.Pattern[str], page: str) -> str:
    match = pattern.search(page)
    if not match:
        raise SystemExit(f"{pattern.pattern} not found on the page:\n{page[:1500]}")
    return match.group(1)


def _code(state: dict[str, Any], username: str) -> str:
    """The next unused TOTP step (the app refuses a replayed step; wait when both are used)."""
    app = state["totp"][username]
    totp = pyotp.TOTP(app["secret"])
    while True:
        now = totp.timecode(datetime.now(UTC))
        step = max(app["last_step"] + 1, now - 1)
        if step <= now + 1:
            app["last_step"] = step
            return str(totp.generate_otp(step))
        time.sleep(5)


def discover(target: Target) -> dict[str, Any]:
    """Ids and a deep keyset position, read from the database (the heaviest company and thread)."""
    engine = create_engine(target.url)
    with engine.connect() as connection:
        company = connection.execute(text("SELECT id FROM companies WHERE name = 'Alphabet'")).scalar_one()
        thread = connection.execute(
            text("SELECT id FROM threads WHERE title = 'Google liaison office in Pakistan'")
        ).scalar_one()
        # 2,000 rows in, or as deep as a smaller set allows while a whole page still follows.
        inbound = "FROM engagements WHERE company_id = :c AND direction = 'inbound'"
        rows = connection.execute(text(f"SELECT count(*) {inbound}"), {"c": company}).scalar_one()  # noqa: S608
        deep = connection.execute(
            text(f"SELECT occurred_at, id {inbound} ORDER BY occurred_at DESC, id DESC LIMIT 1 OFFSET :o"),  # noqa: S608
            {"c": company, "o": max(0, min(2_000, rows - 60))},
        ).one()
    engine.dispose()
    stamp = deep[0] if isinstance(deep[0], datetime) else datetime.fromisoformat(str(deep[0]))
    token = f"{stamp.strftime('%Y-%m-%dT%H:%M:%S.%f')}Z,{deep[1]}"
    return {"company": company, "thread": thread, "before": token}


def endpoints(ids: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(name, who, path): who is the signed-in user (pages) or `api:<user>` (bearer token)."""
    company, thread, before = ids["company"], ids["thread"], ids["before"]
    filters = f"company_id={company}&direction=inbound"
    return [
        ("Chair's board /", CHAIR, "/"),
        ("Company profile (Alphabet)", CHAIR, f"/companies/{company}"),
        ("Thread page (Google liaison office)", CHAIR, f"/threads/{thread}"),
        ("Engagements, first page", CHAIR, "/engagements"),
        ("Engagements, filtered, first page", CHAIR, f"/engagements?{filters}"),
        ("Engagements, filtered, deep page (2,000 rows in)", CHAIR, f"/engagements?{filters}&before={before}"),
        ("Commitments register", CHAIR, "/commitments"),
        ("My follow-ups (focal person)", FOCAL, "/follow-ups"),
        ("Directives", CHAIR, "/directives"),
        ("Search 'liaison office'", CHAIR, "/search?q=liaison+office"),
        ("Notifications (chair)", CHAIR, "/notifications"),
        ("API engagements", "api:" + CHAIR, "/api/v1/engagements"),
        ("API engagements, filtered", "api:" + CHAIR, f"/api/v1/engagements?{filters}"),
        ("API commitments", "api:" + CHAIR, "/api/v1/commitments"),
        ("API follow-ups ?assignee=me (focal)", "api:" + FOCAL, "/api/v1/follow-ups?assignee=me"),
        ("API notifications (chair)", "api:" + CHAIR, "/api/v1/notifications"),
        ("API search 'liaison office'", "api:" + CHAIR, "/api/v1/search?q=liaison+office"),
    ]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(fraction * len(ordered)))], 2) if ordered else 0.0


def measure(client: requests.Session, url: str, headers: dict[str, str]) -> dict[str, Any]:
    """Sequential latency (client and app time, queries), then THREADS clients for throughput."""
    for _ in range(WARM_UP):  # enough for both workers to compile the page's templates and statements
        client.get(url, headers=headers)
    client_ms, app_ms, sql_ms, queries, statuses = [], [], [], set(), set()
    size = 0
    deadline = time.monotonic() + LATENCY_SECONDS
    while len(client_ms) < LATENCY_REQUESTS and (time.monotonic() < deadline or len(client_ms) < 10):
        started = time.perf_counter()
        response = client.get(url, headers=headers, allow_redirects=False)
        client_ms.append((time.perf_counter() - started) * 1000)
        app_ms.append(float(response.headers.get("X-App-Time-Ms", "0")))
        sql_ms.append(float(response.headers.get("X-SQL-Time-Ms", "0")))
        size = len(response.content)
        queries.add(int(response.headers.get("X-Query-Count", "-1")))
        statuses.add(response.status_code)
    return {"requests": len(client_ms), "p50": percentile(client_ms, 0.5), "p95": percentile(client_ms, 0.95),
            "app_p50": percentile(app_ms, 0.5), "app_p95": percentile(app_ms, 0.95),
            "sql_p50": percentile(sql_ms, 0.5), "bytes": size,
            "queries": sorted(queries), "statuses": sorted(statuses),
            "rps": throughput(client, url, headers)}  # fmt: skip


def throughput(client: requests.Session, url: str, headers: dict[str, str]) -> float:
    done = [0] * THREADS
    stop = time.monotonic() + THROUGHPUT_SECONDS

    def run(slot: int) -> None:
        own = requests.Session()
        own.cookies.update(client.cookies)
        while time.monotonic() < stop:
            own.get(url, headers=headers, allow_redirects=False)
            done[slot] += 1

    started = time.perf_counter()
    workers = [threading.Thread(target=run, args=(slot,)) for slot in range(THREADS)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return round(sum(done) / (time.perf_counter() - started), 1)


def digest(target: Target) -> dict[str, Any]:
    command = [str(BIN / "python"), "-m", "bench.digest"]
    done = subprocess.run(command, cwd=ROOT, env=app_env(target), capture_output=True, text=True, check=True)  # noqa: S603
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def run_target(target: Target, *, regenerate: bool) -> dict[str, Any]:
    state = prepare(target, regenerate=regenerate)
    ids = discover(target)
    result: dict[str, Any] = {"target": target.name, "date": datetime.now(UTC).isoformat(timespec="seconds"),
                              "load_before": load_average(), "generation_seconds": state.get("generation_seconds"),
                              "generation_load": state.get("generation_load")}  # fmt: skip
    hello = Server("bench.hello:app", HELLO_PORT, app_env(target))
    server = Server("app:app", PORT, app_env(target, RABTA_BENCH_HEADERS="1"))
    try:
        hello.wait("/hello")
        server.wait("/sign-in")
        result["hello"] = measure(requests.Session(), hello.base + "/hello", {})
        clients = {name: sign_in(server.base, name, target, state) for name in (CHAIR, FOCAL)}
        result["endpoints"] = {}
        for name, who, path in endpoints(ids):
            user = who.removeprefix("api:")
            headers = {"Authorization": f"Bearer {state['tokens'][user]}"} if who.startswith("api:") else {}
            client = requests.Session() if headers else clients[user]
            result["endpoints"][name] = measure(client, server.base + path, headers)
            print(f"  {target.name:<18} {name:<50} {result['endpoints'][name]}", flush=True)
        result["worker_rss_mb"] = server.worker_rss_mb()
    finally:
        server.stop()
        hello.stop()
    result["digest"] = digest(target)
    result["load_after"] = load_average()
    (DATA / f"results-{target.name}.json").write_text(json.dumps(result, indent=1))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--scales", default="small,medium,large")
    parser.add_argument("--regenerate", action="store_true", help="drop and generate the databases again")
    parser.add_argument("--render-only", action="store_true", help="only re-render docs/benchmarks.md")
    args = parser.parse_args()
    if not args.render_only:
        for engine in args.engines.split(","):
            for scale in args.scales.split(","):
                print(f"{engine} {scale}: load average {load_average()}", flush=True)
                run_target(Target(engine, scale), regenerate=args.regenerate)
    from bench.report import render

    render(DATA, DOCS, MARK_START, MARK_END, machine())
    print(f"Results written to {DOCS.relative_to(ROOT)}")


def machine() -> dict[str, str]:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())  # fmt: skip
    memory = next(line.split(":", 1)[1].strip() for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal"))  # fmt: skip
    try:
        engine = create_engine(PG_URLS["large"])
        with engine.connect() as connection:
            postgres = str(connection.execute(text("SHOW server_version")).scalar_one())
        engine.dispose()
    except Exception:  # noqa: BLE001 (reported as unknown)
        postgres = "unknown"
    return {"nproc": str(os.cpu_count()), "cpu": cpu, "memory": memory, "python": platform.python_version(),
            "sqlite": sqlite3.sqlite_version, "postgresql": postgres, "kernel": platform.release()}  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
