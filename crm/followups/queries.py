"""Reading follow-ups: "my" open follow-ups, overdue first, and the API's lists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session, joinedload

from crm.accounts.models import User
from crm.companies.models import Company
from crm.engagements.models import Engagement
from crm.followups.models import FollowUp, FollowUpStatus
from crm.threads.models import Thread

LOADS = (joinedload(FollowUp.assignee), joinedload(FollowUp.assignee_organisation))


def owned_by(user: User) -> ColumnElement[bool]:
    """Assigned to the user, or to their organisation's queue with no person assigned."""
    return or_(
        FollowUp.assignee_id == user.id,
        and_(FollowUp.assignee_id.is_(None), FollowUp.assignee_organisation_id == user.organisation_id),
    )


def visible_to(user: User) -> ColumnElement[bool]:
    """policy.can_view as SQL, for users who do not see everything."""
    return or_(owned_by(user), FollowUp.created_by_id == user.id)


def get_follow_up(session: Session, follow_up_id: int) -> FollowUp | None:
    """One follow-up with its assignee and assignee organisation loaded."""
    return session.scalar(select(FollowUp).options(*LOADS).where(FollowUp.id == follow_up_id))


@dataclass(frozen=True)
class DueCursor:
    """Where a page of "my follow-ups" ended: the last due date (None sorts last) and id."""

    due_date: date | None
    id: int


def _after(cursor: DueCursor) -> ColumnElement[bool]:
    if cursor.due_date is None:
        return and_(FollowUp.due_date.is_(None), FollowUp.id > cursor.id)
    return or_(
        FollowUp.due_date > cursor.due_date,
        and_(FollowUp.due_date == cursor.due_date, FollowUp.id > cursor.id),
        FollowUp.due_date.is_(None),
    )


def my_open_follow_ups(
    session: Session, *, user: User, after: DueCursor | None = None, limit: int = 50
) -> list[FollowUp]:
    """The user's open follow-ups (theirs and their organisation's queue), earliest due first.

    Ordering by due date puts the overdue ones first; those without a due date come last.
    Keyset-paginated on (due date, id).
    """
    query = (
        select(FollowUp)
        .options(*LOADS)
        .where(owned_by(user), FollowUp.status == FollowUpStatus.OPEN)
        .order_by(FollowUp.due_date.is_(None), FollowUp.due_date, FollowUp.id)
        .limit(limit)
    )
    if after is not None:
        query = query.where(_after(after))
    return list(session.scalars(query))


def list_follow_ups(
    session: Session,
    *,
    viewer: User,
    everything: bool,
    mine: bool = False,
    status: FollowUpStatus | None = None,
    after_id: int | None = None,
    limit: int = 50,
) -> list[FollowUp]:
    """Follow-ups by id (keyset): all when `everything`, else those the viewer may see;
    `mine` narrows to the viewer's own (as on "my follow-ups")."""
    query = select(FollowUp).options(*LOADS).order_by(FollowUp.id).limit(limit)
    if mine:
        query = query.where(owned_by(viewer))
    elif not everything:
        query = query.where(visible_to(viewer))
    if status is not None:
        query = query.where(FollowUp.status == status)
    if after_id is not None:
        query = query.where(FollowUp.id > after_id)
    return list(session.scalars(query))


@dataclass(frozen=True)
class RecordLabels:
    """Names of the records a page of follow-ups links to (the model links them by id only)."""

    companies: dict[int, str]
    threads: dict[int, str]
    engagements: dict[int, str]


def _labels(
    session: Session, column_id: InstrumentedAttribute[int], label: InstrumentedAttribute[str], ids: set[int]
) -> dict[int, str]:
    if not ids:
        return {}
    return {row[0]: row[1] for row in session.execute(select(column_id, label).where(column_id.in_(ids)))}


def record_labels(session: Session, follow_ups: list[FollowUp]) -> RecordLabels:
    """Company names, thread titles and engagement subjects for these follow-ups: three queries
    at most, whatever the number of rows. (Subjects are not need-to-know: R5 covers minutes.)"""
    return RecordLabels(
        companies=_labels(session, Company.id, Company.name, {f.company_id for f in follow_ups if f.company_id}),
        threads=_labels(session, Thread.id, Thread.title, {f.thread_id for f in follow_ups if f.thread_id}),
        engagements=_labels(
            session, Engagement.id, Engagement.subject, {f.engagement_id for f in follow_ups if f.engagement_id}
        ),
    )
