"""Reading for the chair's briefs: engagements with their minutes only where R5 allows, and the
one-page brief on a company.

R5 is applied by `crm.engagements.policy.minutes_refusal`, the predicate every reading of
minutes uses; the facts it needs (who is the focal person, which grants the reader holds) are
read once per brief, not once per engagement. Minutes are loaded only for the engagements
whose minutes the reader may see: the others' never leave the database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, defer, joinedload, raiseload

from crm.accounts.models import Clearance, User
from crm.commitments.models import Commitment, CommitmentDirection
from crm.commitments.queries import DirectionCounts, company_counts, open_commitments_of_company
from crm.companies.models import Company
from crm.companies.queries import open_follow_ups_of
from crm.designations.queries import focal_person_id
from crm.engagements import policy as engagement_policy
from crm.engagements.models import Engagement
from crm.followups.models import FollowUp
from crm.notes.queries import live_grant_targets
from crm.threads.models import Stage, Thread, thread_companies

MINUTES_EXCERPT = 700  # characters of minutes a brief quotes; the engagement page has the rest
BRIEF_ENGAGEMENTS = 5
BRIEF_COMMITMENTS = 8
BRIEF_FOLLOW_UPS = 5
BRIEF_THREADS = 6
ENGAGEMENT_LOADS = (
    joinedload(Engagement.company),
    joinedload(Engagement.thread),
    defer(Engagement.minutes, raiseload=True),
    raiseload("*"),
)


@dataclass(frozen=True)
class MinutesAccess:
    """What R5 needs to know about one reader, read once for a whole brief."""

    reader: User
    is_focal_person: bool
    granted_engagements: frozenset[int] = frozenset()
    granted_threads: frozenset[int] = frozenset()

    def refusal(self, engagement: Engagement) -> str | None:
        """R5 for this engagement: None when its minutes may be shown to the reader."""
        has_grant = engagement.id in self.granted_engagements or engagement.thread_id in self.granted_threads
        return engagement_policy.minutes_refusal(
            self.reader, engagement.classification, is_focal_person=self.is_focal_person, has_grant=has_grant
        )


def minutes_access(session: Session, *, reader: User, now: datetime) -> MinutesAccess:
    """The reader's standing under R5: focal person or not, and their live grants (if any)."""
    is_focal = focal_person_id(session) == reader.id
    standing = engagement_policy.minutes_refusal(reader, Clearance.UNCLASSIFIED, is_focal_person=is_focal,
                                                 has_grant=False)  # fmt: skip
    if standing != engagement_policy.NO_GRANT:  # a standing role reads without grants (or nothing at all)
        return MinutesAccess(reader, is_focal)
    engagements, threads = live_grant_targets(session, user_id=reader.id, now=now)
    return MinutesAccess(reader, is_focal, frozenset(engagements), frozenset(threads))


@dataclass(frozen=True)
class BriefEngagement:
    """An engagement as a brief shows it: what everyone may see, and the minutes only under R5."""

    engagement: Engagement
    minutes: str | None  # None: not shown (see `refusal`); "" when none were recorded
    refusal: str | None

    @property
    def excerpt(self) -> str:
        text = (self.minutes or "").strip()
        return text if len(text) <= MINUTES_EXCERPT else text[:MINUTES_EXCERPT].rstrip() + " …"


def _minutes_of(session: Session, ids: Sequence[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.execute(select(Engagement.id, Engagement.minutes).where(Engagement.id.in_(ids)))
    return {engagement_id: minutes for engagement_id, minutes in rows}


def with_minutes(session: Session, access: MinutesAccess, engagements: Sequence[Engagement]) -> list[BriefEngagement]:
    """Each engagement with its minutes where R5 allows, in one more query at most."""
    refusals = {e.id: access.refusal(e) for e in engagements}
    minutes = _minutes_of(session, [i for i, refusal in refusals.items() if refusal is None])
    return [BriefEngagement(e, minutes.get(e.id) if refusals[e.id] is None else None, refusals[e.id])
            for e in engagements]  # fmt: skip


def marking_of(engagements: Sequence[BriefEngagement]) -> Clearance:
    """The highest classification of what the brief shows this reader: only minutes are
    classified (subjects, summaries and the fact of a meeting are for everyone, R5)."""
    shown = [b.engagement.classification for b in engagements if b.minutes is not None]
    return max(shown, key=lambda level: level.rank, default=Clearance.UNCLASSIFIED)


@dataclass
class CompanyBrief:
    company: Company
    threads: list[Thread]
    open_threads: int
    engagements: list[BriefEngagement]
    last_contact: datetime | None
    commitments: list[Commitment]
    counts: dict[CommitmentDirection, DirectionCounts]
    follow_ups: list[FollowUp]
    marking: Clearance = Clearance.UNCLASSIFIED
    minutes_shown: list[int] = field(default_factory=list)


def _open_threads(session: Session, company_id: int) -> list[Thread]:
    query = (
        select(Thread)
        .options(joinedload(Thread.next_step_owner), raiseload("*"))
        .join(thread_companies, thread_companies.c.thread_id == Thread.id)
        .where(thread_companies.c.company_id == company_id, Thread.stage.not_in([Stage.CLOSED, Stage.ABANDONED]))
        .order_by(Thread.target_date.is_(None), Thread.target_date, Thread.id)
        .limit(BRIEF_THREADS + 1)
    )
    return list(session.scalars(query))


def latest_engagements(session: Session, company_id: int, *, limit: int = BRIEF_ENGAGEMENTS) -> list[Engagement]:
    """The company's latest engagements, newest first, without their minutes."""
    query = (
        select(Engagement)
        .options(*ENGAGEMENT_LOADS)
        .where(Engagement.company_id == company_id)
        .order_by(Engagement.occurred_at.desc(), Engagement.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def company_brief(session: Session, *, company_id: int, access: MinutesAccess, today: date) -> CompanyBrief | None:
    """Everything the one-page brief on a company shows this reader, or None for no company."""
    company = session.get(Company, company_id)
    if company is None:
        return None
    threads = _open_threads(session, company_id)
    engagements = with_minutes(session, access, latest_engagements(session, company_id))
    commitments = open_commitments_of_company(session, company_id, limit=BRIEF_COMMITMENTS)
    brief = CompanyBrief(
        company=company, threads=threads[:BRIEF_THREADS], open_threads=len(threads),
        engagements=engagements, last_contact=engagements[0].engagement.occurred_at if engagements else None,
        commitments=commitments, counts=company_counts(session, company_id, on=today),
        follow_ups=open_follow_ups_of(session, company_id, limit=BRIEF_FOLLOW_UPS),
    )  # fmt: skip
    brief.marking = marking_of(engagements)
    brief.minutes_shown = [b.engagement.id for b in engagements if b.minutes is not None]
    return brief
