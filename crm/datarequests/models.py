"""Data request: the group asks an organisation for data (direction 4); its members answer."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.accounts.models import User
from crm.db import Base, UTCDateTime, str_enum, utcnow
from crm.organisations.models import Organisation


class DataRequestStatus(StrEnum):
    OPEN = "open"
    ANSWERED = "answered"
    CLOSED = "closed"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class DataRequest(Base):
    __tablename__ = "data_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    requested_from_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    details: Mapped[str] = mapped_column(Text, default="")  # what is asked for
    purpose: Mapped[str] = mapped_column(Text, default="")
    due_date: Mapped[date | None]
    status: Mapped[DataRequestStatus] = mapped_column(str_enum(DataRequestStatus), default=DataRequestStatus.OPEN)
    directive_id: Mapped[int | None] = mapped_column(ForeignKey("directives.id"))
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("threads.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    requested_from: Mapped[Organisation] = relationship(lazy="raise")

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (Index("ix_data_requests_status_due", "status", "due_date", "id"),)

    def is_overdue(self, today: date) -> bool:
        return self.status is DataRequestStatus.OPEN and self.due_date is not None and self.due_date < today


class DataResponse(Base):
    __tablename__ = "data_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    data_request_id: Mapped[int] = mapped_column(ForeignKey("data_requests.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    text: Mapped[str] = mapped_column(Text)
    responded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organisation: Mapped[Organisation] = relationship(lazy="raise")
    responded_by: Mapped[User] = relationship(lazy="raise")
