"""The governance-workflow fixtures, shared with tests/reviews."""

from tests.reviews.conftest import (  # noqa: F401 (fixtures)
    bearer,
    cast,
    count_queries,
    login,
    outbox,
    rows,
    run_job,
    seed,
    sent,
    store,
)
