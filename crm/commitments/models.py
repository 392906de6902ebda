"""Commitment: a promise by either side, with its due date, status, evidence and verification."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.accounts.models import User
from crm.companies.models import Company
from crm.db import Base, UTCDateTime, str_enum, utcnow
from crm.engagements.models import Engagement
from crm.organisations.models import Organisation
from crm.threads.models import Thread


class CommitmentDirection(StrEnum):
    COMPANY_TO_GOVERNMENT = "company_to_government"
    GOVERNMENT_TO_COMPANY = "government_to_company"

    @property
    def label(self) -> str:
        return "Company → Government" if self is CommitmentDirection.COMPANY_TO_GOVERNMENT else "Government → Company"


class CommitmentStatus(StrEnum):
    OPEN = "open"
    FULFILLED = "fulfilled"
    PARTIALLY_FULFILLED = "partially_fulfilled"
    BREACHED = "breached"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()

    @property
    def is_closed(self) -> bool:
        return self is not CommitmentStatus.OPEN


class Commitment(Base):
    __tablename__ = "commitments"

    id: Mapped[int] = mapped_column(primary_key=True)
    # active_history: a change loads the old value first, so the tallies (tallies.py) always
    # know which count a commitment leaves, even when the attribute was never read.
    direction: Mapped[CommitmentDirection] = mapped_column(str_enum(CommitmentDirection), active_history=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), active_history=True)
    # Who gave the promise, as named in the record ("Google LLC", "MoIT", "PTA").
    party: Mapped[str] = mapped_column(String(200), default="")
    # For a government → company promise: the organisation that must deliver it.
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    engagement_id: Mapped[int | None] = mapped_column(ForeignKey("engagements.id"), index=True)
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("threads.id"))
    text: Mapped[str] = mapped_column(Text)
    due_date: Mapped[date | None]
    status: Mapped[CommitmentStatus] = mapped_column(
        str_enum(CommitmentStatus), default=CommitmentStatus.OPEN, active_history=True
    )
    status_note: Mapped[str] = mapped_column(String(1000), default="")
    evidence: Mapped[str] = mapped_column(Text, default="")
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    company: Mapped[Company] = relationship(lazy="raise")
    organisation: Mapped[Organisation | None] = relationship(lazy="raise")
    engagement: Mapped[Engagement | None] = relationship(lazy="raise")
    thread: Mapped[Thread | None] = relationship(lazy="raise")
    verified_by: Mapped[User | None] = relationship(foreign_keys=[verified_by_id], lazy="raise")
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id], lazy="raise")

    __mapper_args__ = {"version_id_col": version}
    # The register filters by status and due window; profiles and thread pages by their owner.
    __table_args__ = (
        Index("ix_commitments_status_due", "status", "due_date", "id"),
        # The unfiltered register pages (due date, id) then undated ids (crm.commitments.queries).
        Index("ix_commitments_due", "due_date", "id"),
        # The board's and the profile's overdue counts: one range per company and direction.
        Index("ix_commitments_status_company", "status", "company_id", "direction", "due_date"),
        Index("ix_commitments_company_status_due", "company_id", "status", "due_date"),
        Index("ix_commitments_thread_status_due", "thread_id", "status", "due_date"),
    )

    def is_overdue(self, today: date) -> bool:
        """Overdue is derived, never stored: open and past its due date (Pakistan's today)."""
        return self.status is CommitmentStatus.OPEN and self.due_date is not None and self.due_date < today


class CommitmentTally(Base):
    """How many commitments a company has in one direction and status.

    Derived data, kept in step on every flush by crm.commitments.tallies (never written
    elsewhere), so that the board and the charts count 200,000 commitments by reading a few
    hundred rows. Overdue is not tallied: it changes with the calendar, not with writes.
    """

    __tablename__ = "commitment_tallies"

    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), primary_key=True)
    direction: Mapped[CommitmentDirection] = mapped_column(str_enum(CommitmentDirection), primary_key=True)
    status: Mapped[CommitmentStatus] = mapped_column(str_enum(CommitmentStatus), primary_key=True)
    count: Mapped[int] = mapped_column(default=0)
