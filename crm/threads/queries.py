"""Reading threads: the board, the list, one thread with its history, timeline and follow-ups.

Every query loads what its page shows (relationships are lazy="raise"), so the number of
queries per page does not grow with the data. Lists are keyset-paginated, never by OFFSET.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, and_, func, nulls_last, or_, select
from sqlalchemy.orm import Session, joinedload, load_only, selectinload

from crm.accounts.models import Role, User
from crm.companies.models import Company, Priority
from crm.engagements.models import Engagement
from crm.followups import queries as followup_queries
from crm.followups.models import FollowUp
from crm.formatting import KARACHI
from crm.http import MAX_ID
from crm.threads.models import Stage, StageChange, Thread, thread_companies
from crm.threads.policy import BOARD_COLUMNS

BOARD_PER_COLUMN = 50
THREAD_FOLLOW_UPS = 10  # the soonest due on the thread page
OWNER_ROLES = (Role.CHAIR, Role.SECRETARIAT, Role.MEMBER)
# The timeline shows that an engagement happened, never its minutes (R5): only these columns.
TIMELINE_COLUMNS = (Engagement.id, Engagement.occurred_at, Engagement.kind, Engagement.direction,
                    Engagement.subject, Engagement.classification, Engagement.company_id)  # fmt: skip


def today() -> date:
    """Today in Pakistan (target dates are Pakistani calendar dates)."""
    return datetime.now(KARACHI).date()


@dataclass(frozen=True)
class ThreadFilters:
    """What a board or list is narrowed to; None means any."""

    stage: Stage | None = None
    company_id: int | None = None
    priority: Priority | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"stage": self.stage, "company_id": self.company_id, "priority": self.priority}


def _filtered(query: Select[Any], filters: ThreadFilters) -> Select[Any]:
    if filters.stage is not None:
        query = query.where(Thread.stage == filters.stage)
    if filters.priority is not None:
        query = query.where(Thread.priority == filters.priority)
    if filters.company_id is not None:
        linked = select(thread_companies.c.thread_id).where(
            thread_companies.c.thread_id == Thread.id, thread_companies.c.company_id == filters.company_id
        )
        query = query.where(linked.exists())
    return query


@dataclass(frozen=True)
class BoardColumn:
    stage: Stage
    threads: list[Thread]
    has_more: bool


def board(session: Session, filters: ThreadFilters, *, per_column: int = BOARD_PER_COLUMN) -> list[BoardColumn]:
    """Every stage as a column (main line in order, then stalled and abandoned), each with
    up to `per_column` threads, nearest target date first; one query plus the companies."""
    rank = func.row_number().over(
        partition_by=Thread.stage, order_by=(nulls_last(Thread.target_date.asc()), Thread.id.asc())
    )
    ranked = _filtered(select(Thread.id, rank.label("rank")), filters).subquery()
    query = (
        select(Thread)
        .join(ranked, ranked.c.id == Thread.id)
        .where(ranked.c.rank <= per_column + 1)
        .options(selectinload(Thread.companies).load_only(Company.id, Company.name))
        .order_by(ranked.c.rank)
    )
    by_stage: dict[Stage, list[Thread]] = {stage: [] for stage in BOARD_COLUMNS}
    for thread in session.scalars(query):
        by_stage[thread.stage].append(thread)
    return [BoardColumn(stage, rows[:per_column], len(rows) > per_column) for stage, rows in by_stage.items()]


def _list_loads() -> Sequence[Any]:
    return (
        selectinload(Thread.companies).load_only(Company.id, Company.name),
        joinedload(Thread.lead_organisation),
        joinedload(Thread.next_step_owner),
    )


def list_threads(
    session: Session, filters: ThreadFilters, *, before_id: int | None = None, after_id: int | None = None,
    limit: int = 50, newest_first: bool = True,
) -> list[Thread]:  # fmt: skip
    """Threads by id (newest first for pages, oldest first for the API), keyset-paginated."""
    query = _filtered(select(Thread), filters).options(*_list_loads()).limit(limit)
    if before_id is not None:
        query = query.where(Thread.id < before_id)
    if after_id is not None:
        query = query.where(Thread.id > after_id)
    return list(session.scalars(query.order_by(Thread.id.desc() if newest_first else Thread.id.asc())))


def export_threads(session: Session, filters: ThreadFilters) -> list[Thread]:
    """Every thread matching the filters, oldest first, for the CSV export."""
    return list(session.scalars(_filtered(select(Thread), filters).options(*_list_loads()).order_by(Thread.id)))


def get_thread(session: Session, thread_id: int) -> Thread | None:
    """One thread with its companies, lead organisation and next-step owner loaded."""
    if not 1 <= thread_id <= MAX_ID:
        return None
    query = select(Thread).options(*_list_loads()).where(Thread.id == thread_id)
    return session.scalar(query)


def stage_history(session: Session, thread_id: int) -> list[StageChange]:
    """Every move of the thread, oldest first, with who made it."""
    query = (
        select(StageChange)
        .options(joinedload(StageChange.changed_by))
        .where(StageChange.thread_id == thread_id)
        .order_by(StageChange.changed_at, StageChange.id)
    )
    return list(session.scalars(query))


def _timeline_anchor(session: Session, thread_id: int, before_id: int | None) -> datetime | None:
    if before_id is None or not 1 <= before_id <= MAX_ID:
        return None
    query = select(Engagement.occurred_at).where(Engagement.id == before_id, Engagement.thread_id == thread_id)
    return session.scalar(query)


def timeline(session: Session, thread_id: int, *, before_id: int | None = None, limit: int = 25) -> list[Engagement]:
    """The thread's engagements, newest first, keyset-paginated on (occurred_at, id).

    Only the columns a timeline shows are loaded: never the minutes. `before_id` is the last
    engagement of the previous page (ignored when it is not of this thread).
    """
    query = (
        select(Engagement)
        .options(load_only(*TIMELINE_COLUMNS), joinedload(Engagement.company).load_only(Company.id, Company.name))
        .where(Engagement.thread_id == thread_id)
        .order_by(Engagement.occurred_at.desc(), Engagement.id.desc())
        .limit(limit)
    )
    anchor = _timeline_anchor(session, thread_id, before_id)
    if anchor is not None and before_id is not None:
        older = or_(Engagement.occurred_at < anchor, and_(Engagement.occurred_at == anchor, Engagement.id < before_id))
        query = query.where(older)
    return list(session.scalars(query))


def open_follow_ups(session: Session, thread_id: int, *, limit: int = THREAD_FOLLOW_UPS) -> list[FollowUp]:
    """The thread's open follow-ups, soonest due first, with their assignees."""
    query = (
        select(FollowUp)
        .options(joinedload(FollowUp.assignee), joinedload(FollowUp.assignee_organisation))
        # Two keyset ranges (dated, then undated) on ix_follow_ups_thread_status_due: sorting
        # undated last read and sorted every follow-up of the thread (thousands on a busy one).
        .where(FollowUp.id.in_(followup_queries.due_ranges([FollowUp.thread_id == thread_id], None, limit)))
        .order_by(FollowUp.due_date.is_(None), FollowUp.due_date, FollowUp.id)
        .limit(limit)
    )
    return list(session.scalars(query))


def company_choices(session: Session) -> list[tuple[int, str]]:
    """(id, name) of every company, by name, for pickers and filters."""
    return [(row.id, row.name) for row in session.execute(select(Company.id, Company.name).order_by(Company.name))]


def owner_choices(session: Session) -> list[tuple[int, str]]:
    """(id, label) of the active users who may own a next step."""
    query = (
        select(User)
        .options(joinedload(User.organisation))
        .where(User.is_active, User.role.in_(OWNER_ROLES))
        .order_by(User.full_name, User.id)
    )
    return [(user.id, f"{user.full_name} ({user.organisation.short_name})") for user in session.scalars(query)]
