"""The group's own meetings (WG meetings), their decisions, nominations and recommendations.

A decision may become a directive; an action item is a follow-up linked to the meeting.
Nominations (direction 3) and recommendations (direction 2) are decisions of the group with a
path of their own, so they live beside the meetings that make them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, String, Table, Text
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


# Nominations (direction 3) and recommendations (direction 2) have their own feature package,
# crm/governance (their services build them there); re-exported here where they were first declared.
from crm.governance.models import Nomination as Nomination  # noqa: E402
from crm.governance.models import NominationStatus as NominationStatus  # noqa: E402
from crm.governance.models import Recommendation as Recommendation  # noqa: E402
from crm.governance.models import RecommendationStatus as RecommendationStatus  # noqa: E402
