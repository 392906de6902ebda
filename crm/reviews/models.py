"""Draft review: a committee's draft policy or rules shared with the group for input (direction 6)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Column, ForeignKey, Index, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.accounts.models import User
from crm.db import Base, UTCDateTime, str_enum, utcnow
from crm.organisations.models import Organisation


class ReviewStatus(StrEnum):
    RECEIVED = "received"
    UNDER_REVIEW = "under_review"
    INPUT_RETURNED = "input_returned"
    # The committee submitted the draft for approval without the group's input.
    WENT_FORWARD_WITHOUT_INPUT = "went_forward_without_input"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()

    @property
    def is_open(self) -> bool:
        return self in (ReviewStatus.RECEIVED, ReviewStatus.UNDER_REVIEW)


draft_reviewers = Table(
    "draft_reviewers",
    Base.metadata,
    Column("draft_review_id", ForeignKey("draft_reviews.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id"), primary_key=True, index=True),
)


class DraftReview(Base):
    __tablename__ = "draft_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    originating_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    committee: Mapped[str] = mapped_column(String(300), default="")
    version_label: Mapped[str] = mapped_column(String(50), default="")
    received_on: Mapped[date]
    input_due: Mapped[date | None]
    status: Mapped[ReviewStatus] = mapped_column(str_enum(ReviewStatus), default=ReviewStatus.RECEIVED)
    consolidated_input: Mapped[str] = mapped_column(Text, default="")
    returned_on: Mapped[date | None]
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    originating_organisation: Mapped[Organisation] = relationship(lazy="raise")
    reviewers: Mapped[list[User]] = relationship(secondary=draft_reviewers, lazy="raise")

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (Index("ix_draft_reviews_status_due", "status", "input_due", "id"),)


class DraftComment(Base):
    __tablename__ = "draft_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_review_id: Mapped[int] = mapped_column(ForeignKey("draft_reviews.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User] = relationship(lazy="raise")
    organisation: Mapped[Organisation] = relationship(lazy="raise")
