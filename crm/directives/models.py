"""Directive (a PM direction or an NSMCWG decision), its progress reports, and group milestones.

The due date is derived from the timeline as written ("Immediate", "1 month", "Ongoing",
"Upon formation of NSMCWG") by `crm.directives.timeline.derive_due_date`, and stored so the
tracker and the jobs can filter and sort by it.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Column, ForeignKey, Index, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.accounts.models import User
from crm.db import Base, UTCDateTime, str_enum, utcnow
from crm.organisations.models import Organisation


class DirectiveStatus(StrEnum):
    NOT_STARTED = "not_started"
    ON_SCHEDULE = "on_schedule"
    BEHIND_SCHEDULE = "behind_schedule"
    COMPLETED = "completed"
    SUPERSEDED = "superseded"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()

    @property
    def is_open(self) -> bool:
        return self not in (DirectiveStatus.COMPLETED, DirectiveStatus.SUPERSEDED)


class TimelineKind(StrEnum):
    """How the timeline as written resolves to a due date."""

    IMMEDIATE = "immediate"  # due on the letter's date
    PERIOD = "period"  # "1 month", "2 weeks", "15 days" after the letter's date
    ONGOING = "ongoing"  # no due date
    UPON_EVENT = "upon_event"  # due when a milestone is recorded
    NONE = "none"  # no timeline given


class Milestone(StrEnum):
    """Events a timeline may wait for ("Upon formation of NSMCWG")."""

    NSMCWG_FORMED = "nsmcwg_formed"
    FOCAL_PERSON_NOMINATED = "focal_person_nominated"

    @property
    def label(self) -> str:
        return {"nsmcwg_formed": "Formation of the NSMCWG",
                "focal_person_nominated": "Nominations from the NSMCWG"}[self.value]  # fmt: skip


directive_organisations = Table(
    "directive_organisations",
    Base.metadata,
    Column("directive_id", ForeignKey("directives.id", ondelete="CASCADE"), primary_key=True),
    Column("organisation_id", ForeignKey("organisations.id"), primary_key=True, index=True),
)


class Directive(Base):
    __tablename__ = "directives"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_ref: Mapped[str] = mapped_column(String(120))  # "No. 1(1)/AS-II/2021"
    source_date: Mapped[date]
    serial: Mapped[str] = mapped_column(String(10))  # "1".."7", "B"
    text: Mapped[str] = mapped_column(Text)
    timeline_text: Mapped[str] = mapped_column(String(200), default="")  # as written
    timeline_kind: Mapped[TimelineKind] = mapped_column(str_enum(TimelineKind), default=TimelineKind.NONE)
    timeline_event: Mapped[Milestone | None] = mapped_column(str_enum(Milestone))
    due_date: Mapped[date | None]
    action_by_text: Mapped[str] = mapped_column(String(300), default="")  # as written
    status: Mapped[DirectiveStatus] = mapped_column(str_enum(DirectiveStatus), default=DirectiveStatus.NOT_STARTED)
    delay_reason: Mapped[str] = mapped_column(String(2000), default="")
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("directives.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    organisations: Mapped[list[Organisation]] = relationship(secondary=directive_organisations, lazy="raise")

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        UniqueConstraint("source_ref", "serial", name="uq_directives_source_serial"),
        Index("ix_directives_status_due", "status", "due_date", "id"),
    )

    def is_overdue(self, today: date) -> bool:
        return self.status.is_open and self.due_date is not None and self.due_date < today


class ProgressReport(Base):
    __tablename__ = "directive_progress"

    id: Mapped[int] = mapped_column(primary_key=True)
    directive_id: Mapped[int] = mapped_column(ForeignKey("directives.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    reported_on: Mapped[date]
    text: Mapped[str] = mapped_column(Text)
    reported_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organisation: Mapped[Organisation] = relationship(lazy="raise")
    reported_by: Mapped[User] = relationship(lazy="raise")


class MilestoneRecord(Base):
    """When a milestone happened; recording it resolves the due dates waiting for it."""

    __tablename__ = "milestones"

    key: Mapped[Milestone] = mapped_column(str_enum(Milestone), primary_key=True)
    occurred_on: Mapped[date]
    note: Mapped[str] = mapped_column(String(500), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
