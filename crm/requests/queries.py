"""Reading engagement requests, with everything a page shows loaded up front."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, joinedload

from crm.accounts.models import User
from crm.companies.models import Company
from crm.followups.models import FollowUp
from crm.requests.models import EngagementRequest, RequestStatus
from crm.threads.models import Thread, thread_companies

LOADS = (
    joinedload(EngagementRequest.company),
    joinedload(EngagementRequest.organisation),
    joinedload(EngagementRequest.requested_by).joinedload(User.organisation),
    joinedload(EngagementRequest.decided_by),
)
THREAD_CHOICES_LIMIT = 200


class Scope(StrEnum):
    """Which requests a list shows."""

    MINE = "mine"  # filed by the viewer
    TO_DECIDE = "to_decide"  # pending, filed by someone else (for the focal person and the chair)
    ALL = "all"

    @property
    def label(self) -> str:
        return {"mine": "Mine", "to_decide": "To decide", "all": "All"}[self.value]


def get_request(session: Session, request_id: int) -> EngagementRequest | None:
    """One request with its company, organisation, requester and decider loaded."""
    return session.scalar(select(EngagementRequest).options(*LOADS).where(EngagementRequest.id == request_id))


def _scoped(query: Select[EngagementRequest], scope: Scope, viewer_id: int) -> Select[EngagementRequest]:
    if scope is Scope.MINE:
        return query.where(EngagementRequest.requested_by_id == viewer_id)
    if scope is Scope.TO_DECIDE:
        return query.where(
            EngagementRequest.status == RequestStatus.PENDING, EngagementRequest.requested_by_id != viewer_id
        )
    return query


def list_requests(
    session: Session,
    *,
    scope: Scope,
    viewer_id: int,
    status: RequestStatus | None = None,
    after_id: int | None = None,
    before_id: int | None = None,
    newest_first: bool = False,
    limit: int = 50,
) -> list[EngagementRequest]:
    """Requests in `scope` (the caller decides which scopes a viewer may use), keyset by id."""
    query = select(EngagementRequest).options(*LOADS).limit(limit)
    query = _scoped(query, scope, viewer_id)
    query = query.order_by(EngagementRequest.id.desc() if newest_first else EngagementRequest.id)
    if status is not None:
        query = query.where(EngagementRequest.status == status)
    if after_id is not None:
        query = query.where(EngagementRequest.id > after_id)
    if before_id is not None:
        query = query.where(EngagementRequest.id < before_id)
    return list(session.scalars(query))


def thread_title(session: Session, thread_id: int | None) -> str | None:
    """The title of a thread, for a request's detail page (threads are linked by id only)."""
    return None if thread_id is None else session.scalar(select(Thread.title).where(Thread.id == thread_id))


def company_choices(session: Session) -> list[tuple[int, str]]:
    """(id, name) of every company, by name: the register is small (a hundred or so)."""
    return [(row.id, row.name) for row in session.execute(select(Company.id, Company.name).order_by(Company.name))]


def thread_choices(session: Session, *, company_id: int | None) -> list[tuple[int, str]]:
    """(id, title) of the company's threads by title, or of all threads (capped) when no company is given."""
    query = select(Thread.id, Thread.title).order_by(Thread.title, Thread.id).limit(THREAD_CHOICES_LIMIT)
    if company_id is not None:
        query = query.join(thread_companies, thread_companies.c.thread_id == Thread.id).where(
            thread_companies.c.company_id == company_id
        )
    return [(row.id, row.title) for row in session.execute(query)]


def follow_up_of(session: Session, request: EngagementRequest) -> FollowUp | None:
    """The follow-up an accepted request became, with its assignee loaded."""
    if request.follow_up_id is None:
        return None
    return session.scalar(
        select(FollowUp).options(joinedload(FollowUp.assignee)).where(FollowUp.id == request.follow_up_id)
    )
