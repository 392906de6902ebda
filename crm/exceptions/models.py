"""Channel exception: a report that someone engaged a company outside the single channel."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.accounts.models import User
from crm.companies.models import Company
from crm.db import Base, UTCDateTime, str_enum, utcnow
from crm.organisations.models import Organisation


class ExceptionStatus(StrEnum):
    OPEN = "open"
    REVIEWED = "reviewed"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class ChannelException(Base):
    __tablename__ = "channel_exceptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), index=True)
    who: Mapped[str] = mapped_column(String(300))  # the person or office that engaged
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    occurred_on: Mapped[date]
    what: Mapped[str] = mapped_column(Text)
    status: Mapped[ExceptionStatus] = mapped_column(str_enum(ExceptionStatus), default=ExceptionStatus.OPEN, index=True)
    reported_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    review_note: Mapped[str] = mapped_column(Text, default="")
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    company: Mapped[Company] = relationship(lazy="raise")
    organisation: Mapped[Organisation | None] = relationship(lazy="raise")
    reported_by: Mapped[User] = relationship(foreign_keys=[reported_by_id], lazy="raise")
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id], lazy="raise")

    __mapper_args__ = {"version_id_col": version}
