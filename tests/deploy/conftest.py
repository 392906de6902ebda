"""Fixtures for the deployment tests: captured log lines, and helpers borrowed from the
hardening tests (apps with other settings) and the scheduler tests (scheduler processes)."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from crm.logging_setup import HANDLER_NAME, configure_logging
from tests.hardening.conftest import configured_app  # noqa: F401  (reused fixtures)
from tests.jobs.test_scheduler_processes import observer_app, start_scheduler  # noqa: F401


class Logs:
    """Everything written by the app's log handler during a test, at DEBUG and above."""

    def __init__(self, stream: io.StringIO) -> None:
        self.stream = stream

    @property
    def text(self) -> str:
        return self.stream.getvalue()

    def entries(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.text.splitlines() if line.strip()]

    def requests(self) -> list[dict[str, Any]]:
        return [e for e in self.entries() if e["logger"] == "rabta.request"]

    def of_request(self, request_id: str) -> list[dict[str, Any]]:
        return [e for e in self.entries() if e.get("request_id") == request_id]


@pytest.fixture
def capture_logs() -> Iterator[Callable[[str], Logs]]:
    """`capture_logs("json" | "text")`: install the app's handler on a buffer, as production does."""
    root = logging.getLogger()
    levels = (root.level, logging.getLogger("sqlalchemy").level)

    def install(log_format: str = "json") -> Logs:
        stream = io.StringIO()
        configure_logging(log_format, "DEBUG", stream=stream)
        return Logs(stream)

    yield install
    for handler in [h for h in root.handlers if h.get_name() == HANDLER_NAME]:
        root.removeHandler(handler)
    root.setLevel(levels[0])
    logging.getLogger("sqlalchemy").setLevel(levels[1])


@pytest.fixture
def logs(capture_logs: Callable[[str], Logs]) -> Logs:
    return capture_logs("json")
