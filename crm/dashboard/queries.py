"""The status board's rows: one per company, built from four aggregate queries.

Whatever the number of companies, threads, engagements or commitments, the board issues the
same statements: companies with their last contact (a correlated MAX on the engagements'
(company_id, occurred_at) index), the first open threads of every company (a window
function), open commitments from their tallies with the overdue ones counted from one index
range (crm.commitments.queries.open_and_overdue) and pending engagement requests (GROUP BY
company). Sorting happens here, after the rows are built:
there are about a hundred companies, never a million.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from crm.accounts.models import User
from crm.commitments.models import CommitmentDirection
from crm.commitments.queries import open_and_overdue
from crm.companies.models import Company, Health, Priority
from crm.engagements.models import Engagement
from crm.formatting import local
from crm.requests.models import EngagementRequest, RequestStatus
from crm.threads.models import PIPELINE, Stage, Thread, thread_companies

THREADS_PER_ROW = 3  # the rest are one click away, on the company's profile
CLOSED_STAGES = (Stage.CLOSED, Stage.ABANDONED)
HEALTH_ORDER = {Health.RED: 0, Health.AMBER: 1, Health.GREEN: 2}
PRIORITY_ORDER = {Priority.HIGH: 0, Priority.MEDIUM: 1, Priority.LOW: 2}


@dataclass(frozen=True)
class ThreadLine:
    """An open negotiation as the board shows it: stage, next step and its owner."""

    id: int
    title: str
    stage: Stage
    next_step: str
    owner: str | None
    target_date: date | None

    def is_overdue(self, today: date) -> bool:
        return self.target_date is not None and self.target_date < today


@dataclass
class BoardRow:
    company_id: int
    name: str
    health: Health
    health_reason: str
    priority: Priority
    last_contact: datetime | None
    days_since_contact: int | None
    threads: list[ThreadLine] = field(default_factory=list)
    open_threads: int = 0
    their_open: int = 0  # company → government promises
    their_overdue: int = 0
    our_open: int = 0  # government → company promises
    our_overdue: int = 0
    requests_open: int = 0


def _stage_rank(row: BoardRow) -> int:
    """How far the lead negotiation has gone (stalled first, no negotiation last)."""
    if not row.threads:
        return len(PIPELINE) + 1
    stage = row.threads[0].stage
    return PIPELINE.index(stage) if stage in PIPELINE else -1


def _days(row: BoardRow) -> int:
    return row.days_since_contact if row.days_since_contact is not None else 10**6


# Column key -> (sort key, whether the first click sorts descending).
SORTS: dict[str, tuple[Callable[[BoardRow], Any], bool]] = {
    "company": (lambda r: r.name.lower(), False),
    "health": (lambda r: HEALTH_ORDER[r.health], False),
    "stage": (_stage_rank, False),
    "last_contact": (_days, True),
    "their_open": (lambda r: r.their_open, True),
    "their_overdue": (lambda r: r.their_overdue, True),
    "our_open": (lambda r: r.our_open, True),
    "our_overdue": (lambda r: r.our_overdue, True),
    "requests": (lambda r: r.requests_open, True),
}
DEFAULT_SORT = "health"


@dataclass(frozen=True)
class Sort:
    """The board's order, from the query string (`?sort=last_contact&dir=desc`)."""

    key: str = DEFAULT_SORT
    descending: bool = False

    @classmethod
    def parse(cls, key: str | None, direction: str | None) -> Sort:
        """Unknown keys fall back to the default order; a missing direction to the column's own."""
        if key not in SORTS:
            return cls()
        descending = SORTS[key][1] if direction not in ("asc", "desc") else direction == "desc"
        return cls(key, descending)

    def toggled(self, key: str) -> dict[str, str]:
        """The query string of the column header's link: the other direction if already sorted."""
        if key == self.key:
            return {"sort": key, "dir": "asc" if self.descending else "desc"}
        return {"sort": key, "dir": "desc" if SORTS[key][1] else "asc"}

    def aria(self, key: str) -> str:
        if key != self.key:
            return "none"
        return "descending" if self.descending else "ascending"


def _company_rows(session: Session, today: date) -> dict[int, BoardRow]:
    last = (
        select(func.max(Engagement.occurred_at))
        .where(Engagement.company_id == Company.id)
        .correlate(Company)
        .scalar_subquery()
    )
    query = select(Company.id, Company.name, Company.health, Company.health_reason, Company.priority,
                   last.label("last_contact"))  # fmt: skip
    rows = {}
    for company_id, name, health, reason, priority, last_contact in session.execute(query):
        days = (today - local(last_contact).date()).days if last_contact else None
        rows[company_id] = BoardRow(company_id, name, Health(health), reason, Priority(priority), last_contact, days)
    return rows


def _lead_threads(session: Session) -> list[Any]:
    """The first THREADS_PER_ROW open threads of every company (high priority, soonest target
    first) and each company's number of open threads, in one windowed query."""
    priority = case(PRIORITY_ORDER, value=Thread.priority, else_=3)
    order = (priority, Thread.target_date.is_(None), Thread.target_date, Thread.id)
    company = thread_companies.c.company_id
    ranked = (
        select(
            company.label("company_id"),
            Thread.id,
            Thread.title,
            Thread.stage,
            Thread.next_step,
            Thread.target_date,
            User.full_name.label("owner"),
            func.row_number().over(partition_by=company, order_by=order).label("rank"),
            func.count().over(partition_by=company).label("total"),
        )  # fmt: skip
        .join(thread_companies, thread_companies.c.thread_id == Thread.id)
        .outerjoin(User, User.id == Thread.next_step_owner_id)
        .where(Thread.stage.not_in(CLOSED_STAGES))
        .subquery()
    )
    query = select(ranked).where(ranked.c.rank <= THREADS_PER_ROW).order_by(ranked.c.company_id, ranked.c.rank)
    return list(session.execute(query))


def _request_counts(session: Session) -> list[Any]:
    query = (
        select(EngagementRequest.company_id, func.count())
        .where(EngagementRequest.status == RequestStatus.PENDING)
        .group_by(EngagementRequest.company_id)
    )
    return list(session.execute(query))


def board_rows(session: Session, *, today: date, sort: Sort) -> list[BoardRow]:
    """Every company's row, sorted; four queries whatever the data size.

    `today` is Pakistan's date (overdue and "days ago" are counted in Pakistan's calendar).
    """
    rows = _company_rows(session, today)
    for line in _lead_threads(session):
        row = rows[line.company_id]
        row.open_threads = int(line.total)
        row.threads.append(ThreadLine(line.id, line.title, Stage(line.stage), line.next_step, line.owner,
                                      line.target_date))  # fmt: skip
    for (company_id, direction), counts in open_and_overdue(session, on=today).items():
        row = rows[company_id]
        if direction is CommitmentDirection.COMPANY_TO_GOVERNMENT:
            row.their_open, row.their_overdue = counts.open, counts.overdue
        else:
            row.our_open, row.our_overdue = counts.open, counts.overdue
    for company_id, pending in _request_counts(session):
        rows[company_id].requests_open = int(pending)
    key, _ = SORTS[sort.key]
    by_name = sorted(rows.values(), key=lambda r: r.name.lower())
    return sorted(by_name, key=key, reverse=sort.descending)
