"""Fixtures for the search tests: a helper (seed, login, bearer, rows and
count_queries come from tests/fixtures/common.py) that searches as a user through the real query code."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from crm.accounts.models import User
from crm.db import get_session, utcnow
from crm.search.queries import SearchPage, search


@pytest.fixture
def find(app, connection) -> Callable[..., SearchPage]:
    """`find(user, text, **options)`: the page of results `user` gets for `text`, as a request would."""

    def run(user: User, text: str, **options: Any) -> SearchPage:
        now = options.pop("now", None) or utcnow()
        with app.app_context():
            session = get_session()
            return search(session, reader=session.get(User, user.id), text=text, now=now, **options)

    return run


def hits(page: SearchPage) -> set[tuple[str, int]]:
    """The (kind, record id) pairs of a page."""
    return {(result.kind.value, result.record_id) for result in page.results}
