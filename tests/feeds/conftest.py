"""Fixtures for the calendar feed tests: the channel tests' helpers and the follow-up world."""

from __future__ import annotations

import pytest

from tests.channel.conftest import bearer, login, rows, seed  # noqa: F401  (fixtures shared with the channel tests)
from tests.followups.factories import World, build_world


@pytest.fixture
def web_world(seed) -> World:  # noqa: F811
    return seed(build_world)
