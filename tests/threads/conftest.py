"""Fixtures for thread tests: signed-in clients, totals, a query counter (seed comes from
tests/fixtures/common.py)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Connection, event, func, select

from crm.accounts.models import Clearance, Role, User
from crm.audit.models import AuditEvent
from crm.companies.models import Company, Priority
from crm.db import get_session
from crm.threads.models import StageChange, Thread
from crm.threads.queries import today
from tests.conftest import sign_in
from tests.factories import make_user
from tests.threads.factories import make_company, make_thread

ANY_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


@pytest.fixture
def signed_in(app: Flask, seed: Any) -> Callable[..., tuple[FlaskClient, User]]:
    """A fresh client signed in as a new user of `role` (or as the given user)."""

    def sign(role: Role = Role.MEMBER, user: User | None = None, **kwargs: Any) -> tuple[FlaskClient, User]:
        person = user or seed(lambda s: make_user(s, role=role, clearance=Clearance.SECRET, **kwargs))
        client = app.test_client()
        assert sign_in(client, person.username).status_code == 302
        return client, person

    return sign


def page_csrf(client: FlaskClient, path: str) -> str:
    """The CSRF token of any form on `path` (the sign-out form is on every page)."""
    match = ANY_CSRF.search(client.get(path).get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1) or match.group(2)


@pytest.fixture
def totals(app: Flask, connection: Connection) -> Callable[[], tuple[int, int, int]]:
    """(threads, stage changes, audit events): what a refused write must leave unchanged."""

    def read() -> tuple[int, int, int]:
        with app.app_context():
            session = get_session()
            return tuple(  # type: ignore[return-value]
                session.scalar(select(func.count()).select_from(model)) or 0
                for model in (Thread, StageChange, AuditEvent)
            )

    return read


@pytest.fixture
def count_queries(app: Flask) -> Callable[[Callable[[], Any]], int]:
    """How many SQL statements `action()` sends to the database."""

    def run(action: Callable[[], Any]) -> int:
        statements: list[str] = []

        def listener(*args: Any) -> None:
            statements.append(args[2])

        engine = app.extensions["rabta.db"].engine
        event.listen(engine, "before_cursor_execute", listener)
        try:
            action()
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(statements)

    return run


# Page tests: a chair, two companies (Google, Meta) and one overdue thread of Google's.


@dataclass
class World:
    chair: User
    google: Company
    meta: Company
    thread: Thread


@pytest.fixture
def world(seed) -> World:
    def build(session):
        chair = make_user(session, role=Role.CHAIR, org="NSD", clearance=Clearance.SECRET)
        google, meta = make_company(session, "Google"), make_company(session, "Meta")
        thread = make_thread(
            session,
            actor=chair,
            companies=[google],
            title="Google liaison office in Pakistan",
            objective="A liaison office in Islamabad.",
            our_ask="Open it by June.",
            their_position="Waiting for the data rules.",
            priority=Priority.HIGH,
            target_date=today() - timedelta(days=3),
            next_step="Send the draft MoU",
            next_step_owner_id=chair.id,
        )
        return World(chair, google, meta, thread)

    return seed(build)


@pytest.fixture
def chair_client(signed_in, world):
    return signed_in(user=world.chair)[0]


def load_thread(app, thread_id) -> Thread:
    with app.app_context():
        return get_session().get(Thread, thread_id)


def html(response) -> str:
    return response.get_data(as_text=True)


def thread_form(client, path, world, **overrides):
    form = {
        "csrf_token": page_csrf(client, path),
        "title": "Meta data localisation",
        "company_ids": [str(world.meta.id)],
        "objective": "Local storage of Pakistani users' data.",
        "our_ask": "A timeline.",
        "their_position": "Unclear.",
        "priority": "medium",
        "lead_organisation_id": "",
        "target_date": "2026-09-30",
        "next_step": "Ask for a meeting",
        "next_step_owner_id": "",
    }
    form.update(overrides)
    return form
