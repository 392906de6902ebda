"""Reading draft reviews: the filtered list (newest first, keyset on id), the counts the list
shows prominently, one review with its comments and files, and the form's choices.

Loading is decided here (relationships are lazy="raise"), so a page issues the same number of
queries whatever the number of rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from crm.accounts.models import User
from crm.engagements.models import Attachment
from crm.http import MAX_ID
from crm.reviews import policy
from crm.reviews.models import DraftComment, DraftReview, ReviewStatus

PAGE_SIZE = 50
OPEN = (ReviewStatus.RECEIVED, ReviewStatus.UNDER_REVIEW)


def overdue_condition(on: date) -> ColumnElement[bool]:
    """Open (received or under review) and past the input due date."""
    return and_(DraftReview.status.in_(OPEN), DraftReview.input_due < on)


def is_overdue(review: DraftReview, on: date) -> bool:
    """The same as overdue_condition, for one loaded review."""
    return review.status.is_open and review.input_due is not None and review.input_due < on


@dataclass(frozen=True)
class Filters:
    """What the list is narrowed to; None means any. `overdue` is derived from the due date."""

    status: ReviewStatus | None = None
    overdue: bool = False
    organisation_id: int | None = None

    def as_dict(self) -> dict[str, Any]:
        values = {
            "status": "overdue" if self.overdue else (self.status.value if self.status else None),
            "organisation_id": self.organisation_id,
        }
        return {name: value for name, value in values.items() if value is not None}


def list_reviews(
    session: Session, *, filters: Filters, on: date, after: int | None = None, limit: int = PAGE_SIZE
) -> list[DraftReview]:
    """Draft reviews, newest first (keyset on id), with their originating organisation and reviewers."""
    query = select(DraftReview).options(
        joinedload(DraftReview.originating_organisation), selectinload(DraftReview.reviewers)
    )
    if filters.status is not None:
        query = query.where(DraftReview.status == filters.status)
    if filters.overdue:
        query = query.where(overdue_condition(on))
    if filters.organisation_id is not None:
        query = query.where(DraftReview.originating_organisation_id == filters.organisation_id)
    if after is not None:
        query = query.where(DraftReview.id < after)
    return list(session.scalars(query.order_by(DraftReview.id.desc()).limit(limit)))


@dataclass(frozen=True)
class Counts:
    went_forward_without_input: int
    overdue: int
    open: int


def counts(session: Session, *, on: date) -> Counts:
    """How many drafts went forward without the group's input, are overdue, are open: one query."""
    went = func.count().filter(DraftReview.status == ReviewStatus.WENT_FORWARD_WITHOUT_INPUT)
    query = select(went, func.count().filter(overdue_condition(on)), func.count().filter(DraftReview.status.in_(OPEN)))
    row = session.execute(query).one()
    return Counts(int(row[0] or 0), int(row[1] or 0), int(row[2] or 0))


def get_review(session: Session, review_id: int) -> DraftReview | None:
    """One review with its originating organisation and reviewers (and their organisations)."""
    if not 1 <= review_id <= MAX_ID:
        return None
    query = (
        select(DraftReview)
        .options(
            joinedload(DraftReview.originating_organisation),
            selectinload(DraftReview.reviewers).joinedload(User.organisation),
        )
        .where(DraftReview.id == review_id)
        .execution_options(populate_existing=True)
    )
    return session.scalar(query)


def comments_of(session: Session, review_id: int) -> list[DraftComment]:
    """The review's comments, oldest first, with author and organisation."""
    query = (
        select(DraftComment)
        .options(joinedload(DraftComment.author), joinedload(DraftComment.organisation))
        .where(DraftComment.draft_review_id == review_id)
        .order_by(DraftComment.created_at, DraftComment.id)
    )
    return list(session.scalars(query))


def files_of(session: Session, review_id: int) -> list[Attachment]:
    """The draft's files (versions of the document), oldest first, with their uploaders."""
    query = (
        select(Attachment)
        .options(joinedload(Attachment.uploaded_by))
        .where(Attachment.draft_review_id == review_id)
        .order_by(Attachment.uploaded_at, Attachment.id)
    )
    return list(session.scalars(query))


def reviewer_choices(session: Session) -> list[User]:
    """Active people who may review (members, secretariat, chair), with their organisations."""
    query = (
        select(User)
        .options(joinedload(User.organisation))
        .where(User.is_active, User.role.in_(policy.CONTRIBUTOR_ROLES))
        .order_by(User.full_name, User.id)
    )
    return list(session.scalars(query))
