"""Reading engagements: newest-first lists with keyset pagination, and the detail page's data.

Every query names what it loads (relationships are lazy="raise", so templates never query).
Lists never load the minutes column: a list shows that an engagement happened, never what
was said (R5).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, select, tuple_
from sqlalchemy.orm import Session, defer, joinedload, raiseload, selectinload

from crm.accounts.models import User
from crm.companies.models import Company
from crm.contacts.models import Contact
from crm.engagements.models import Attachment, Direction, Engagement, EngagementKind, EngagementRevision
from crm.engagements.services import engagement_state
from crm.formatting import KARACHI
from crm.threads.models import Thread, thread_companies

PAGE_SIZE = 50
EXPORT_LIMIT = 10_000
THREAD_CHOICES_LIMIT = 500
# Dates outside this range cannot be converted between time zones; clamp filters to it.
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(9000, 1, 1)


@dataclass(frozen=True)
class Filters:
    """What a list is narrowed to; dates are Pakistan dates, both ends inclusive."""

    company_id: int | None = None
    thread_id: int | None = None
    direction: Direction | None = None
    kind: EngagementKind | None = None
    date_from: date | None = None
    date_to: date | None = None

    def as_dict(self) -> dict[str, Any]:
        """The filters in use, as plain values (for links and the export's audit event)."""
        values = {
            "company_id": self.company_id,
            "thread_id": self.thread_id,
            "direction": self.direction.value if self.direction else None,
            "kind": self.kind.value if self.kind else None,
            "date_from": self.date_from.isoformat() if self.date_from else None,
            "date_to": self.date_to.isoformat() if self.date_to else None,
        }
        return {name: value for name, value in values.items() if value is not None}


@dataclass(frozen=True)
class Position:
    """A place in the newest-first order: (occurred_at, id) of the last row seen."""

    occurred_at: datetime
    id: int

    @classmethod
    def after(cls, engagement: Engagement) -> Position:
        return cls(engagement.occurred_at, engagement.id)

    def token(self) -> str:
        """`<UTC ISO time>,<id>`: the ?before= value of the next page."""
        return f"{self.occurred_at.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%S.%fZ')},{self.id}"

    @classmethod
    def parse(cls, token: str | None) -> Position | None:
        """The position a token names, or None when it is not one (a bad link starts over)."""
        stamp, _, number = (token or "").replace(" ", "+").rpartition(",")
        try:
            moment = datetime.fromisoformat(stamp)
        except ValueError:
            return None
        if moment.tzinfo is None or not number.isdigit() or not 0 < int(number) < 2**31:
            return None
        return cls(moment, int(number))


def _local_midnight(day: date) -> datetime:
    day = min(max(day, FIRST_DAY), LAST_DAY)
    return datetime.combine(day, time(), tzinfo=KARACHI).astimezone(UTC)


def _filtered(query: Select[Any], filters: Filters) -> Select[Any]:
    conditions = []
    if filters.company_id is not None:
        conditions.append(Engagement.company_id == filters.company_id)
    if filters.thread_id is not None:
        conditions.append(Engagement.thread_id == filters.thread_id)
    if filters.direction is not None:
        conditions.append(Engagement.direction == filters.direction)
    if filters.kind is not None:
        conditions.append(Engagement.kind == filters.kind)
    if filters.date_from is not None:
        conditions.append(Engagement.occurred_at >= _local_midnight(filters.date_from))
    if filters.date_to is not None:
        conditions.append(Engagement.occurred_at < _local_midnight(filters.date_to + timedelta(days=1)))
    return query.where(*conditions)


def list_engagements(
    session: Session, *, filters: Filters, before: Position | None = None, limit: int = PAGE_SIZE
) -> list[Engagement]:
    """Engagements newest first (keyset on occurred_at, id), with company, thread and logger.

    The minutes are never loaded: touching them on a listed row raises.
    """
    query = (
        select(Engagement)
        .options(
            joinedload(Engagement.company),
            joinedload(Engagement.thread),
            joinedload(Engagement.logged_by),
            defer(Engagement.minutes, raiseload=True),
            raiseload("*"),
        )
        .order_by(Engagement.occurred_at.desc(), Engagement.id.desc())
        .limit(limit)
    )
    if before is not None:
        query = query.where(tuple_(Engagement.occurred_at, Engagement.id) < (before.occurred_at, before.id))
    return list(session.scalars(_filtered(query, filters)))


@dataclass
class RevisionView:
    """One correction for display: who, when, why, and which fields it changed."""

    revision: EngagementRevision
    changed: list[str]

    @property
    def previous(self) -> dict[str, Any]:
        return self.revision.previous


@dataclass
class EngagementDetail:
    engagement: Engagement
    attachments: list[Attachment] = field(default_factory=list)
    revisions: list[RevisionView] = field(default_factory=list)


def _same(before: Any, after: Any) -> bool:
    if isinstance(before, list) and isinstance(after, list):
        return sorted(before) == sorted(after)
    return bool(before == after)


def revision_views(engagement: Engagement, revisions: list[EngagementRevision]) -> list[RevisionView]:
    """Each revision's `previous` compared with the state that followed it (the next
    revision's `previous`, or the engagement as it is now)."""
    if not revisions:
        return []
    states = [revision.previous for revision in revisions[1:]] + [engagement_state(engagement)]
    return [
        RevisionView(revision, [name for name, value in revision.previous.items() if not _same(value, state.get(name))])
        for revision, state in zip(revisions, states, strict=True)
    ]


def get_engagement(session: Session, engagement_id: int) -> Engagement | None:
    """One engagement with everything its pages show: company, thread, logger, participants."""
    query = (
        select(Engagement)
        .options(
            joinedload(Engagement.company),
            joinedload(Engagement.thread),
            joinedload(Engagement.logged_by).joinedload(User.organisation),
            selectinload(Engagement.participants).joinedload(User.organisation),
            selectinload(Engagement.organisations),
            selectinload(Engagement.contacts),
        )
        .where(Engagement.id == engagement_id)
        .execution_options(populate_existing=True)
    )
    return session.scalar(query)


def get_detail(session: Session, engagement_id: int) -> EngagementDetail | None:
    """The engagement, its attachments (oldest first) and its corrections (in order).

    A fixed number of queries, whatever the number of participants, files or revisions.
    """
    engagement = get_engagement(session, engagement_id)
    if engagement is None:
        return None
    attachments = session.scalars(
        select(Attachment)
        .options(joinedload(Attachment.uploaded_by))
        .where(Attachment.engagement_id == engagement_id)
        .order_by(Attachment.uploaded_at, Attachment.id)
    )
    revisions = session.scalars(
        select(EngagementRevision)
        .options(joinedload(EngagementRevision.changed_by))
        .where(EngagementRevision.engagement_id == engagement_id)
        .order_by(EngagementRevision.revision)
    )
    return EngagementDetail(engagement, list(attachments), revision_views(engagement, list(revisions)))


# Choices for forms and filters.


def companies(session: Session) -> list[Company]:
    """Every company by name (there are about a hundred)."""
    return list(session.scalars(select(Company).order_by(Company.name)))


def threads_of(session: Session, company_id: int | None) -> list[Thread]:
    """The company's threads by title; with no company, the first few hundred threads."""
    query = select(Thread).order_by(Thread.title, Thread.id)
    if company_id is None:
        return list(session.scalars(query.limit(THREAD_CHOICES_LIMIT)))
    query = query.join(thread_companies, thread_companies.c.thread_id == Thread.id)
    return list(session.scalars(query.where(thread_companies.c.company_id == company_id)))


def company_ids_of_thread(session: Session, thread_id: int) -> list[int]:
    """The companies a thread is with."""
    query = select(thread_companies.c.company_id).where(thread_companies.c.thread_id == thread_id)
    return list(session.scalars(query))


def contacts_of(session: Session, company_id: int | None) -> list[Contact]:
    """The company's contacts (past and present) by name."""
    if company_id is None:
        return []
    return list(session.scalars(select(Contact).where(Contact.company_id == company_id).order_by(Contact.name)))


def people(session: Session) -> list[User]:
    """Users who may be named as government participants: active ones first, by name."""
    query = select(User).options(joinedload(User.organisation)).order_by(User.is_active.desc(), User.full_name)
    return list(session.scalars(query))


def get_attachment(session: Session, attachment_id: int) -> Attachment | None:
    """One attachment (its metadata only)."""
    return session.get(Attachment, attachment_id)
