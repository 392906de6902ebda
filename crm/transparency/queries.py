"""Reading the meetings a transparency return publishes, and who held the focal-person post."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, defer, joinedload, raiseload, selectinload

from crm.designations.models import Designation, DesignationKind
from crm.engagements.models import Engagement
from crm.formatting import KARACHI
from crm.transparency.policy import MEETING_KINDS, PUBLISHABLE

ROW_LIMIT = 10_000


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=KARACHI).astimezone(UTC)


def _publishable(date_from: date, date_to: date) -> list[Any]:
    return [
        Engagement.classification == PUBLISHABLE,
        Engagement.kind.in_(sorted(MEETING_KINDS)),
        Engagement.occurred_at >= _midnight(date_from),
        Engagement.occurred_at < _midnight(date_to + timedelta(days=1)),
    ]


def count_publishable(session: Session, *, date_from: date, date_to: date) -> int:
    """How many meetings a return for these Pakistan dates (inclusive) publishes."""
    return session.scalar(select(func.count()).select_from(Engagement).where(*_publishable(date_from, date_to))) or 0


def publishable_meetings(
    session: Session, *, date_from: date, date_to: date, limit: int = ROW_LIMIT
) -> list[Engagement]:
    """UNCLASSIFIED meetings between the two Pakistan dates (inclusive), oldest first, with
    their company and government organisations. The minutes are never loaded."""
    query = (
        select(Engagement)
        .options(
            joinedload(Engagement.company),
            selectinload(Engagement.organisations),
            defer(Engagement.minutes, raiseload=True),
            raiseload("*"),
        )  # fmt: skip
        .where(*_publishable(date_from, date_to))
        .order_by(Engagement.occurred_at, Engagement.id)
        .limit(limit)
    )
    return list(session.scalars(query))


@dataclass(frozen=True)
class FocalHistory:
    """Who held the focal-person designation when: answers `holder_at(moment)`."""

    starts: list[datetime]
    spans: list[tuple[datetime, datetime | None, str]]

    def holder_at(self, moment: datetime) -> str | None:
        """The holder's name at `moment`, or None during a vacancy."""
        index = bisect_right(self.starts, moment) - 1
        if index < 0:
            return None
        _start, end, name = self.spans[index]
        return name if end is None or moment < end else None


def focal_history(session: Session) -> FocalHistory:
    """Every focal-person designation (at most one active at a time, R1), in order. One query."""
    query = (
        select(Designation)
        .options(joinedload(Designation.user), raiseload("*"))
        .where(Designation.kind == DesignationKind.FOCAL_PERSON)
        .order_by(Designation.effective_from, Designation.id)
    )
    spans = [(d.effective_from, d.ended_at, d.user.full_name) for d in session.scalars(query)]
    return FocalHistory([start for start, _, _ in spans], spans)
