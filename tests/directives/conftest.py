"""Fixtures for the directives tests: the PMO letter loaded into the test's transaction, people
of each role, and the channel tests' helpers (seed, rows, login, bearer)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event, select

from crm.accounts.models import Role, User
from crm.directives.models import Directive
from crm.directives.services import load_reference_directives
from tests.channel.conftest import bearer, login, rows, seed  # noqa: F401 (fixtures)
from tests.factories import make_user

LETTER = "No. 1(1)/AS-II/2021"


@dataclass
class World:
    chair: User
    secretariat: User
    law: User  # a member of MoLJ (action by for direction B and 6)
    moit: User  # a member of MoIT (action by for direction 6 only)
    observer: User
    admin: User
    directives: dict[str, Directive]


@pytest.fixture
def world(seed) -> World:  # noqa: F811
    def build(session: Any) -> World:
        load_reference_directives(session)
        people = {
            "chair": make_user(session, role=Role.CHAIR, org="NSD"),
            "secretariat": make_user(session, role=Role.SECRETARIAT, org="NSD"),
            "law": make_user(session, role=Role.MEMBER, org="MoLJ"),
            "moit": make_user(session, role=Role.MEMBER, org="MoIT"),
            "observer": make_user(session, role=Role.OBSERVER, org="PMO"),
            "admin": make_user(session, role=Role.ADMIN, org="MoIT"),
        }
        found = session.scalars(select(Directive).where(Directive.source_ref == LETTER))
        return World(**people, directives={d.serial: d for d in found})

    return seed(build)


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


@pytest.fixture(autouse=True)
def file_store(app: Flask, tmp_path: Any) -> Iterator[Any]:
    """Uploaded files go to a temporary directory, not the instance's."""
    storage = app.extensions["rabta.storage"]
    root = storage.root
    storage.root = tmp_path / "attachments"
    yield storage
    storage.root = root
