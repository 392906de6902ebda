"""Commitment tallies, and indexes for the thread page and the notification centre (issue 8).

- commitment_tallies (company, direction, status) → count, filled here from the commitments
  and kept in step from then on by crm.commitments.tallies on every flush. The overdue ones
  are still counted from the commitments (each tally's range of ix_commitments_status_company):
  being overdue changes with the calendar, not with a write.
- ix_follow_ups_thread_status_due (thread_id, status, due_date, id) replaces
  ix_follow_ups_thread_id: a thread page's ten soonest-due open follow-ups are two keyset
  ranges of it, where the single-column index made SQLite read every follow-up of the thread.
- ix_notifications_user_id (user_id, id): the notification centre's newest-first page, which
  sorted all of a user's notifications (5,000 for the chair at large scale).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As they were at this revision (the migration must not follow later changes of the code).
DIRECTIONS = ("company_to_government", "government_to_company")
STATUSES = ("open", "fulfilled", "partially_fulfilled", "breached", "withdrawn")


def upgrade() -> None:
    op.create_table(
        "commitment_tallies",
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column(
            "direction", sa.Enum(*DIRECTIONS, name="commitmentdirection", native_enum=False, length=32), nullable=False
        ),  # fmt: skip
        sa.Column(
            "status", sa.Enum(*STATUSES, name="commitmentstatus", native_enum=False, length=32), nullable=False
        ),  # fmt: skip
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_commitment_tallies_company_id_companies")
        ),
        sa.PrimaryKeyConstraint("company_id", "direction", "status", name=op.f("pk_commitment_tallies")),
    )
    op.execute(
        "INSERT INTO commitment_tallies (company_id, direction, status, count) "
        "SELECT company_id, direction, status, COUNT(*) FROM commitments GROUP BY company_id, direction, status"
    )
    op.drop_index("ix_follow_ups_thread_id", table_name="follow_ups")
    op.create_index("ix_follow_ups_thread_status_due", "follow_ups", ["thread_id", "status", "due_date", "id"])
    op.create_index("ix_notifications_user_id", "notifications", ["user_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_notifications_user_id", table_name="notifications")
    op.drop_index("ix_follow_ups_thread_status_due", table_name="follow_ups")
    op.create_index("ix_follow_ups_thread_id", "follow_ups", ["thread_id"])
    op.drop_table("commitment_tallies")
