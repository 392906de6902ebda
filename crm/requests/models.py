"""Engagement request: a member asks the focal person to raise a matter with a company."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.accounts.models import User
from crm.companies.models import Company
from crm.db import Base, UTCDateTime, str_enum, utcnow
from crm.organisations.models import Organisation


class Urgency(StrEnum):
    ROUTINE = "routine"
    SOON = "soon"
    URGENT = "urgent"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class RequestStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class EngagementRequest(Base):
    __tablename__ = "engagement_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), index=True)
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("threads.id"))
    purpose: Mapped[str] = mapped_column(Text)
    urgency: Mapped[Urgency] = mapped_column(str_enum(Urgency), default=Urgency.ROUTINE)
    status: Mapped[RequestStatus] = mapped_column(str_enum(RequestStatus), default=RequestStatus.PENDING, index=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decline_reason: Mapped[str] = mapped_column(String(1000), default="")
    follow_up_id: Mapped[int | None] = mapped_column(ForeignKey("follow_ups.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    company: Mapped[Company] = relationship(lazy="raise")
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id], lazy="raise")
    organisation: Mapped[Organisation] = relationship(lazy="raise")
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id], lazy="raise")

    __mapper_args__ = {"version_id_col": version}
