"""Notification writes: notify a user (exactly once per key), queue e-mail and webhooks, mark read.

Exactly-once comes from the database, not from code: the insert names its unique key and
does nothing when the key exists (`INSERT ... ON CONFLICT DO NOTHING` on both databases), so
a job run twice, or two schedulers racing, leave one notification and one message.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta
from enum import Enum
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from crm.accounts.models import User
from crm.audit.services import Target, record
from crm.db import insert_once, utcnow
from crm.errors import NotFound
from crm.notifications import policy
from crm.notifications.models import (
    Notification,
    NotificationKind,
    OutboxChannel,
    OutboxMessage,
    OutboxStatus,
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
    if notification is None or not policy.can_view(actor, notification):
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


# Webhooks and the outbox's life cycle. The delivery job (crm/notifications/delivery.py) owns
# the transactions and the network; these functions only move a message between states.

KEY_MAX = 250
ERROR_MAX = 1000
# While one sender holds a message (between its claim and its outcome) no other sender takes
# it; if the sender dies, the message is due again when the lease runs out.
CLAIM_LEASE = timedelta(minutes=5)
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=6)


def _json_ready(value: Any) -> Any:
    """Dates, times and enums as JSON text (the payload is stored in a JSON column)."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_ready(v) for v in value]
    return value


def webhook_key(key: str, url: str) -> str:
    """The outbox key of one event for one receiver; ValueError when it would not fit."""
    outbox_key = f"webhook:{hashlib.sha256(url.encode()).hexdigest()[:12]}:{key}"
    if len(outbox_key) > KEY_MAX:
        raise ValueError(f"webhook event key too long ({len(key)} characters)")
    return outbox_key


def queue_webhook_event(
    session: Session, *, event: str, key: str, data: dict[str, Any], now: datetime, urls: list[str]
) -> list[int]:
    """Queue one webhook per receiver in `urls` (WEBHOOK_URLS), once per (key, receiver).

    The payload is `{"event", "key", "occurred_at", "data"}`; `data` must hold ids, dates and
    links only, never classified text (R5). Returns the ids of the messages queued now (a key
    queued before yields nothing, so a job run twice sends each event once).
    """
    payload = {"event": event, "key": key, "occurred_at": now.isoformat(), "data": _json_ready(data)}
    queued = []
    for url in urls:
        message_id = queue_message(
            session, key=webhook_key(key, url), channel=OutboxChannel.WEBHOOK, recipient=url,
            subject=event, payload=payload, now=now,
        )  # fmt: skip
        if message_id is not None:
            queued.append(message_id)
    return queued


def claim_message(
    session: Session, *, message_id: int, now: datetime, max_attempts: int, lease: timedelta = CLAIM_LEASE
) -> OutboxMessage | None:
    """Take a due message for one send attempt: the message, or None if it is not ours to send.

    One conditional UPDATE (still pending, due, attempts left) counts the attempt and pushes
    the message out of reach for `lease`; the database lets only one sender's UPDATE match, so
    two senders never both send it. The caller must commit before sending.
    """
    result = session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.next_attempt_at <= now,
            OutboxMessage.attempts < max_attempts,
        )
        .values(attempts=OutboxMessage.attempts + 1, next_attempt_at=now + lease)
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 0) != 1:
        return None
    return session.get(OutboxMessage, message_id, populate_existing=True)


def record_sent(session: Session, *, message_id: int, now: datetime) -> None:
    """The message was handed over (SMTP accepted it, or the receiver answered 2xx)."""
    _set(session, message_id, status=OutboxStatus.SENT, sent_at=now, last_error="")


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff after the n-th failed attempt: 1, 2, 4... minutes, at most 6 hours."""
    return min(FIRST_RETRY * 2 ** min(max(attempts - 1, 0), 16), LONGEST_RETRY)


def record_failure(
    session: Session, *, message: OutboxMessage, error: str, now: datetime, max_attempts: int
) -> OutboxStatus:
    """A failed attempt: due again after the backoff, or FAILED once `max_attempts` are spent."""
    if message.attempts >= max_attempts:
        return give_up(session, message_id=message.id, error=error)
    _set(session, message.id, next_attempt_at=now + retry_delay(message.attempts), last_error=error[:ERROR_MAX])
    return OutboxStatus.PENDING


def give_up(session: Session, *, message_id: int, error: str) -> OutboxStatus:
    """Never send this message (kept, with the reason, for the admin to see)."""
    _set(session, message_id, status=OutboxStatus.FAILED, last_error=error[:ERROR_MAX])
    return OutboxStatus.FAILED


def give_up_abandoned(session: Session, *, now: datetime, max_attempts: int) -> int:
    """Fail pending messages whose attempts ran out without an outcome (their sender stopped
    mid-send every time, so the lease expired); how many."""
    result = session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.next_attempt_at <= now,
            OutboxMessage.attempts >= max_attempts,
        )
        .values(status=OutboxStatus.FAILED, last_error="The sender stopped during every attempt; gave up.")
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def _set(session: Session, message_id: int, **values: Any) -> None:
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
