"""Thread: a negotiation or matter with one or more companies, moving through stages."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.accounts.models import User
from crm.companies.models import Company, Priority
from crm.db import Base, UTCDateTime, str_enum, utcnow
from crm.organisations.models import Organisation


class Stage(StrEnum):
    IDENTIFIED = "identified"
    OUTREACH = "outreach"
    NEGOTIATING = "negotiating"
    AGREEMENT_IN_PRINCIPLE = "agreement_in_principle"
    CONCLUDED = "concluded"
    IMPLEMENTING = "implementing"
    CLOSED = "closed"
    STALLED = "stalled"
    ABANDONED = "abandoned"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()

    @property
    def is_open(self) -> bool:
        return self not in (Stage.CLOSED, Stage.ABANDONED)


# The main line of the pipeline, in order; stalled and abandoned sit beside it.
PIPELINE = (
    Stage.IDENTIFIED,
    Stage.OUTREACH,
    Stage.NEGOTIATING,
    Stage.AGREEMENT_IN_PRINCIPLE,
    Stage.CONCLUDED,
    Stage.IMPLEMENTING,
    Stage.CLOSED,
)

thread_companies = Table(
    "thread_companies",
    Base.metadata,
    Column("thread_id", ForeignKey("threads.id", ondelete="CASCADE"), primary_key=True),
    Column("company_id", ForeignKey("companies.id"), primary_key=True, index=True),
)


class Thread(Base):
    __tablename__ = "threads"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    objective: Mapped[str] = mapped_column(Text, default="")
    our_ask: Mapped[str] = mapped_column(Text, default="")
    their_position: Mapped[str] = mapped_column(Text, default="")
    stage: Mapped[Stage] = mapped_column(str_enum(Stage), default=Stage.IDENTIFIED, index=True)
    priority: Mapped[Priority] = mapped_column(str_enum(Priority), default=Priority.MEDIUM)
    lead_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    target_date: Mapped[date | None]
    next_step: Mapped[str] = mapped_column(String(500), default="")
    next_step_owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    companies: Mapped[list[Company]] = relationship(secondary=thread_companies, lazy="raise", order_by=Company.name)
    lead_organisation: Mapped[Organisation | None] = relationship(lazy="raise")
    next_step_owner: Mapped[User | None] = relationship(foreign_keys=[next_step_owner_id], lazy="raise")

    __mapper_args__ = {"version_id_col": version}


class StageChange(Base):
    """One move of a thread from a stage to another: who, when and why."""

    __tablename__ = "thread_stage_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"), index=True)
    from_stage: Mapped[Stage | None] = mapped_column(str_enum(Stage))
    to_stage: Mapped[Stage] = mapped_column(str_enum(Stage))
    note: Mapped[str] = mapped_column(String(500), default="")
    changed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    changed_by: Mapped[User] = relationship(lazy="raise")
