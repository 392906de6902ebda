"""Reading notes requests and grants, with everything a page shows loaded up front.

`has_live_grant` is the one question R5 asks of this feature on every read of minutes.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ColumnElement, Select, or_, select
from sqlalchemy.orm import Session, defer, joinedload, raiseload

from crm.accounts.models import User
from crm.engagements.models import Engagement
from crm.notes.models import NotesRequest, NotesRequestStatus
from crm.threads.models import Thread

PAGE_SIZE = 50
# A thread grant lists its engagements on the request's page; older ones stay reachable from the thread.
COVERED_LIMIT = 200
LOADS = (
    joinedload(NotesRequest.requester).joinedload(User.organisation),
    joinedload(NotesRequest.decided_by),
    joinedload(NotesRequest.engagement).options(
        joinedload(Engagement.company), defer(Engagement.minutes, raiseload=True)
    ),
    joinedload(NotesRequest.thread),
    raiseload("*"),
)


class Scope(StrEnum):
    """Which requests a list shows."""

    MINE = "mine"  # filed by the viewer
    TO_DECIDE = "to_decide"  # pending, filed by someone else (for the focal person and the chair)
    ALL = "all"

    @property
    def label(self) -> str:
        return {"mine": "My requests", "to_decide": "Awaiting decision", "all": "All"}[self.value]


def _target(engagement_id: int | None, thread_id: int | None) -> ColumnElement[bool]:
    """Requests for this engagement, or for the thread it belongs to."""
    conditions = [NotesRequest.engagement_id == engagement_id] if engagement_id is not None else []
    if thread_id is not None:
        conditions.append(NotesRequest.thread_id == thread_id)
    return or_(*conditions) if conditions else NotesRequest.id.is_(None)


def has_live_grant(
    session: Session, *, user_id: int, engagement_id: int | None, thread_id: int | None, now: datetime
) -> bool:
    """Whether the user holds an approved, unexpired grant for this engagement or its thread.

    Expiry is checked here, not only by the expiry job: a grant past `expires_at` opens
    nothing even before the job flips its status. One indexed query.
    """
    query = select(NotesRequest.id).where(
        NotesRequest.requester_id == user_id,
        NotesRequest.status == NotesRequestStatus.APPROVED,
        NotesRequest.expires_at > now,
        _target(engagement_id, thread_id),
    )
    return session.scalar(query.limit(1)) is not None


def open_request_for(
    session: Session, *, user_id: int, engagement_id: int | None, thread_id: int | None, now: datetime
) -> NotesRequest | None:
    """The user's pending request, or live grant, for exactly this target (to refuse a duplicate)."""
    if engagement_id is not None:
        target = NotesRequest.engagement_id == engagement_id
    else:
        target = NotesRequest.thread_id == thread_id
    pending = NotesRequest.status == NotesRequestStatus.PENDING
    live = (NotesRequest.status == NotesRequestStatus.APPROVED) & (NotesRequest.expires_at > now)
    query = select(NotesRequest).where(NotesRequest.requester_id == user_id, target, or_(pending, live))
    return session.scalar(query.order_by(NotesRequest.id).limit(1))


def get_request(session: Session, request_id: int) -> NotesRequest | None:
    """One request with its requester (and organisation), decider, engagement (and company) and thread."""
    query = select(NotesRequest).options(*LOADS).where(NotesRequest.id == request_id)
    return session.scalar(query.execution_options(populate_existing=True))


def _scoped(query: Select[NotesRequest], scope: Scope, viewer_id: int) -> Select[NotesRequest]:
    if scope is Scope.MINE:
        return query.where(NotesRequest.requester_id == viewer_id)
    if scope is Scope.TO_DECIDE:
        return query.where(NotesRequest.status == NotesRequestStatus.PENDING, NotesRequest.requester_id != viewer_id)
    return query


def list_requests(
    session: Session,
    *,
    scope: Scope,
    viewer_id: int,
    status: NotesRequestStatus | None = None,
    after_id: int | None = None,
    before_id: int | None = None,
    newest_first: bool = False,
    limit: int = PAGE_SIZE,
) -> list[NotesRequest]:
    """Requests in `scope` (the caller decides which scopes a viewer may use), keyset by id."""
    query = select(NotesRequest).options(*LOADS).limit(limit)
    query = _scoped(query, scope, viewer_id)
    query = query.order_by(NotesRequest.id.desc() if newest_first else NotesRequest.id)
    if status is not None:
        query = query.where(NotesRequest.status == status)
    if after_id is not None:
        query = query.where(NotesRequest.id > after_id)
    if before_id is not None:
        query = query.where(NotesRequest.id < before_id)
    return list(session.scalars(query))


def covered_engagements(session: Session, request: NotesRequest) -> list[Engagement]:
    """The engagements a request covers, newest first, with their company (never the minutes)."""
    query = select(Engagement).options(
        joinedload(Engagement.company), defer(Engagement.minutes, raiseload=True), raiseload("*")
    )
    if request.engagement_id is not None:
        query = query.where(Engagement.id == request.engagement_id)
    else:
        query = query.where(Engagement.thread_id == request.thread_id)
    query = query.order_by(Engagement.occurred_at.desc(), Engagement.id.desc()).limit(COVERED_LIMIT)
    return list(session.scalars(query))


def engagement_for_request(session: Session, engagement_id: int) -> Engagement | None:
    """An engagement as the request form describes it (company loaded, never the minutes)."""
    query = select(Engagement).options(
        joinedload(Engagement.company), defer(Engagement.minutes, raiseload=True), raiseload("*")
    )
    return session.scalar(query.where(Engagement.id == engagement_id))


def get_thread(session: Session, thread_id: int) -> Thread | None:
    """A thread (its title), for the request form."""
    return session.get(Thread, thread_id)


def engagement_with_people(session: Session, engagement_id: int) -> Engagement | None:
    """An engagement for its PDF copy: company and thread loaded."""
    query = select(Engagement).options(joinedload(Engagement.company), joinedload(Engagement.thread))
    return session.scalar(query.where(Engagement.id == engagement_id))


def live_grant_targets(session: Session, *, user_id: int, now: datetime) -> tuple[set[int], set[int]]:
    """The engagement ids and thread ids the user holds a live grant for (has_live_grant for
    many engagements at once: briefs and exports ask once, not once per engagement)."""
    query = select(NotesRequest.engagement_id, NotesRequest.thread_id).where(
        NotesRequest.requester_id == user_id,
        NotesRequest.status == NotesRequestStatus.APPROVED,
        NotesRequest.expires_at > now,
    )
    engagements: set[int] = set()
    threads: set[int] = set()
    for engagement_id, thread_id in session.execute(query):
        if engagement_id is not None:
            engagements.add(engagement_id)
        if thread_id is not None:
            threads.add(thread_id)
    return engagements, threads
