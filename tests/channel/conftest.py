"""Fixtures for the channel tests: data set up in committed steps, signed-in clients, tokens."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from crm.audit.models import AuditEvent
from crm.db import get_session
from tests.channel.factories import fresh
from tests.conftest import sign_in
from tests.factories import make_token

ANY_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


@pytest.fixture
def seed(app, connection) -> Callable[[Callable[[Any], Any]], Any]:
    """Run `build(session)` as a separate request of the app would, committed (into the test's
    outer transaction); returns what it returns (objects stay readable: no expiry on commit)."""

    def run(build: Callable[[Any], Any]) -> Any:
        with app.app_context():
            session = get_session()
            result = build(session)
            session.commit()
        return result

    return run


@pytest.fixture
def rows(app, connection) -> Callable[..., tuple[int, ...]]:
    """Row counts of the given models, then of audit events: proof that a refusal wrote nothing."""

    def counts(*models: Any) -> tuple[int, ...]:
        with app.app_context():
            session = get_session()
            return tuple(
                session.scalar(select(func.count()).select_from(model)) or 0 for model in (*models, AuditEvent)
            )

    return counts


@pytest.fixture
def login(app, connection) -> Callable[[Any], Any]:
    """A new test client signed in as `user`."""

    def signed_in(user: Any) -> Any:
        client = app.test_client()
        assert sign_in(client, user.username).status_code == 302
        return client

    return signed_in


@pytest.fixture
def bearer(seed) -> Callable[[Any], dict[str, str]]:
    """An Authorization header with a new API token of `user`."""

    def header(user: Any) -> dict[str, str]:
        token = seed(lambda s: make_token(s, fresh(s, user)))
        return {"Authorization": f"Bearer {token}"}

    return header


def page_csrf(client: Any, path: str) -> str:
    """The CSRF token of the page at `path`, as a browser would get it."""
    match = ANY_CSRF.search(client.get(path).get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1) or match.group(2)


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    """The API's one error shape, with the given status and code."""
    assert response.status_code == status, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert error["code"] == code
    assert error["message"]
    return error
