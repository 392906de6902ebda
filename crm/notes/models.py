"""Notes request: a user asks to read the minutes of an engagement, or of every engagement of a
thread; an approval is a time-limited grant (R5, R6)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.accounts.models import User
from crm.db import Base, UTCDateTime, str_enum, utcnow
from crm.engagements.models import Engagement
from crm.threads.models import Thread


class NotesRequestStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"
    EXPIRED = "expired"  # an approved grant past its expiry (set by the scheduler)
    REVOKED = "revoked"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class NotesRequest(Base):
    __tablename__ = "notes_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    requester_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    engagement_id: Mapped[int | None] = mapped_column(ForeignKey("engagements.id"), index=True)
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("threads.id"), index=True)
    justification: Mapped[str] = mapped_column(Text)
    status: Mapped[NotesRequestStatus] = mapped_column(str_enum(NotesRequestStatus), default=NotesRequestStatus.PENDING)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_note: Mapped[str] = mapped_column(String(1000), default="")
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    requester: Mapped[User] = relationship(foreign_keys=[requester_id], lazy="raise")
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id], lazy="raise")
    engagement: Mapped[Engagement | None] = relationship(lazy="raise")
    thread: Mapped[Thread | None] = relationship(lazy="raise")

    __mapper_args__ = {"version_id_col": version}
    # "Does this user hold a live grant for this engagement (or its thread)?" on every read.
    __table_args__ = (
        Index("ix_notes_requests_requester_status", "requester_id", "status", "expires_at"),
        Index("ix_notes_requests_status_created", "status", "created_at", "id"),
    )
