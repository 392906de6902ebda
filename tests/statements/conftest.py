"""Fixtures for the statements tests: the engagement tests' world (people, a company with a
thread, a designated focal person), committed set-up steps, signed-in clients, tokens and counts."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from crm.accounts.models import User
from crm.audit.models import AuditEvent
from crm.db import get_session
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
