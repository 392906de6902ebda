"""The group's own meetings (WG meetings), their decisions, nominations and recommendations.

A decision may become a directive; an action item is a follow-up linked to the meeting.
Nominations (direction 3) and recommendations (direction 2) are decisions of the group with a
path of their own, so they live beside the meetings that make them.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Column, ForeignKey, Index, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.accounts.models import Clearance, User
from crm.db import Base, UTCDateTime, str_enum, utcnow
from crm.organisations.models import Organisation

meeting_attendees = Table(
    "wg_meeting_attendees",
    Base.metadata,
    Column("meeting_id", ForeignKey("wg_meetings.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id"), primary_key=True, index=True),
)
meeting_organisations = Table(
    "wg_meeting_organisations",
    Base.metadata,
    Column("meeting_id", ForeignKey("wg_meetings.id", ondelete="CASCADE"), primary_key=True),
    Column("organisation_id", ForeignKey("organisations.id"), primary_key=True),
)


class WGMeeting(Base):
    __tablename__ = "wg_meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    held_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    location: Mapped[str] = mapped_column(String(200), default="")
    chaired_by: Mapped[str] = mapped_column(String(200), default="")
    agenda: Mapped[str] = mapped_column(Text, default="")  # Markdown
    minutes: Mapped[str] = mapped_column(Text, default="")  # Markdown, shown only under R5
    classification: Mapped[Clearance] = mapped_column(str_enum(Clearance), default=Clearance.RESTRICTED)
    invitees: Mapped[str] = mapped_column(String(1000), default="")  # co-opted guests named as written
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    attendees: Mapped[list[User]] = relationship(secondary=meeting_attendees, lazy="raise")
    organisations: Mapped[list[Organisation]] = relationship(secondary=meeting_organisations, lazy="raise")

    __mapper_args__ = {"version_id_col": version}


class WGDecision(Base):
    __tablename__ = "wg_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("wg_meetings.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    directive_id: Mapped[int | None] = mapped_column(ForeignKey("directives.id"))  # when it became one
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class NominationStatus(StrEnum):
    PROPOSED = "proposed"
    RECOMMENDED = "recommended"  # the group's consensus, sent to the PM
    APPROVED = "approved"  # the PM approved: the designation is recorded
    NOT_APPROVED = "not_approved"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class Nomination(Base):
    """Direction 3: consensus recommendation → the PM's approval reference → the designation."""

    __tablename__ = "nominations"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))  # a DesignationKind value
    nominee_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("wg_meetings.id"))
    consensus_note: Mapped[str] = mapped_column(Text, default="")
    recommended_on: Mapped[date | None]
    status: Mapped[NominationStatus] = mapped_column(str_enum(NominationStatus), default=NominationStatus.PROPOSED)
    approval_ref: Mapped[str] = mapped_column(String(200), default="")
    approved_on: Mapped[date | None]
    designation_id: Mapped[int | None] = mapped_column(ForeignKey("designations.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    nominee: Mapped[User] = relationship(foreign_keys=[nominee_id], lazy="raise")

    __mapper_args__ = {"version_id_col": version}


class RecommendationStatus(StrEnum):
    DRAFT = "draft"
    ROUTED = "routed"  # sent to the competent authority under the Rules of Business
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    RETURNED = "returned"  # sent back for more work

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Recommendation(Base):
    """Direction 2: a recommendation routed to the competent authority, and its decision."""

    __tablename__ = "recommendations"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("wg_meetings.id"))
    authority: Mapped[str] = mapped_column(String(300), default="")  # e.g. "Federal Cabinet"
    authority_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    routed_on: Mapped[date | None]
    routing_ref: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[RecommendationStatus] = mapped_column(
        str_enum(RecommendationStatus), default=RecommendationStatus.DRAFT
    )
    decision: Mapped[str] = mapped_column(Text, default="")
    decided_on: Mapped[date | None]
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (Index("ix_recommendations_status", "status", "id"),)
