"""Follow-up: an action item owned by a user or an organisation, with a due date."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.accounts.models import User
from crm.db import Base, UTCDateTime, str_enum, utcnow
from crm.organisations.models import Organisation


class FollowUpStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class FollowUpPriority(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class FollowUp(Base):
    __tablename__ = "follow_ups"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    details: Mapped[str] = mapped_column(Text, default="")
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    assignee_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    due_date: Mapped[date | None]
    status: Mapped[FollowUpStatus] = mapped_column(str_enum(FollowUpStatus), default=FollowUpStatus.OPEN)
    priority: Mapped[FollowUpPriority] = mapped_column(str_enum(FollowUpPriority), default=FollowUpPriority.MEDIUM)
    # An action towards a company: it belongs to whoever holds the focal-person designation (R1).
    is_outbound_action: Mapped[bool] = mapped_column(default=False)
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id"), index=True)
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("threads.id"))
    engagement_id: Mapped[int | None] = mapped_column(ForeignKey("engagements.id"), index=True)
    commitment_id: Mapped[int | None] = mapped_column(ForeignKey("commitments.id"), index=True)
    directive_id: Mapped[int | None] = mapped_column(ForeignKey("directives.id"), index=True)
    data_request_id: Mapped[int | None] = mapped_column(ForeignKey("data_requests.id"), index=True)
    # An action item of a WG meeting (issue 5).
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("wg_meetings.id"), index=True)
    completion_note: Mapped[str] = mapped_column(Text, default="")
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id], lazy="raise")
    assignee_organisation: Mapped[Organisation | None] = relationship(lazy="raise")

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        Index("ix_follow_ups_assignee_status_due", "assignee_id", "status", "due_date"),
        # The API's "?assignee=me" reads the user's follow-ups in id order.
        Index("ix_follow_ups_assignee_id", "assignee_id", "id"),
        # A company profile's open follow-ups, soonest due first.
        Index("ix_follow_ups_company_status_due", "company_id", "status", "due_date", "id"),
        # A thread page's open follow-ups, soonest due first (and the thread's links).
        Index("ix_follow_ups_thread_status_due", "thread_id", "status", "due_date", "id"),
        # The reminder and escalation jobs scan open follow-ups by due date.
        Index("ix_follow_ups_status_due", "status", "due_date", "id"),
    )
