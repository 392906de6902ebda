"""Reading notifications (the centre, the header's count, the API) and the outbox's due messages."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm.notifications.models import Notification, OutboxChannel, OutboxMessage, OutboxStatus

UNREAD_COUNTED = 100  # the header says "99+" beyond: every page shows the count


def unread_count(session: Session, user_id: int) -> int:
    """How many of the user's notifications are unread, counted up to UNREAD_COUNTED: one
    query on (user_id, read_at) that stops there, so a backlog of thousands costs no more."""
    unread = (
        select(Notification.id)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .limit(UNREAD_COUNTED)
        .subquery()
    )
    return session.scalar(select(func.count()).select_from(unread)) or 0


def list_for_user(
    session: Session, *, user_id: int, unread_only: bool = False, before_id: int | None = None, limit: int = 50
) -> list[Notification]:
    """The user's notifications, newest first, keyset-paginated by id (`before_id` = the last
    id of the previous page); only unread ones with `unread_only`."""
    query = select(Notification).where(Notification.user_id == user_id).order_by(Notification.id.desc()).limit(limit)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    if before_id is not None:
        query = query.where(Notification.id < before_id)
    return list(session.scalars(query))


def get_for_user(session: Session, *, user_id: int, notification_id: int) -> Notification | None:
    """One notification if it is the user's; None otherwise (so ids reveal nothing)."""
    query = select(Notification).where(Notification.id == notification_id, Notification.user_id == user_id)
    return session.scalar(query)


def due_outbox_ids(session: Session, *, now: datetime, channels: Collection[OutboxChannel], limit: int) -> list[int]:
    """Ids of pending messages due by `now` on these channels, the longest-waiting first."""
    query = (
        select(OutboxMessage.id)
        .where(
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.next_attempt_at <= now,
            OutboxMessage.channel.in_(list(channels)),
        )
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    )
    return list(session.scalars(query))


def count_pending(session: Session, *, channel: OutboxChannel) -> int:
    """Pending messages on a channel (e.g. e-mails waiting for SMTP to be configured)."""
    query = select(func.count()).where(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.channel == channel)
    return session.scalar(query) or 0
