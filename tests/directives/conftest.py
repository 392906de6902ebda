"""Fixtures for the directives tests: the PMO letter loaded into the test's transaction, people
of each role, and a private file store (seed, rows, login, bearer and
count_queries come from tests/fixtures/common.py)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from crm.accounts.models import Role, User
from crm.directives.models import Directive
from crm.directives.services import load_reference_directives
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
def world(seed) -> World:
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


@pytest.fixture(autouse=True)
def file_store(app: Flask, tmp_path: Any) -> Iterator[Any]:
    """Uploaded files go to a temporary directory, not the instance's."""
    storage = app.extensions["rabta.storage"]
    root = storage.root
    storage.root = tmp_path / "attachments"
    yield storage
    storage.root = root
