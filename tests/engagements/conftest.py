"""Fixtures for the engagement tests: a world of people and companies (also used by the notes,
statements, commitments and board tests), and counting helpers. seed/in_app, bearer, store and
count_queries come from tests/fixtures/common.py."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from crm.db import get_session
from tests.engagements.factories import World, build_world


@pytest.fixture
def world(session) -> World:
    return build_world(session)


@pytest.fixture
def web_world(seed) -> World:
    """The world committed (into the test's outer transaction), for page and API tests."""
    return seed(build_world)


@pytest.fixture
def scalar(app: Flask, connection):  # noqa: ANN201
    def query(statement: Any) -> Any:
        with app.app_context():
            return get_session().scalar(statement)

    return query


@pytest.fixture
def rows(app: Flask, connection):  # noqa: ANN201
    """Unlike the shared `rows` (a tuple ending with audit events), one model's count, filtered."""

    def count(model: Any, *where: Any) -> int:
        with app.app_context():
            return get_session().scalar(select(func.count()).select_from(model).where(*where)) or 0

    return count
