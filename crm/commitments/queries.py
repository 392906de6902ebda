"""Reading commitments: the register (filters, keyset pages), one commitment, and the
per-company, per-thread and per-engagement lists.

Loading is decided here (relationships are lazy="raise"): each list names what it loads, so
a page issues the same number of queries whatever the number of rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Select,
    String,
    and_,
    func,
    literal,
    or_,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.orm import Session, joinedload, load_only, raiseload

from crm.commitments.models import Commitment, CommitmentDirection, CommitmentStatus, CommitmentTally
from crm.companies.models import Company
from crm.db import utcnow
from crm.engagements.models import Attachment, Engagement
from crm.followups.models import FollowUp
from crm.formatting import local
from crm.http import MAX_ID
from crm.organisations.models import Organisation
from crm.threads.models import Thread, thread_companies

PAGE_SIZE = 50
EXPORT_LIMIT = 10_000
OWNER_LIMIT = 10  # open commitments shown on a company or thread page (the register has them all)
CHOICES_LIMIT = 200  # recent engagements offered in the form


def today() -> date:
    """Pakistan's today: due dates are Pakistani calendar dates."""
    return local(utcnow()).date()


class DueWindow(StrEnum):
    """How soon a commitment falls due (the register's filter)."""

    ANY = "any"
    OVERDUE = "overdue"
    WEEK = "next_7_days"
    MONTH = "next_30_days"
    NONE = "no_due_date"

    @property
    def label(self) -> str:
        return {"any": "Any", "overdue": "Overdue", "next_7_days": "Due in the next 7 days",
                "next_30_days": "Due in the next 30 days", "no_due_date": "No due date"}[self.value]  # fmt: skip


def overdue_condition(on: date) -> ColumnElement[bool]:
    """Commitment.is_overdue as SQL: open and past its due date."""
    return and_(Commitment.status == CommitmentStatus.OPEN, Commitment.due_date < on)


@dataclass(frozen=True)
class Filters:
    """What the register is narrowed to; None (or ANY) means any. `overdue` is derived."""

    company_id: int | None = None
    thread_id: int | None = None
    direction: CommitmentDirection | None = None
    status: CommitmentStatus | None = None
    overdue: bool = False
    window: DueWindow = DueWindow.ANY

    def as_dict(self) -> dict[str, Any]:
        """The filters in use as plain values (for links and the export's audit event)."""
        values = {
            "company_id": self.company_id,
            "thread_id": self.thread_id,
            "direction": self.direction.value if self.direction else None,
            "status": "overdue" if self.overdue else (self.status.value if self.status else None),
            "window": self.window.value if self.window is not DueWindow.ANY else None,
        }
        return {name: value for name, value in values.items() if value is not None}


def _window(window: DueWindow, on: date) -> list[ColumnElement[bool]]:
    if window is DueWindow.OVERDUE:
        return [overdue_condition(on)]
    if window is DueWindow.NONE:
        return [Commitment.due_date.is_(None)]
    if window in (DueWindow.WEEK, DueWindow.MONTH):
        days = 7 if window is DueWindow.WEEK else 30
        return [Commitment.due_date >= on, Commitment.due_date <= on + timedelta(days=days)]
    return []


def _conditions(filters: Filters, on: date) -> list[ColumnElement[bool]]:
    conditions = _window(filters.window, on)
    if filters.company_id is not None:
        conditions.append(Commitment.company_id == filters.company_id)
    if filters.thread_id is not None:
        conditions.append(Commitment.thread_id == filters.thread_id)
    if filters.direction is not None:
        conditions.append(Commitment.direction == filters.direction)
    if filters.status is not None:
        conditions.append(Commitment.status == filters.status)
    if filters.overdue:
        conditions.append(overdue_condition(on))
    return conditions


@dataclass(frozen=True)
class DueCursor:
    """Where a page of the register ended: the last due date (None sorts last) and id."""

    due_date: date | None
    id: int

    @classmethod
    def after(cls, commitment: Commitment) -> DueCursor:
        return cls(commitment.due_date, commitment.id)

    def token(self) -> str:
        return f"{self.due_date.isoformat() if self.due_date else 'none'}.{self.id}"

    @classmethod
    def parse(cls, token: str | None) -> DueCursor | None:
        """The cursor a token names; anything not made by `token` means the first page."""
        due, _, number = (token or "").partition(".")
        if not number.isdigit() or not 0 < int(number) <= MAX_ID:
            return None
        try:
            return cls(None if due == "none" else date.fromisoformat(due), int(number))
        except ValueError:
            return None


