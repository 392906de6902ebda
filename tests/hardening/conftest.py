"""Fixtures for the hardening tests: apps with non-default settings on the shared test database.

`configured_app(**settings)` builds another app over the same database and joins its sessions
to the test's outer transaction, so it sees the test's data and leaves nothing behind.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Connection

from tests.conftest import make_app


@pytest.fixture
def configured_app(database_url: str, connection: Connection) -> Iterator[Callable[..., Flask]]:
    built: list[Flask] = []

    def build(**settings: Any) -> Flask:
        # A fresh key prefix: counters in a shared Redis never leak from one test to the next.
        settings.setdefault("RATELIMIT_KEY_PREFIX", f"rabta-test-{uuid.uuid4().hex}")
        app = make_app(database_url, **settings)
        app.extensions["rabta.db"].sessionmaker.configure(bind=connection, join_transaction_mode="create_savepoint")
        built.append(app)
        return app

    yield build
    for app in built:
        app.extensions["rabta.db"].engine.dispose()
