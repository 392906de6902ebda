"""Fixtures for the commitment tests: the engagement tests' world (people, a company with a
thread, a designated focal person); the private file store, API headers, row counts and query
counting come from tests/fixtures/common.py."""

from tests.engagements.conftest import web_world, world  # noqa: F401 (fixtures)
