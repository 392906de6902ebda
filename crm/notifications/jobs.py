"""The daily digest: each active user's open and overdue work, once per Pakistan date.

Counted with three aggregate queries (follow-ups per assignee, per organisation queue, and
overdue commitments) and one query for the users, so a thousand users cost the same few
queries plus one exactly-once insert each (`digest:<date>`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from crm.accounts.models import Role, User
from crm.commitments.models import Commitment, CommitmentStatus
from crm.designations.queries import focal_person_id
from crm.followups.models import FollowUp, FollowUpStatus
from crm.formatting import format_date
from crm.notifications.models import NotificationKind
from crm.notifications.services import notify
from crm.scheduler import jobkit
from crm.scheduler.queries import ACTING_ROLES


@dataclass(frozen=True)
class Counts:
    open: int = 0
    overdue: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.open + other.open, self.overdue + other.overdue)


def _follow_up_counts(
    session: Session, owner: InstrumentedAttribute[int | None], condition: ColumnElement[bool], on: date
) -> dict[int, Counts]:
    overdue = func.sum(case((FollowUp.due_date < on, 1), else_=0))
    query = (
        select(owner, func.count(), overdue).where(FollowUp.status == FollowUpStatus.OPEN, condition).group_by(owner)
    )
    return {owner_id: Counts(total, int(late or 0)) for owner_id, total, late in session.execute(query)}


def _digest_text(on: date, mine: Counts, commitments: int) -> tuple[str, str]:
    parts = []
    if mine.open:
        parts.append(f"{mine.open} open follow-up(s), {mine.overdue} overdue")
    if commitments:
        parts.append(f"{commitments} overdue commitment(s)")
    title = f"Your digest for {format_date(on)}: " + "; ".join(parts)
    body = "Overdue items come first on your follow-ups page." if mine.overdue else ""
    return title, body


def daily_digest(session: Session, now: datetime) -> str:
    """Send each active user with open follow-ups (their own and their organisation's queue)
    or, for the chair and the focal person, overdue commitments, one digest per day."""
    on = jobkit.today(now)
    own = _follow_up_counts(session, FollowUp.assignee_id, FollowUp.assignee_id.is_not(None), on)
    queues = _follow_up_counts(session, FollowUp.assignee_organisation_id, FollowUp.assignee_id.is_(None), on)
    overdue_commitments = session.scalar(
        select(func.count()).where(Commitment.status == CommitmentStatus.OPEN, Commitment.due_date < on)
    ) or 0  # fmt: skip
    holder = focal_person_id(session)
    users = session.scalars(select(User).where(User.is_active).order_by(User.id))
    email, sent = jobkit.send_email(), 0
    follow_ups_link = jobkit.public_link("followups.mine")
    commitments_link = jobkit.public_link("commitments.register", status="overdue")
    for user in users:
        mine = own.get(user.id, Counts())
        if user.role in ACTING_ROLES:
            mine += queues.get(user.organisation_id, Counts())
        commitments = overdue_commitments if user.role is Role.CHAIR or user.id == holder else 0
        if not mine.open and not commitments:
            continue
        title, body = _digest_text(on, mine, commitments)
        link = follow_ups_link if mine.open else commitments_link
        sent += notify(session, user=user, key=f"digest:{on.isoformat()}", kind=NotificationKind.DIGEST, title=title,
                       body=body, link=link, email=email, now=now) is not None  # fmt: skip
    return f"{sent} digest(s) sent for {format_date(on)}"
