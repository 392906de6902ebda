"""Fixtures for the commitment tests: the engagement tests' world (people, a company with a
thread, a designated focal person), a private file store, API headers and row counts."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event, func, select

from crm.accounts.models import User
from crm.audit.models import AuditEvent
from crm.db import get_session
from crm.storage import Storage
from tests.conftest import sign_in
from tests.engagements.factories import World, build_world
from tests.factories import make_token


@pytest.fixture
def world(session) -> World:
    return build_world(session)


@pytest.fixture
def web_world(app: Flask, connection) -> World:
    """The world committed (into the test's outer transaction), for page and API tests."""
    with app.app_context():
        session = get_session()
        built = build_world(session)
        session.commit()
    return built


@pytest.fixture
def in_app(app: Flask, connection):  # noqa: ANN201
    """Run `fn(session)` in its own app context and commit, as a separate request would."""

    def run(fn: Any) -> Any:
        with app.app_context():
            session = get_session()
            result = fn(session)
            session.commit()
            return result

    return run


@pytest.fixture
def counts(app: Flask, connection):  # noqa: ANN201
    """Row counts of the given models, then of audit events: proof that a refusal wrote nothing."""

    def count(*models: Any) -> tuple[int, ...]:
        with app.app_context():
            session = get_session()
            return tuple(session.scalar(select(func.count()).select_from(m)) or 0 for m in (*models, AuditEvent))

    return count


@pytest.fixture
def login(app: Flask, connection):  # noqa: ANN201
    """A new test client signed in as `user`."""

    def signed_in(user: User) -> Any:
        client = app.test_client()
        assert sign_in(client, user.username).status_code == 302
        return client

    return signed_in


@pytest.fixture
def bearer(in_app):  # noqa: ANN201
    def headers(user: User) -> dict[str, str]:
        token = in_app(lambda session: make_token(session, session.get(User, user.id)))
        return {"Authorization": f"Bearer {token}"}

    return headers


@pytest.fixture
def store(app: Flask, tmp_path) -> Iterator[Storage]:
    """The app's attachment store, rooted in this test's tmp dir (restored afterwards)."""
    storage: Storage = app.extensions["rabta.storage"]
    root, limit = storage.root, storage.max_bytes
    storage.root = tmp_path / "attachments"
    yield storage
    storage.root, storage.max_bytes = root, limit


@pytest.fixture
def count_queries(app: Flask) -> Iterator[list[str]]:
    """Every SQL statement the app sends while the test runs (clear it between measurements)."""
    statements: list[str] = []
    engine = app.extensions["rabta.db"].engine

    def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    yield statements
    event.remove(engine, "before_cursor_execute", before)
