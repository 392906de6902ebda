"""Fixtures for the status board and charts: the engagement tests' world committed for page
tests, a helper to run set-up as a separate request would, signed-in clients, row counts and a
statement counter."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from crm.accounts.models import User
from crm.audit.models import AuditEvent
from crm.db import get_session
from tests.conftest import sign_in
from tests.engagements.factories import World, build_world


@pytest.fixture
def in_app(app: Flask, connection) -> Callable[[Callable[[Session], Any]], Any]:
    """Run `fn(session)` in its own app context and commit, as a separate request would."""

    def run(fn: Callable[[Session], Any]) -> Any:
        with app.app_context():
            session = get_session()
            result = fn(session)
            session.commit()
            return result

    return run


@pytest.fixture
def web_world(in_app) -> World:
    return in_app(build_world)


@pytest.fixture
def login(app: Flask, connection) -> Callable[[User], FlaskClient]:
    def signed_in(user: User) -> FlaskClient:
        client = app.test_client()
        assert sign_in(client, user.username).status_code == 302
        return client

    return signed_in


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
