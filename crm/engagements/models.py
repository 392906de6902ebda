"""Engagement: one contact event with a company, its participants, corrections and files."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, ForeignKey, Index, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.accounts.models import Clearance, User
from crm.companies.models import Company
from crm.contacts.models import Contact
from crm.db import Base, UTCDateTime, str_enum, utcnow
from crm.organisations.models import Organisation
from crm.threads.models import Thread


class EngagementKind(StrEnum):
    MEETING = "meeting"
    VIDEO_CALL = "video_call"
    PHONE_CALL = "phone_call"
    EMAIL = "email"
    LETTER = "letter"
    VISIT = "visit"
    CONFERENCE_SIDELINES = "conference_sidelines"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class Direction(StrEnum):
    OUTBOUND = "outbound"  # initiated by the government
    INBOUND = "inbound"  # initiated by the company

    @property
    def label(self) -> str:
        return self.value.capitalize()


engagement_users = Table(
    "engagement_users",
    Base.metadata,
    Column("engagement_id", ForeignKey("engagements.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id"), primary_key=True, index=True),
)
engagement_organisations = Table(
    "engagement_organisations",
    Base.metadata,
    Column("engagement_id", ForeignKey("engagements.id", ondelete="CASCADE"), primary_key=True),
    Column("organisation_id", ForeignKey("organisations.id"), primary_key=True),
)
engagement_contacts = Table(
    "engagement_contacts",
    Base.metadata,
    Column("engagement_id", ForeignKey("engagements.id", ondelete="CASCADE"), primary_key=True),
    Column("contact_id", ForeignKey("contacts.id"), primary_key=True, index=True),
)


class Engagement(Base):
    __tablename__ = "engagements"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[EngagementKind] = mapped_column(str_enum(EngagementKind))
    direction: Mapped[Direction] = mapped_column(str_enum(Direction))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    location: Mapped[str] = mapped_column(String(200), default="")
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"))
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("threads.id"))
    subject: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")  # unclassified abstract
    minutes: Mapped[str] = mapped_column(Text, default="")  # Markdown, shown only under R5
    classification: Mapped[Clearance] = mapped_column(str_enum(Clearance), default=Clearance.RESTRICTED)
    our_ref: Mapped[str] = mapped_column(String(120), default="")
    their_ref: Mapped[str] = mapped_column(String(120), default="")
    diary_no: Mapped[str] = mapped_column(String(120), default="")
    needs_no_response: Mapped[bool] = mapped_column(default=False)
    logged_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    company: Mapped[Company] = relationship(lazy="raise")
    thread: Mapped[Thread | None] = relationship(lazy="raise")
    logged_by: Mapped[User] = relationship(foreign_keys=[logged_by_id], lazy="raise")
    participants: Mapped[list[User]] = relationship(secondary=engagement_users, lazy="raise")
    organisations: Mapped[list[Organisation]] = relationship(secondary=engagement_organisations, lazy="raise")
    contacts: Mapped[list[Contact]] = relationship(secondary=engagement_contacts, lazy="raise")

    __mapper_args__ = {"version_id_col": version}
    # Timelines read newest first per company and per thread: keyset on (occurred_at, id).
    __table_args__ = (
        Index("ix_engagements_company_occurred", "company_id", "occurred_at", "id"),
        Index("ix_engagements_thread_occurred", "thread_id", "occurred_at", "id"),
        Index("ix_engagements_occurred", "occurred_at", "id"),
    )


class EngagementRevision(Base):
    """The previous values of a corrected engagement: corrections never erase."""

    __tablename__ = "engagement_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(ForeignKey("engagements.id", ondelete="CASCADE"), index=True)
    revision: Mapped[int]
    previous: Mapped[dict[str, Any]] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(String(500))
    changed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    changed_by: Mapped[User] = relationship(lazy="raise")


class Attachment(Base):
    """A file kept outside static/, identified by its SHA-256, served only after R5."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int | None] = mapped_column(ForeignKey("engagements.id"), index=True)
    # Evidence of a commitment (issue 4); an attachment belongs to one record.
    commitment_id: Mapped[int | None] = mapped_column(ForeignKey("commitments.id"), index=True)
    # Files of the governance workflows (issue 5): progress reports, data responses, drafts.
    progress_report_id: Mapped[int | None] = mapped_column(ForeignKey("directive_progress.id"), index=True)
    data_response_id: Mapped[int | None] = mapped_column(ForeignKey("data_responses.id"), index=True)
    draft_review_id: Mapped[int | None] = mapped_column(ForeignKey("draft_reviews.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    uploaded_by: Mapped[User] = relationship(lazy="raise")
