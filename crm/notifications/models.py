"""Notification (in-app, one per user and key) and OutboxMessage (e-mail or webhook to send).

The unique keys are what make reminders exactly-once: a job that runs twice, or two
schedulers at once, insert the same key and the database keeps only the first.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from crm.db import Base, UTCDateTime, str_enum, utcnow


class NotificationKind(StrEnum):
    REMINDER = "reminder"
    ESCALATION = "escalation"
    DIGEST = "digest"
    ALERT = "alert"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Notification(Base):
    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(200))
    kind: Mapped[NotificationKind] = mapped_column(str_enum(NotificationKind))
    # Title and body never carry classified text (R5): subjects, dates and a link only.
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        UniqueConstraint("user_id", "key", name="uq_notifications_user_key"),
        # The header's unread count and the centre's newest-first list of unread ones.
        Index("ix_notifications_user_read", "user_id", "read_at", "id"),
        # The centre's newest-first list of all of them (the one above would sort them all).
        Index("ix_notifications_user_id", "user_id", "id"),
    )


class OutboxChannel(StrEnum):
    EMAIL = "email"
    WEBHOOK = "webhook"


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # gave up after the last attempt; kept for the admin to see

    @property
    def label(self) -> str:
        return self.value.capitalize()


class OutboxMessage(Base):
    """A message to send after the commit that created it; retried with backoff until sent."""

    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(250), unique=True)
    channel: Mapped[OutboxChannel] = mapped_column(str_enum(OutboxChannel))
    recipient: Mapped[str] = mapped_column(String(500))  # an e-mail address or a webhook URL
    subject: Mapped[str] = mapped_column(String(300), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    status: Mapped[OutboxStatus] = mapped_column(str_enum(OutboxStatus), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str] = mapped_column(String(1000), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_outbox_messages_status_next", "status", "next_attempt_at"),)
