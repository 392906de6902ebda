"""Fixtures for the follow-up tests: a committed world (seed, rows, login
and bearer come from tests/fixtures/common.py)."""

from __future__ import annotations

import pytest

from tests.followups.factories import World, build_world


@pytest.fixture
def world(session) -> World:
    """The world in the test's session (service tests)."""
    return build_world(session)


@pytest.fixture
def web_world(seed) -> World:
    """The world committed, for page and API tests."""
    return seed(build_world)
