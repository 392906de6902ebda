"""The board tests' fixtures serve the brief tests too."""

from tests.dashboard.conftest import audit_count, count_queries, web_world  # noqa: F401
