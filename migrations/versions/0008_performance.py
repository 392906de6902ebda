"""Indexes for the large-scale targets (issue 8), each chosen from the query plans on the
large data set (docs/benchmarks.md).

- ix_commitments_due (due_date, id): the unfiltered commitments register and API page dated
  commitments by (due date, id), then undated ones by id, as two keyset ranges (before, the
  order began with `due_date IS NULL`, which no index serves, and every page sorted the table).
- ix_follow_ups_assignee_id (assignee_id, id): the API's `?assignee=me` reads the user's own
  follow-ups and their organisation's queue as two id ranges (over the OR, the planner
  gathered and sorted all ≈175,000 of the focal person's follow-ups on SQLite).
- ix_commitments_status_company (status, company_id, direction, due_date): the board's open
  and overdue counts per company and direction, and the profile's, read from the index alone.
- ix_follow_ups_company_status_due (company_id, status, due_date, id): a company profile's
  open follow-ups, soonest due first, as keyset ranges.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES: list[tuple[str, str, list[str]]] = [
    ("ix_commitments_due", "commitments", ["due_date", "id"]),
    ("ix_follow_ups_assignee_id", "follow_ups", ["assignee_id", "id"]),
    ("ix_commitments_status_company", "commitments", ["status", "company_id", "direction", "due_date"]),
    ("ix_follow_ups_company_status_due", "follow_ups", ["company_id", "status", "due_date", "id"]),
]


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