def _due_ranges(
    conditions: list[ColumnElement[bool]], after: DueCursor | None, limit: int
) -> Select[Any] | CompoundSelect[*tuple[Any, ...]]:
    """The ids of the next `limit` rows in DUE_ORDER, as two keyset ranges an index can serve:
    dated rows by (due date, id), then undated rows by id. `due_date IS NULL` as the first
    sort term matches no index, so ordering by it sorted every matching row on every page;
    each range here reads at most `limit` index entries (ix_commitments_due, or
    ix_commitments_status_due when the status is fixed) and the outer query orders the
    2 × limit ids it gets. One statement, whatever the page."""
    undated = select(Commitment.id).where(*conditions, Commitment.due_date.is_(None))
    if after is not None and after.due_date is None:
        undated = undated.where(Commitment.id > after.id)
        return undated.order_by(Commitment.id).limit(limit)
    dated = select(Commitment.id).where(*conditions, Commitment.due_date.is_not(None))
    if after is not None and after.due_date is not None:
        # The first term bounds the index range; the second drops the cursor's day's earlier ids.
        dated = dated.where(
            Commitment.due_date >= after.due_date,
            or_(Commitment.due_date > after.due_date, Commitment.id > after.id),
        )
    first = dated.order_by(Commitment.due_date, Commitment.id).limit(limit).subquery()
    then = undated.order_by(Commitment.id).limit(limit).subquery()
    return select(first.c.id).union_all(select(then.c.id))


LIST_LOADS = (
    joinedload(Commitment.company).load_only(Company.id, Company.name),
    joinedload(Commitment.thread).load_only(Thread.id, Thread.title),
    joinedload(Commitment.organisation).load_only(Organisation.id, Organisation.short_name, Organisation.name),
    raiseload("*"),
)
DUE_ORDER = (Commitment.due_date.is_(None), Commitment.due_date, Commitment.id)


def list_commitments(
    session: Session, *, filters: Filters, on: date, after: DueCursor | None = None, limit: int = PAGE_SIZE
) -> list[Commitment]:
    """The register, soonest due first (no due date last), keyset-paginated on (due date, id),
    with company, thread and organisation loaded in the same query."""
    ids = _due_ranges(_conditions(filters, on), after, limit)
    return _due_ordered(session, ids, limit)


def _due_ordered(session: Session, ids: Select[Any] | CompoundSelect[*tuple[Any, ...]], limit: int) -> list[Commitment]:
    query = select(Commitment).options(*LIST_LOADS).where(Commitment.id.in_(ids)).order_by(*DUE_ORDER).limit(limit)
    return list(session.scalars(query))


def get_commitment(session: Session, commitment_id: int) -> Commitment | None:
    """One commitment with everything its page shows: company, thread, organisation, the
    engagement's subject (not need-to-know: R5 covers minutes), verifier and recorder."""
    if not 1 <= commitment_id <= MAX_ID:
        return None
    query = (
        select(Commitment)
        .options(
            joinedload(Commitment.company).load_only(Company.id, Company.name),
            joinedload(Commitment.thread).load_only(Thread.id, Thread.title),
            joinedload(Commitment.organisation),
            joinedload(Commitment.engagement).load_only(Engagement.id, Engagement.subject, Engagement.occurred_at),
            joinedload(Commitment.verified_by),
            joinedload(Commitment.created_by),
        )
        .where(Commitment.id == commitment_id)
        .execution_options(populate_existing=True)
    )
    return session.scalar(query)


def evidence_files(session: Session, commitment_id: int) -> list[Attachment]:
    """The commitment's evidence files, oldest first, with their uploaders."""
    query = (
        select(Attachment)
        .options(joinedload(Attachment.uploaded_by))
        .where(Attachment.commitment_id == commitment_id)
        .order_by(Attachment.uploaded_at, Attachment.id)
    )
    return list(session.scalars(query))


def follow_ups_of(session: Session, commitment_id: int) -> list[FollowUp]:
    """Follow-ups linked to the commitment (open and done), soonest due first, with assignees."""
    query = (
        select(FollowUp)
        .options(joinedload(FollowUp.assignee), joinedload(FollowUp.assignee_organisation))
        .where(FollowUp.commitment_id == commitment_id)
        .order_by(FollowUp.due_date.is_(None), FollowUp.due_date, FollowUp.id)
        .limit(OWNER_LIMIT)
    )
    return list(session.scalars(query))


def _open_of(session: Session, condition: ColumnElement[bool], limit: int) -> list[Commitment]:
    ids = _due_ranges([condition, Commitment.status == CommitmentStatus.OPEN], None, limit)
    return _due_ordered(session, ids, limit)


def open_commitments_of_company(session: Session, company_id: int, *, limit: int = OWNER_LIMIT) -> list[Commitment]:
    """The company's open commitments (both directions), soonest due first."""
    return _open_of(session, Commitment.company_id == company_id, limit)


def open_commitments_of_thread(session: Session, thread_id: int, *, limit: int = OWNER_LIMIT) -> list[Commitment]:
    """The thread's open commitments (both directions), soonest due first."""
    return _open_of(session, Commitment.thread_id == thread_id, limit)


