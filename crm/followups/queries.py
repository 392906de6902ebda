"""Reading follow-ups: "my" open follow-ups (overdue first), an organisation's queue, the keepers'
filtered list, the API's lists, one follow-up with its history. Loading is decided here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, CompoundSelect, Select, and_, or_, select, true, union_all
from sqlalchemy.orm import InstrumentedAttribute, Session, joinedload

from crm.accounts.models import Role, User
from crm.audit.models import AuditEvent
from crm.commitments.models import Commitment
from crm.companies.models import Company
from crm.engagements.models import Engagement
from crm.followups.models import FollowUp, FollowUpPriority, FollowUpStatus
from crm.organisations.models import Organisation
from crm.threads.models import Thread

LOADS = (joinedload(FollowUp.assignee), joinedload(FollowUp.assignee_organisation))
HISTORY_LIMIT = 50


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


def due_ranges(
    branches: list[ColumnElement[bool]], after: DueCursor | None, limit: int
) -> CompoundSelect[*tuple[Any, ...]]:
    """The ids of the next `limit` open follow-ups of any branch in (due date, id) order, undated
    last, as keyset ranges an index serves: for each branch (an OR's arms, e.g. "assigned to me"
    and "my organisation's queue"), dated rows by (due date, id) then undated rows by id, each
    at most `limit` long. Sorting by `due_date IS NULL` over an OR made the planner read and
    sort every open row of the owner on every page; this reads at most 2 × branches × limit
    index entries, in one statement."""
    ranges = []
    for branch in branches:
        undated = select(FollowUp.id).where(branch, FollowUp.status == FollowUpStatus.OPEN, FollowUp.due_date.is_(None))
        if after is not None and after.due_date is None:
            ranges.append(undated.where(FollowUp.id > after.id).order_by(FollowUp.id).limit(limit).subquery())
            continue
        dated = select(FollowUp.id).where(
            branch, FollowUp.status == FollowUpStatus.OPEN, FollowUp.due_date.is_not(None)
        )
        if after is not None and after.due_date is not None:
            # The first term bounds the index range; the second drops the cursor's day's earlier ids.
            dated = dated.where(
                FollowUp.due_date >= after.due_date, or_(FollowUp.due_date > after.due_date, FollowUp.id > after.id)
            )
        ranges.append(dated.order_by(FollowUp.due_date, FollowUp.id).limit(limit).subquery())
        ranges.append(undated.order_by(FollowUp.id).limit(limit).subquery())
    return union_all(*(select(r.c.id) for r in ranges))


def _by_due(branches: list[ColumnElement[bool]], after: DueCursor | None, limit: int) -> Select[Any]:
    """Open follow-ups earliest due first (so overdue first), undated last; keyset on (due, id)."""
    return (
        select(FollowUp)
        .options(*LOADS)
        .where(FollowUp.id.in_(due_ranges(branches, after, limit)))
        .order_by(FollowUp.due_date.is_(None), FollowUp.due_date, FollowUp.id)
        .limit(limit)
    )


def _owned_branches(user: User) -> list[ColumnElement[bool]]:
    """owned_by(user) as the arms of its OR, each served by its own index."""
    return [
        FollowUp.assignee_id == user.id,
        and_(FollowUp.assignee_id.is_(None), FollowUp.assignee_organisation_id == user.organisation_id),
    ]


def my_open_follow_ups(
    session: Session, *, user: User, after: DueCursor | None = None, limit: int = 50
) -> list[FollowUp]:
    """The user's open follow-ups (theirs and their organisation's queue), earliest due first.

    Ordering by due date puts the overdue ones first; those without a due date come last.
    Keyset-paginated on (due date, id).
    """
    return list(session.scalars(_by_due(_owned_branches(user), after, limit)))


def organisation_queue(
    session: Session, *, organisation_id: int, after: DueCursor | None = None, limit: int = 50
) -> list[FollowUp]:
    """Open follow-ups waiting in an organisation's queue (no person assigned), earliest due first."""
    queue = and_(FollowUp.assignee_id.is_(None), FollowUp.assignee_organisation_id == organisation_id)
    return list(session.scalars(_by_due([queue], after, limit)))


@dataclass(frozen=True)
class Filters:
    """The keepers' filters on open follow-ups; `today` (Pakistan's) decides what is overdue."""

    today: date
    assignee_id: int | None = None
    organisation_id: int | None = None
    priority: FollowUpPriority | None = None
    overdue: bool = False
    due_from: date | None = None
    due_to: date | None = None

    def as_dict(self) -> dict[str, Any]:
        """The filters in use, for the audit of an export."""
        values = {
            "assignee_id": self.assignee_id, "organisation_id": self.organisation_id,
            "priority": self.priority.value if self.priority else None, "overdue": self.overdue or None,
            "due_from": self.due_from.isoformat() if self.due_from else None,
            "due_to": self.due_to.isoformat() if self.due_to else None,
        }  # fmt: skip
        return {name: value for name, value in values.items() if value is not None}


def _of_organisation(organisation_id: int) -> ColumnElement[bool]:
    """In the organisation's queue, or assigned to one of its people."""
    people = select(User.id).where(User.organisation_id == organisation_id)
    return or_(FollowUp.assignee_organisation_id == organisation_id, FollowUp.assignee_id.in_(people))


def _conditions(filters: Filters) -> ColumnElement[bool]:
    conditions: list[ColumnElement[bool]] = [true()]
    if filters.assignee_id is not None:
        conditions.append(FollowUp.assignee_id == filters.assignee_id)
    if filters.organisation_id is not None:
        conditions.append(_of_organisation(filters.organisation_id))
    if filters.priority is not None:
        conditions.append(FollowUp.priority == filters.priority)
    if filters.overdue:
        conditions.append(FollowUp.due_date < filters.today)
    if filters.due_from is not None:
        conditions.append(FollowUp.due_date >= filters.due_from)
    if filters.due_to is not None:
        conditions.append(FollowUp.due_date <= filters.due_to)
    return and_(*conditions)


