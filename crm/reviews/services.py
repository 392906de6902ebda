"""Draft review writes: submitting a draft, editing it, comments, consolidated input, status,
and the draft's files.

Every write checks crm/reviews/policy.py, flushes and appends one audit event in the caller's
transaction; a refusal raises before anything is written (R7). Edits and status changes carry
the version the user saw: a stale one is a Conflict.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from crm.accounts.models import User
from crm.audit.services import Target, record, snapshot
from crm.db import utcnow
from crm.engagements.models import Attachment
from crm.engagements.services import build_record_attachment
from crm.errors import Conflict, Forbidden, Invalid, NotFound
from crm.formatting import local
from crm.http import MAX_ID
from crm.organisations.models import Organisation
from crm.reviews import policy
from crm.reviews.models import DraftComment, DraftReview, ReviewStatus
from crm.storage import StoredFile
from crm.validation import FieldErrors, length_errors, merge

COMMENT_MAX = 10_000
INPUT_MAX = 50_000
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)
FIELDS = ("title", "originating_organisation_id", "committee", "version_label", "received_on", "input_due",
          "status", "returned_on")  # fmt: skip
CONFLICT = "This draft review was changed by someone else meanwhile. Check the current record, then save again."
NOT_FOUND = "There is no such draft review."


@dataclass
class ReviewInput:
    """The particulars of a draft shared with the group (page and API alike)."""

    title: str
    originating_organisation_id: int
    received_on: date
    committee: str = ""
    version_label: str = ""
    input_due: date | None = None
    reviewer_ids: list[int] = field(default_factory=list)

    def cleaned(self) -> ReviewInput:
        return ReviewInput(
            title=self.title.strip(), originating_organisation_id=self.originating_organisation_id,
            received_on=self.received_on, committee=self.committee.strip(), version_label=self.version_label.strip(),
            input_due=self.input_due, reviewer_ids=sorted(set(self.reviewer_ids)),
        )  # fmt: skip


def today() -> date:
    """Pakistan's today: received, due and returned dates are Pakistani calendar dates."""
    return local(utcnow()).date()


def _refuse(code: str) -> Forbidden:
    return Forbidden(policy.REFUSAL_MESSAGES[code], code=code)


def _in_range(record_id: int | None) -> bool:
    return record_id is not None and 1 <= record_id <= MAX_ID


def _reviewer_errors(session: Session, ids: list[int]) -> FieldErrors:
    if not ids:
        return {}
    users = list(session.scalars(select(User).where(User.id.in_(ids)))) if all(map(_in_range, ids)) else []
    usable = [u for u in users if u.is_active and u.role in policy.CONTRIBUTOR_ROLES]
    if len(usable) != len(ids):
        return {"reviewer_ids": ["Choose reviewers among the active members, secretariat and chair."]}
    return {}


def _date_errors(data: ReviewInput) -> FieldErrors:
    errors: FieldErrors = {}
    if not EARLIEST <= data.received_on <= today():
        errors["received_on"] = ["Give the date the draft was received: not in the future, not before 2000."]
    if data.input_due is not None and not EARLIEST <= data.input_due <= LATEST:
        errors["input_due"] = ["Check the due date: it is not between 2000 and 2100."]
    elif data.input_due is not None and data.input_due < data.received_on:
        errors["input_due"] = ["The input cannot be due before the draft was received."]
    return errors


def _validate(session: Session, data: ReviewInput) -> FieldErrors:
    errors = length_errors(DraftReview, {"title": data.title, "committee": data.committee,
                                         "version_label": data.version_label})  # fmt: skip
    if not data.title:
        errors["title"] = ["Give the draft's title."]
    organisation_id = data.originating_organisation_id
    if not _in_range(organisation_id) or session.get(Organisation, organisation_id) is None:
        errors["originating_organisation_id"] = ["Choose the originating organisation from the list."]
    return merge(errors, _date_errors(data), _reviewer_errors(session, data.reviewer_ids))


