"""Fixtures for the follow-up tests: the channel tests' helpers, and a committed world."""

from __future__ import annotations

import pytest

from tests.channel.conftest import bearer, login, rows, seed  # noqa: F401  (fixtures shared with the channel tests)
from tests.followups.factories import World, build_world


@pytest.fixture
def world(session) -> World:
    """The world in the test's session (service tests)."""
    return build_world(session)


@pytest.fixture
def web_world(seed) -> World:  # noqa: F811
    """The world committed, for page and API tests."""
    return seed(build_world)
