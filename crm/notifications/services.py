"""Notification writes: notify a user (exactly once per key), queue e-mail and webhooks, mark read.

Exactly-once comes from the database, not from code: the insert names its unique key and
does nothing when the key exists (`INSERT ... ON CONFLICT DO NOTHING` on both databases), so
a job run twice, or two schedulers racing, leave one notification and one message.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from crm.accounts.models import User
from crm.audit.services import Target, record
from crm.db import insert_once, utcnow
from crm.errors import NotFound
from crm.notifications.models import (
    Notification,
    NotificationKind,
    OutboxChannel,
    OutboxMessage,
)

TITLE_MAX = 300


def notify(
    session: Session,
    *,
    user: User,
    key: str,
    kind: NotificationKind,
    title: str,
    link: str = "",
    body: str = "",
    email: bool = False,
    now: datetime | None = None,
) -> int | None:
    """Notify `user` once for `key`: the new notification's id, or None if it was sent before.

    With `email` and an address on the user, an e-mail is queued in the same transaction (sent
    after the commit by the outbox job). Title and body must hold no classified text (R5).
    """
    now = now or utcnow()
    notification_id = insert_once(
        session,
        Notification.__table__,  # type: ignore[arg-type]
        {"user_id": user.id, "key": key, "kind": kind.value, "title": title[:TITLE_MAX], "body": body,
         "link": link, "created_at": now},
        ["user_id", "key"],
    )  # fmt: skip
    if notification_id is not None and email and user.email:
        queue_message(
            session, key=f"email:{user.id}:{key}", channel=OutboxChannel.EMAIL, recipient=user.email,
            subject=title, body=email_body(title, body, link), now=now,
        )  # fmt: skip
    return notification_id


def email_body(title: str, body: str, link: str) -> str:
    """Plain text: the title, the unclassified body and the link; never minutes (R5)."""
    parts = [title, "", body] if body else [title]
    if link:
        parts += ["", f"Open in Rabta: {link}"]
    parts += ["", "— Rabta, NSMCWG engagement record. This message carries no classified text."]
    return "\n".join(parts)


def queue_message(
    session: Session,
    *,
    key: str,
    channel: OutboxChannel,
    recipient: str,
    subject: str = "",
    body: str = "",
    payload: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> int | None:
    """Queue an e-mail or webhook to send after the commit, once per key; its id or None."""
    now = now or utcnow()
    return insert_once(
        session,
        OutboxMessage.__table__,  # type: ignore[arg-type]
        {"key": key, "channel": channel.value, "recipient": recipient, "subject": subject[:TITLE_MAX],
         "body": body, "payload": payload, "status": "pending", "attempts": 0, "next_attempt_at": now,
         "last_error": "", "created_at": now},
        ["key"],
    )  # fmt: skip


def mark_read(session: Session, *, actor: User, notification_id: int) -> Notification:
    """Mark one of the actor's notifications read. Raises NotFound for anyone else's."""
    notification = session.get(Notification, notification_id)
    if notification is None or notification.user_id != actor.id:
        raise NotFound("There is no such notification.")
    if notification.read_at is None:
        notification.read_at = utcnow()
        session.flush()
        record(session, actor=actor, action="notification.read", target=Target.of(notification))
    return notification


def mark_all_read(session: Session, *, actor: User) -> int:
    """Mark every unread notification of the actor read; how many were."""
    result = session.execute(
        update(Notification)
        .where(Notification.user_id == actor.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    count = int(getattr(result, "rowcount", 0) or 0)
    if count:
        record(session, actor=actor, action="notification.read_all", target=Target("users", str(actor.id)),
               after={"count": count})  # fmt: skip
    return count