def _apply(session: Session, review: DraftReview, data: ReviewInput) -> None:
    # Load first: a query after the changes would autoflush them as a separate UPDATE (version + 2).
    reviewers = list(session.scalars(select(User).where(User.id.in_(data.reviewer_ids))))
    for name in ("title", "originating_organisation_id", "committee", "version_label", "received_on", "input_due"):
        setattr(review, name, getattr(data, name))
    review.reviewers = reviewers


def _state(review: DraftReview) -> dict[str, object]:
    return {**snapshot(review, *FIELDS), "reviewer_ids": sorted(u.id for u in review.reviewers)}


def submit_draft_review(session: Session, *, actor: User, data: ReviewInput) -> DraftReview:
    """Register a draft received for the group's input (status: received).

    Raises Forbidden (not_permitted: observers, admins) before anything is written, or Invalid
    with field errors (title, organisation, dates, reviewers).
    """
    refusal = policy.submit_refusal(actor)
    if refusal:
        raise _refuse(refusal)
    data = data.cleaned()
    errors = _validate(session, data)
    if errors:
        raise Invalid("The draft was not registered: please correct the fields shown.", fields=errors)
    review = DraftReview(status=ReviewStatus.RECEIVED, created_by_id=actor.id, reviewers=[])
    _apply(session, review, data)
    session.add(review)
    session.flush()
    record(session, actor=actor, action="draft_review.submit", target=Target.of(review), after=_state(review))
    return review


def _get(session: Session, review_id: int, *, version: int | None = None, lock: bool = False) -> DraftReview:
    review = (
        session.get(
            DraftReview,
            review_id,
            options=[selectinload(DraftReview.reviewers)],
            populate_existing=True,
            with_for_update=lock,
        )  # fmt: skip
        if _in_range(review_id)
        else None
    )
    if review is None:
        raise NotFound(NOT_FOUND)
    if version is not None and version != review.version:
        raise Conflict(CONFLICT)
    return review


def _flush(session: Session) -> None:
    try:
        session.flush()
    except StaleDataError:  # changed by another transaction between our read and our write
        raise Conflict(CONFLICT) from None


def update_draft_review(
    session: Session, *, actor: User, review_id: int, version: int | None, data: ReviewInput
) -> DraftReview:
    """Edit the particulars (title, origin, version label, dates, reviewers).

    Raises NotFound, Forbidden (not_permitted; review_closed for a submitter once closed),
    Conflict (stale version), Invalid. Audited with before and after.
    """
    review = _get(session, review_id)
    refusal = policy.edit_refusal(actor, review)
    if refusal:
        raise _refuse(refusal)
    if version is not None and version != review.version:
        raise Conflict(CONFLICT)
    data = data.cleaned()
    errors = _validate(session, data)
    if errors:
        raise Invalid("The draft review was not saved: please correct the fields shown.", fields=errors)
    before = _state(review)
    _apply(session, review, data)
    _touch(review)
    _flush(session)
    record(session, actor=actor, action="draft_review.update", target=Target.of(review), before=before,
           after=_state(review))  # fmt: skip
    return review


def _touch(review: DraftReview) -> None:
    """Force an UPDATE of the row, so the version moves even when only the reviewers changed."""
    flag_modified(review, "title")


def add_draft_comment(session: Session, *, actor: User, review_id: int, text: str) -> DraftComment:
    """A member's comment on the draft, signed with their organisation.

    The first comment moves a received draft to "under review". Raises NotFound, Forbidden
    (not_permitted, review_closed) or Invalid (empty or too long); nothing is written then.
    """
    review = _get(session, review_id)
    refusal = policy.comment_refusal(actor, review)
    if refusal:
        raise _refuse(refusal)
    text = text.strip()
    if not text or len(text) > COMMENT_MAX:
        message = "Write your comment." if not text else f"Use at most {COMMENT_MAX} characters."
        raise Invalid("The comment was not added.", fields={"text": [message]})
    comment = DraftComment(draft_review_id=review.id, author_id=actor.id, organisation_id=actor.organisation_id,
                           text=text)  # fmt: skip
    session.add(comment)
    if review.status is ReviewStatus.RECEIVED:
        review.status = ReviewStatus.UNDER_REVIEW
    _flush(session)
    record(session, actor=actor, action="draft_review.comment", target=Target.of(comment),
           after={**snapshot(comment, "draft_review_id", "organisation_id"),
                  "status": review.status.value})  # fmt: skip
    return comment


