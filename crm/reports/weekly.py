"""Reading for the weekly brief: the last seven days (Pakistan's calendar, today included) and
the deadlines of the next seven. Each section is one query (plus its total), whatever the
data size; long sections show their first SECTION_LIMIT items and say how many there are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Integer, cast, func, literal, select
from sqlalchemy.orm import Session

from crm.accounts.models import Clearance, User
from crm.audit.models import AuditEvent
from crm.commitments.models import Commitment, CommitmentStatus
from crm.commitments.queries import DUE_ORDER, LIST_LOADS, overdue_condition
from crm.companies.models import Company
from crm.dashboard.panels import Panel, Rows, directives_behind, open_exceptions
from crm.datarequests.models import DataRequest, DataRequestStatus
from crm.directives.models import Directive, DirectiveStatus
from crm.engagements.models import Engagement
from crm.exceptions import policy as exceptions_policy
from crm.followups.models import FollowUp, FollowUpStatus
from crm.formatting import KARACHI
from crm.organisations.models import Organisation
from crm.reports.queries import ENGAGEMENT_LOADS, BriefEngagement, MinutesAccess, marking_of, with_minutes
from crm.reviews.models import DraftReview
from crm.reviews.queries import OPEN as OPEN_REVIEWS
from crm.threads.models import Stage, StageChange, Thread

DAYS = 7
SECTION_LIMIT = 50


@dataclass(frozen=True)
class StageLine:
    thread_id: int
    title: str
    from_stage: Stage | None
    to_stage: Stage
    note: str
    changed_at: datetime
    changed_by: str


@dataclass(frozen=True)
class Deadline:
    kind: str  # follow_ups, commitments, directives, data_requests, draft_reviews, threads
    label: str
    id: int
    title: str
    due: date
    detail: str


@dataclass
class WeeklyBrief:
    start: date
    end: date
    engagements: list[BriefEngagement]
    engagements_total: int
    stage_changes: list[StageLine]
    made: list[Commitment]
    closed: list[Commitment]
    overdue: list[Commitment]
    overdue_total: int
    behind: Panel
    upcoming: list[Deadline]
    exceptions: Panel | None
    marking: Clearance = Clearance.UNCLASSIFIED
    minutes_shown: list[int] = field(default_factory=list)


def _since(start: date) -> datetime:
    return datetime.combine(start, time(), tzinfo=KARACHI).astimezone(UTC)


def _engagements(session: Session, since: datetime) -> tuple[list[Engagement], int]:
    window = Engagement.occurred_at >= since
    query = select(Engagement).options(*ENGAGEMENT_LOADS).where(window)
    rows = session.scalars(query.order_by(Engagement.occurred_at.desc(), Engagement.id.desc()).limit(SECTION_LIMIT))
    return list(rows), session.scalar(select(func.count()).select_from(Engagement).where(window)) or 0


def _stage_changes(session: Session, since: datetime) -> list[StageLine]:
    query = (
        select(
            StageChange.thread_id,
            Thread.title,
            StageChange.from_stage,
            StageChange.to_stage,
            StageChange.note,
            StageChange.changed_at,
            User.full_name,
        )  # fmt: skip
        .join(Thread, Thread.id == StageChange.thread_id)
        .join(User, User.id == StageChange.changed_by_id)
        .where(StageChange.changed_at >= since)
        .order_by(StageChange.changed_at.desc(), StageChange.id.desc())
        .limit(SECTION_LIMIT)
    )
    return [StageLine(*row) for row in session.execute(query)]


def _commitments(session: Session, *conditions: Any) -> list[Commitment]:
    query = select(Commitment).options(*LIST_LOADS).where(*conditions).order_by(*DUE_ORDER).limit(SECTION_LIMIT)
    return list(session.scalars(query))


def _closed_since(since: datetime) -> Any:
    """Commitments whose status was changed this week (from the audit chain) and are not open."""
    changed = select(cast(AuditEvent.target_id, Integer)).where(
        AuditEvent.action == "commitment.set_status", AuditEvent.occurred_at >= since
    )
    return Commitment.id.in_(changed.scalar_subquery()) & (Commitment.status != CommitmentStatus.OPEN)


def _upcoming(session: Session, first: date, last: date) -> list[Deadline]:
    """Open items falling due from `first` to `last`, soonest first, across every register."""
    owner = func.coalesce(User.full_name, Organisation.short_name, literal("Unassigned"))
    open_directives = [s for s in DirectiveStatus if s.is_open]
    sources: list[tuple[str, str, Rows, Any]] = [
        ("commitments", "Commitment", select(Commitment.id, Commitment.text, Commitment.due_date, Company.name)
         .join(Company, Company.id == Commitment.company_id).where(Commitment.status == CommitmentStatus.OPEN),
         Commitment.due_date),
        ("follow_ups", "Follow-up", select(FollowUp.id, FollowUp.title, FollowUp.due_date, owner)
         .outerjoin(User, User.id == FollowUp.assignee_id)
         .outerjoin(Organisation, Organisation.id == FollowUp.assignee_organisation_id)
         .where(FollowUp.status == FollowUpStatus.OPEN), FollowUp.due_date),
        ("directives", "Directive", select(Directive.id, Directive.serial.concat(": ").concat(Directive.text),
         Directive.due_date, Directive.source_ref).where(Directive.status.in_(open_directives)), Directive.due_date),
        ("data_requests", "Data request", select(DataRequest.id, DataRequest.title, DataRequest.due_date,
         Organisation.short_name).join(Organisation, Organisation.id == DataRequest.requested_from_id)
         .where(DataRequest.status == DataRequestStatus.OPEN), DataRequest.due_date),
        ("draft_reviews", "Draft review (input due)", select(DraftReview.id, DraftReview.title, DraftReview.input_due,
         Organisation.short_name).join(Organisation, Organisation.id == DraftReview.originating_organisation_id)
         .where(DraftReview.status.in_(OPEN_REVIEWS)), DraftReview.input_due),
        ("threads", "Negotiation target", select(Thread.id, Thread.title, Thread.target_date, Thread.next_step)
         .where(Thread.stage.not_in([Stage.CLOSED, Stage.ABANDONED])), Thread.target_date),
    ]  # fmt: skip
    deadlines = []
    for kind, label, query, due in sources:
        rows = session.execute(query.where(due >= first, due <= last).order_by(due).limit(SECTION_LIMIT))
        deadlines += [Deadline(kind, label, *row) for row in rows]
    return sorted(deadlines, key=lambda d: (d.due, d.kind, d.id))


def weekly_brief(session: Session, *, access: MinutesAccess, today: date) -> WeeklyBrief:
    """The weekly brief as this reader may see it (minutes under R5, exceptions to those who
    see every report); `today` is Pakistan's date."""
    start = today - timedelta(days=DAYS - 1)
    since = _since(start)
    engagements, total = _engagements(session, since)
    shown = with_minutes(session, access, engagements)
    sees_exceptions = exceptions_policy.sees_all(access.reader)
    overdue_total = session.scalar(select(func.count()).select_from(Commitment).where(overdue_condition(today))) or 0
    brief = WeeklyBrief(
        start=start, end=today, engagements=shown, engagements_total=total,
        stage_changes=_stage_changes(session, since),
        made=_commitments(session, Commitment.created_at >= since),
        closed=_commitments(session, _closed_since(since)),
        overdue=_commitments(session, overdue_condition(today)), overdue_total=overdue_total,
        behind=directives_behind(session, today, limit=SECTION_LIMIT),
        upcoming=_upcoming(session, today, today + timedelta(days=DAYS)),
        exceptions=open_exceptions(session, limit=SECTION_LIMIT) if sees_exceptions else None,
    )  # fmt: skip
    brief.marking = marking_of(shown)
    brief.minutes_shown = [b.engagement.id for b in shown if b.minutes is not None]
    return brief
