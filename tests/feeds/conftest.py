"""Fixtures for the calendar feed tests: the follow-up world (seed, rows, login
and bearer come from tests/fixtures/common.py)."""

from __future__ import annotations

import pytest

from tests.followups.factories import World, build_world


@pytest.fixture
def web_world(seed) -> World:
    return seed(build_world)
