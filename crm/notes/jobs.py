"""Scheduled work on notes grants (R6): expiry, and a reminder before it.

`expire_grants` flips approved grants past their expiry to expired (audited by the system)
and tells each requester once (key `grant-expired:{id}`); a grant due to end within
REMINDER_DAYS gets one reminder (key `grant-expiring:{id}`). Notifications carry the request
number and dates only, never the engagement's subject or minutes (R5). The read check does
not depend on this job: a grant past `expires_at` opens nothing even before it runs.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.accounts.models import User
from crm.formatting import format_datetime
from crm.notes.models import NotesRequest, NotesRequestStatus
from crm.notes.services import expire_lapsed_grants
from crm.notifications.models import NotificationKind
from crm.notifications.services import notify
from crm.scheduler import jobkit

REMINDER_DAYS = 3


def _users(session: Session, ids: set[int]) -> dict[int, User]:
    if not ids:
        return {}
    return {user.id: user for user in session.scalars(select(User).where(User.id.in_(ids), User.is_active))}


def _link(request_id: int) -> str:
    return jobkit.public_link("notes.detail", "notes.index", request_id=request_id)


def _expiring(session: Session, now: datetime) -> list[NotesRequest]:
    query = select(NotesRequest).where(
        NotesRequest.status == NotesRequestStatus.APPROVED,
        NotesRequest.expires_at > now,
        NotesRequest.expires_at <= now + timedelta(days=REMINDER_DAYS),
    )
    return list(session.scalars(query.order_by(NotesRequest.id)))


def expire_grants(session: Session, now: datetime) -> str:
    """Expire lapsed notes grants (and tell their requesters once); remind those ending soon."""
    lapsed, expiring = expire_lapsed_grants(session, now=now), _expiring(session, now)
    people = _users(session, {r.requester_id for r in [*lapsed, *expiring]})
    email, told, reminded = jobkit.send_email(), 0, 0
    for request in lapsed:
        user = people.get(request.requester_id)
        told += user is not None and notify(
            session, user=user, key=f"grant-expired:{request.id}", kind=NotificationKind.ALERT,
            title=f"Your access to the minutes of notes request #{request.id} has expired",
            body="File a new notes request if you still need to read them.", link=_link(request.id),
            email=email, now=now,
        ) is not None  # fmt: skip
    for request in expiring:
        user = people.get(request.requester_id)
        reminded += user is not None and notify(
            session, user=user, key=f"grant-expiring:{request.id}", kind=NotificationKind.REMINDER,
            title=f"Your access to the minutes of notes request #{request.id} ends "
            f"{format_datetime(request.expires_at)}",
            link=_link(request.id), email=email, now=now,
        ) is not None  # fmt: skip
    return f"{len(lapsed)} grant(s) expired ({told} told); {reminded} reminder(s) for grants ending soon"
