"""Fixtures for the statements tests: the engagement tests' world (people, a company with a
thread, a designated focal person); in_app, counts, login and bearer come from
tests/fixtures/common.py."""

from tests.engagements.conftest import web_world, world  # noqa: F401 (fixtures)