def save_consolidated_input(
    session: Session, *, actor: User, review_id: int, version: int | None, consolidated_input: str
) -> DraftReview:
    """The secretariat's (or chair's) consolidated input, editable until the review closes.

    Raises NotFound, Forbidden (not_keeper, review_closed), Conflict, Invalid (too long).
    """
    refusal = policy.consolidate_refusal(actor)
    if refusal:
        raise _refuse(refusal)
    review = _get(session, review_id, version=version)
    if review.status is ReviewStatus.CLOSED:
        raise _refuse(policy.REVIEW_CLOSED)
    text = consolidated_input.replace("\r\n", "\n").strip()
    if len(text) > INPUT_MAX:
        raise Invalid(
            "The input was not saved.", fields={"consolidated_input": [f"Use at most {INPUT_MAX} characters."]}
        )
    before = snapshot(review, "consolidated_input")
    review.consolidated_input = text
    _touch(review)
    _flush(session)
    record(session, actor=actor, action="draft_review.consolidate", target=Target.of(review), before=before,
           after=snapshot(review, "consolidated_input"))  # fmt: skip
    return review


def _returned_errors(review: DraftReview, returned_on: date) -> FieldErrors:
    if not review.received_on <= returned_on <= today():
        return {"returned_on": ["The input is returned after the draft was received, and not in the future."]}
    return {}


def set_review_status(
    session: Session, *, actor: User, review_id: int, version: int | None, status: ReviewStatus,
    returned_on: date | None = None,
) -> DraftReview:  # fmt: skip
    """Move the review along policy.TRANSITIONS (the secretariat or the chair).

    "Input returned" needs the consolidated input and records the returned date (today unless
    given). Raises NotFound, Forbidden (not_keeper), Conflict (stale), Invalid.
    """
    refusal = policy.consolidate_refusal(actor)
    if refusal:
        raise _refuse(refusal)
    review = _get(session, review_id, version=version)
    errors = policy.status_errors(review.status, status, review.consolidated_input)
    returned = returned_on or today()
    if not errors and status is ReviewStatus.INPUT_RETURNED:
        errors = _returned_errors(review, returned)
    if errors:
        raise Invalid("The status was not changed: please correct the fields shown.", fields=errors)
    before = snapshot(review, "status", "returned_on")
    review.status = status
    if status is ReviewStatus.INPUT_RETURNED:
        review.returned_on = returned
    _flush(session)
    record(session, actor=actor, action="draft_review.set_status", target=Target.of(review), before=before,
           after=snapshot(review, "status", "returned_on"))  # fmt: skip
    return review


def attach_draft_file(session: Session, *, actor: User, review_id: int, stored: StoredFile) -> Attachment:
    """Attach the draft document (or a later version of it). Who may: as for editing.

    Raises NotFound or Forbidden; audited with the file's digest.
    """
    review = _get(session, review_id)
    refusal = policy.edit_refusal(actor, review)
    if refusal:
        raise _refuse(refusal)
    attachment = build_record_attachment(session, actor=actor, stored=stored, owner="draft_review_id",
                                         owner_id=review.id)  # fmt: skip
    record(session, actor=actor, action="attachment.add", target=Target.of(attachment),
           after=snapshot(attachment, "draft_review_id", "filename", "content_type", "size", "sha256"))  # fmt: skip
    return attachment


def open_draft_file(session: Session, *, actor: User, attachment_id: int) -> Attachment:
    """A draft's file for a reader of draft reviews, the read audited (R8).

    Raises NotFound (unknown, or not a draft's file) or Forbidden (not_permitted).
    """
    attachment = session.get(Attachment, attachment_id) if _in_range(attachment_id) else None
    if attachment is None or attachment.draft_review_id is None:
        raise NotFound("There is no such file.")
    if not policy.can_view(actor):
        raise _refuse(policy.NOT_PERMITTED)
    record(session, actor=actor, action="attachment.read", target=Target.of(attachment))
    return attachment