def all_open_follow_ups(
    session: Session, *, filters: Filters, after: DueCursor | None = None, limit: int = 50
) -> list[FollowUp]:
    """Every open follow-up matching the filters (for the chair and the secretariat), earliest
    due first, keyset-paginated on (due date, id)."""
    return list(session.scalars(_by_due([_conditions(filters)], after, limit)))


def list_follow_ups(
    session: Session,
    *,
    viewer: User,
    everything: bool,
    mine: bool = False,
    status: FollowUpStatus | None = None,
    after_id: int | None = None,
    limit: int = 50,
    priority: FollowUpPriority | None = None,
    overdue_on: date | None = None,
    organisation_id: int | None = None,
    commitment_id: int | None = None,
) -> list[FollowUp]:
    """Follow-ups by id (keyset): all when `everything`, else those the viewer may see;
    `mine` narrows to the viewer's own (as on "my follow-ups"). `overdue_on` (a day) keeps the
    open ones due before it; `organisation_id` those of its queue or its people."""
    conditions: list[ColumnElement[bool]] = []
    if not everything and not mine:
        conditions.append(visible_to(viewer))
    if status is not None:
        conditions.append(FollowUp.status == status)
    if after_id is not None:
        conditions.append(FollowUp.id > after_id)
    if priority is not None:
        conditions.append(FollowUp.priority == priority)
    if overdue_on is not None:
        conditions.extend([FollowUp.status == FollowUpStatus.OPEN, FollowUp.due_date < overdue_on])
    if organisation_id is not None:
        conditions.append(_of_organisation(organisation_id))
    if commitment_id is not None:
        conditions.append(FollowUp.commitment_id == commitment_id)
    if mine:
        # One id range per arm of owned_by's OR, each read in id order from its own index
        # (ix_follow_ups_assignee_id, ix_follow_ups_assignee_organisation_id): over the OR the
        # planner gathered and sorted every follow-up the user owns (≈175,000 for the focal person).
        ranges = [
            select(FollowUp.id).where(branch, *conditions).order_by(FollowUp.id).limit(limit).subquery()
            for branch in _owned_branches(viewer)
        ]
        conditions = [FollowUp.id.in_(union_all(*(select(r.c.id) for r in ranges)))]
    query = select(FollowUp).options(*LOADS).where(*conditions).order_by(FollowUp.id).limit(limit)
    return list(session.scalars(query))


def assignable_people(session: Session) -> list[tuple[int, str]]:
    """(id, "Name (ORG)") of the active people who record for the group, by name, in one query."""
    query = (
        select(User.id, User.full_name, Organisation.short_name)
        .join(Organisation, Organisation.id == User.organisation_id)
        .where(User.is_active, User.role.in_([Role.CHAIR, Role.SECRETARIAT, Role.MEMBER]))
        .order_by(User.full_name, User.id)
    )
    return [(row[0], f"{row[1]} ({row[2]})") for row in session.execute(query)]


def history(session: Session, follow_up_id: int) -> list[AuditEvent]:
    """What happened to a follow-up, oldest first, from the audit chain (created, edited,
    taken, completed, cancelled, reopened, transferred): at most HISTORY_LIMIT events."""
    query = (
        select(AuditEvent)
        .where(
            AuditEvent.target_type == FollowUp.__tablename__,
            AuditEvent.target_id == str(follow_up_id),
            AuditEvent.action.startswith("follow_up."),
        )  # fmt: skip
        .order_by(AuditEvent.seq)
        .limit(HISTORY_LIMIT)
    )
    return list(session.scalars(query))


def creator_name(session: Session, follow_up: FollowUp) -> str | None:
    """The full name of whoever created the follow-up (None when a rule created it)."""
    if follow_up.created_by_id is None:
        return None
    return session.scalar(select(User.full_name).where(User.id == follow_up.created_by_id))


@dataclass(frozen=True)
class RecordLabels:
    """Names of the records a page of follow-ups links to (the model links them by id only)."""

    companies: dict[int, str]
    threads: dict[int, str]
    engagements: dict[int, str]
    commitments: dict[int, str]


def _labels(session: Session, column_id: InstrumentedAttribute[int], label: Any, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return {row[0]: row[1] for row in session.execute(select(column_id, label).where(column_id.in_(ids)))}


def record_labels(session: Session, follow_ups: list[FollowUp]) -> RecordLabels:
    """Company names, thread titles, engagement subjects and commitment numbers for these
    follow-ups: four queries at most, whatever the number of rows. (Subjects are not
    need-to-know: R5 covers minutes.)"""
    commitment_ids = {f.commitment_id for f in follow_ups if f.commitment_id}
    commitments = {
        number: f"Commitment #{number}: {company}"
        for number, company in _labels(
            session, Commitment.id, select(Company.name).where(Company.id == Commitment.company_id).scalar_subquery(),
            commitment_ids,
        ).items()
    }  # fmt: skip
    return RecordLabels(
        companies=_labels(session, Company.id, Company.name, {f.company_id for f in follow_ups if f.company_id}),
        threads=_labels(session, Thread.id, Thread.title, {f.thread_id for f in follow_ups if f.thread_id}),
        engagements=_labels(
            session, Engagement.id, Engagement.subject, {f.engagement_id for f in follow_ups if f.engagement_id}
        ),
        commitments=commitments,
    )
