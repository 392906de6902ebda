"""Shared fixtures for the company register's page, import and API tests."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm.accounts.models import Role
from crm.audit.models import AuditEvent
from crm.db import get_session
from tests.conftest import sign_in
from tests.factories import make_token, make_user

ANY_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


@pytest.fixture
def db(app, connection) -> Callable[[Callable[[Session], Any]], Any]:
    """Run `fn(session)` as a separate request of the app would, and commit."""

    def run(fn: Callable[[Session], Any]) -> Any:
        with app.app_context():
            session = get_session()
            result = fn(session)
            session.commit()
            return result

    return run


@pytest.fixture
def snapshot_counts(db):
    """Row counts of the given models plus audit events, to prove a refusal wrote nothing."""

    def counts(*models: Any) -> tuple[int, ...]:
        return db(lambda s: tuple(s.scalar(select(func.count()).select_from(m)) for m in (*models, AuditEvent)))

    return counts


def page_csrf(client, path: str) -> str:
    match = ANY_CSRF.search(client.get(path).get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1) or match.group(2)


@pytest.fixture
def signed_in(app, db):
    """A test client signed in as a new user of `role` (the user is returned too)."""

    def make(role: Role = Role.SECRETARIAT, **kwargs: Any):
        org = kwargs.pop("org", "NSD" if role is Role.CHAIR else "MoIT")
        user = db(lambda s: make_user(s, role=role, org=org, **kwargs))
        client = app.test_client()
        assert sign_in(client, user.username).status_code == 302
        return client, user

    return make


@pytest.fixture
def bearer(db):
    """A user of `role` and the Authorization header of a new API token of theirs."""

    def make(role: Role = Role.SECRETARIAT, **kwargs: Any):
        org = kwargs.pop("org", "NSD" if role is Role.CHAIR else "MoIT")

        def create(session: Session):
            user = make_user(session, role=role, org=org, **kwargs)
            return user, make_token(session, user)

        user, token = db(create)
        return user, {"Authorization": f"Bearer {token}"}

    return make