def commitments_of_engagement(session: Session, engagement_id: int) -> list[Commitment]:
    """Every commitment made in the engagement, whatever its status, soonest due first."""
    query = (
        select(Commitment)
        .options(*LIST_LOADS)
        .where(Commitment.engagement_id == engagement_id)
        .order_by(*DUE_ORDER)
        .limit(OWNER_LIMIT)
    )
    return list(session.scalars(query))


@dataclass(frozen=True)
class DirectionCounts:
    open: int = 0
    overdue: int = 0


def open_and_overdue(
    session: Session, *, on: date, company_id: int | None = None
) -> dict[tuple[int, CommitmentDirection], DirectionCounts]:
    """Open and overdue commitments per (company, direction), in one statement: the open ones
    from the tallies (a few hundred rows), and for each tally the overdue ones counted in its
    own range of ix_commitments_status_company. Neither reads the register's history."""
    tally = CommitmentTally
    late = (
        select(func.count())
        .where(
            Commitment.status == CommitmentStatus.OPEN,
            Commitment.company_id == tally.company_id,
            Commitment.direction == tally.direction,
            Commitment.due_date < on,
        )  # fmt: skip
        .correlate(tally)
        .scalar_subquery()
    )
    query = select(tally.company_id, tally.direction, tally.count, late).where(tally.status == CommitmentStatus.OPEN)
    if company_id is not None:
        query = query.where(tally.company_id == company_id)
    return {
        (company, CommitmentDirection(direction)): DirectionCounts(int(opened), int(overdue))
        for company, direction, opened, overdue in session.execute(query)
        if opened
    }


def company_counts(session: Session, company_id: int, *, on: date) -> dict[CommitmentDirection, DirectionCounts]:
    """Open and overdue commitments of the company in each direction, in one query."""
    found = open_and_overdue(session, on=on, company_id=company_id)
    return {direction: found.get((company_id, direction), DirectionCounts()) for direction in CommitmentDirection}


def status_totals(
    session: Session, *, on: date, company_id: int | None = None
) -> tuple[dict[CommitmentStatus, int], int]:
    """Commitments in each status (from the tallies) and how many open ones are overdue, in one
    statement."""
    tally = CommitmentTally
    status = type_coerce(tally.status, String)  # read as text: the union's other row says "overdue"
    totals = select(status, func.sum(tally.count)).group_by(tally.status)
    late = select(literal("overdue"), func.count()).where(overdue_condition(on))
    if company_id is not None:
        totals = totals.where(tally.company_id == company_id)
        late = late.where(Commitment.company_id == company_id)
    counts: dict[CommitmentStatus, int] = {}
    overdue = 0
    for key, n in session.execute(union_all(totals, late)):
        if key == "overdue":
            overdue = int(n or 0)
        else:
            counts[CommitmentStatus(key)] = int(n or 0)
    return counts, overdue


# Choices for the form and filters.


def company_choices(session: Session) -> list[tuple[int, str]]:
    """(id, name) of every company, by name (about a hundred)."""
    return [(row.id, row.name) for row in session.execute(select(Company.id, Company.name).order_by(Company.name))]


def thread_choices(session: Session, company_id: int | None) -> list[tuple[int, str]]:
    """(id, title) of the company's threads, by title."""
    if company_id is None:
        return []
    query = (
        select(Thread.id, Thread.title)
        .join(thread_companies, thread_companies.c.thread_id == Thread.id)
        .where(thread_companies.c.company_id == company_id)
        .order_by(Thread.title, Thread.id)
    )
    return [(row.id, row.title) for row in session.execute(query)]


def engagement_choices(session: Session, company_id: int | None, *, include: int | None = None) -> list[Engagement]:
    """The company's most recent engagements (date and subject only), plus `include` if older."""
    if company_id is None:
        return []
    columns = load_only(Engagement.id, Engagement.subject, Engagement.occurred_at)
    query = select(Engagement).options(columns).where(Engagement.company_id == company_id)
    newest = query.order_by(Engagement.occurred_at.desc(), Engagement.id.desc())
    rows = list(session.scalars(newest.limit(CHOICES_LIMIT)))
    if include is not None and 1 <= include <= MAX_ID and include not in {e.id for e in rows}:
        rows.extend(session.scalars(query.where(Engagement.id == include)))
    return rows


def implied_links(session: Session, *, thread_id: int | None, engagement_id: int | None) -> dict[str, int]:
    """The company (and thread) a new commitment is about when it starts from an engagement,
    or from a thread with a single company."""
    if engagement_id is not None:
        row = session.execute(
            select(Engagement.company_id, Engagement.thread_id).where(Engagement.id == engagement_id)
        ).first()
        if row is not None:
            return {"company_id": row.company_id, **({"thread_id": row.thread_id} if row.thread_id else {})}
    if thread_id is not None:
        companies = list(
            session.scalars(select(thread_companies.c.company_id).where(thread_companies.c.thread_id == thread_id))
        )
        if len(companies) == 1:
            return {"company_id": companies[0]}
    return {}
