"""Fixtures for the status board and charts: the engagement tests' world committed for page
tests, an audit-event count and a statement counter (a context manager, unlike the shared
`count_queries`); in_app and login come from tests/fixtures/common.py."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from flask import Flask
from sqlalchemy import event, func, select

from crm.audit.models import AuditEvent
from tests.engagements.conftest import web_world  # noqa: F401 (fixture)


@pytest.fixture
def audit_count(in_app) -> Callable[[], int]:
    return lambda: in_app(lambda s: s.scalar(select(func.count()).select_from(AuditEvent)))


@pytest.fixture
def count_queries(app: Flask):
    """A context manager collecting every statement the app's engine sends."""
    engine = app.extensions["rabta.db"].engine

    @contextmanager
    def counting() -> Iterator[list[str]]:
        statements: list[str] = []

        def before_cursor_execute(conn, cursor, statement, parameters, context, executemany):
            statements.append(statement)

        event.listen(engine, "before_cursor_execute", before_cursor_execute)
        try:
            yield statements
        finally:
            event.remove(engine, "before_cursor_execute", before_cursor_execute)

    return counting
