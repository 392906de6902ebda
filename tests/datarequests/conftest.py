"""The governance-workflow fixtures, shared with tests/reviews."""

from tests.reviews.conftest import cast, outbox, run_job, sent  # noqa: F401 (fixtures)
