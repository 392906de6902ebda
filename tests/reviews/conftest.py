"""Fixtures for the governance-workflow tests (draft reviews, data requests, WG meetings):
committed set-up steps, the cast of people, signed-in clients, API headers, row counts, a
private file store, query counting, and jobs run at a fixed time.

tests/datarequests and tests/meetings import these fixtures from here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event, func, select

from crm.accounts.models import Clearance, Role, User
from crm.audit.models import AuditEvent
from crm.db import get_session
from crm.storage import Storage
from tests.channel.factories import appoint
from tests.conftest import sign_in
from tests.factories import make_token, make_user
from tests.jobs.conftest import outbox, run_job, sent  # noqa: F401 (fixtures re-exported)


@pytest.fixture
def seed(app: Flask, connection) -> Callable[[Callable[[Any], Any]], Any]:
    """Run `build(session)` as a separate request would, committed (into the test's outer
    transaction); returns what it returns."""

    def run(build: Callable[[Any], Any]) -> Any:
        with app.app_context():
            session = get_session()
            result = build(session)
            session.commit()
        return result

    return run


@pytest.fixture
def rows(app: Flask, connection) -> Callable[..., tuple[int, ...]]:
    """Row counts of the given models, then of audit events: proof that a refusal wrote nothing."""

    def counts(*models: Any) -> tuple[int, ...]:
        with app.app_context():
            session = get_session()
            return tuple(session.scalar(select(func.count()).select_from(m)) or 0 for m in (*models, AuditEvent))

    return counts


@dataclass
class Cast:
    chair: User
    secretariat: User
    focal: User  # a MoIT member holding the focal-person designation
    moit: User
    molj: User
    pta: User
    observer: User
    admin: User
    low: User  # a secretariat officer cleared only to Unclassified


def build_cast(session: Any) -> Cast:
    secret, confidential = Clearance.SECRET, Clearance.CONFIDENTIAL
    chair = make_user(session, role=Role.CHAIR, org="NSD", clearance=secret)
    cast = Cast(
        chair=chair,
        secretariat=make_user(session, role=Role.SECRETARIAT, org="NSD", clearance=confidential),
        focal=make_user(session, role=Role.MEMBER, org="MoIT", clearance=confidential),
        moit=make_user(session, role=Role.MEMBER, org="MoIT", clearance=confidential),
        molj=make_user(session, role=Role.MEMBER, org="MoLJ", clearance=confidential),
        pta=make_user(session, role=Role.MEMBER, org="PTA", clearance=confidential),
        observer=make_user(session, role=Role.OBSERVER, org="PMO", clearance=confidential),
        admin=make_user(session, role=Role.ADMIN, org="MoIT", clearance=secret),
        low=make_user(session, role=Role.SECRETARIAT, org="NSD", clearance=Clearance.UNCLASSIFIED),
    )
    appoint(session, chair=chair, user=cast.focal)
    return cast


@pytest.fixture
def cast(seed) -> Cast:
    return seed(build_cast)


@pytest.fixture
def login(app: Flask, connection) -> Callable[[User], Any]:
    """A new test client signed in as `user`."""

    def signed_in(user: User) -> Any:
        client = app.test_client()
        assert sign_in(client, user.username).status_code == 302
        return client

    return signed_in


@pytest.fixture
def bearer(seed) -> Callable[[User], dict[str, str]]:
    def headers(user: User) -> dict[str, str]:
        token = seed(lambda session: make_token(session, session.get(User, user.id)))
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


def measure(client: Any, count_queries: list[str], path: str) -> list[str]:
    assert client.get(path).status_code == 200  # warm up: first-request work is not the page's
    count_queries.clear()
    assert client.get(path).status_code == 200
    return list(count_queries)
