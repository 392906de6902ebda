"""Fixtures for the engagement tests: a world of people and companies, a private file store,
API headers, and a query counter."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event, func, select

from crm.accounts.models import User
from crm.db import get_session
from crm.storage import Storage
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
def scalar(app: Flask, connection):  # noqa: ANN201
    def query(statement: Any) -> Any:
        with app.app_context():
            return get_session().scalar(statement)

    return query


@pytest.fixture
def rows(app: Flask, connection):  # noqa: ANN201
    def count(model: Any, *where: Any) -> int:
        with app.app_context():
            return get_session().scalar(select(func.count()).select_from(model).where(*where)) or 0

    return count


@pytest.fixture
def store(app: Flask, tmp_path) -> Iterator[Storage]:
    """The app's attachment store, rooted in this test's tmp dir (restored afterwards)."""
    storage: Storage = app.extensions["rabta.storage"]
    root, limit = storage.root, storage.max_bytes
    storage.root = tmp_path / "attachments"
    yield storage
    storage.root, storage.max_bytes = root, limit


@pytest.fixture
def bearer(in_app):  # noqa: ANN201
    """API headers for a user of the world."""

    def headers(user: Any) -> dict[str, str]:
        token = in_app(lambda session: make_token(session, session.get(User, user.id)))
        return {"Authorization": f"Bearer {token}"}

    return headers


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
