"""Statement: a public statement on engagement with the companies; issuing is restricted (R3)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.accounts.models import User
from crm.companies.models import Company
from crm.db import Base, UTCDateTime, str_enum, utcnow
from crm.threads.models import Thread


class StatementChannel(StrEnum):
    PRESS_RELEASE = "press_release"
    PRESS_CONFERENCE = "press_conference"
    SOCIAL_MEDIA = "social_media"
    INTERVIEW = "interview"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class StatementStatus(StrEnum):
    DRAFT = "draft"
    ISSUED = "issued"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Statement(Base):
    __tablename__ = "statements"

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    channel: Mapped[StatementChannel] = mapped_column(str_enum(StatementChannel))
    status: Mapped[StatementStatus] = mapped_column(str_enum(StatementStatus), default=StatementStatus.DRAFT)
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id"), index=True)
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("threads.id"), index=True)
    drafted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    company: Mapped[Company | None] = relationship(lazy="raise")
    thread: Mapped[Thread | None] = relationship(lazy="raise")
    drafted_by: Mapped[User] = relationship(foreign_keys=[drafted_by_id], lazy="raise")
    issued_by: Mapped[User | None] = relationship(foreign_keys=[issued_by_id], lazy="raise")

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (Index("ix_statements_status_created", "status", "created_at", "id"),)
