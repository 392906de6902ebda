"""Nominations (direction 3) and recommendations (direction 2): decisions of the group with a
path of their own. They may record the WG meeting that made them (crm/meetings).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.accounts.models import User
from crm.db import Base, UTCDateTime, str_enum, utcnow


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
