"""Draft reviews (direction 6): who reads, submits, edits, comments and consolidates. Pure predicates.

Drafts shared with the group carry no classification: every content role reads them, their
comments and their files (an admin's role is accounts). The secretariat and the chair keep
the register and consolidate the group's input; any member may submit a draft their own
ministry received ("members submit draft policies for the group's input", DESIGN.md §1) and
keeps editing it while it is open; members, the secretariat and the chair comment while the
review is open. Observers only read.

Each `*_refusal` returns None when allowed, or the code the API shows as `error.code`.
"""

from __future__ import annotations

from crm.accounts.models import Role, User
from crm.reviews.models import DraftReview, ReviewStatus

NOT_PERMITTED = "not_permitted"
NOT_KEEPER = "not_keeper"
REVIEW_CLOSED = "review_closed"

VIEW_ROLES = frozenset({Role.CHAIR, Role.SECRETARIAT, Role.MEMBER, Role.OBSERVER})
KEEPER_ROLES = frozenset({Role.CHAIR, Role.SECRETARIAT})
# Who takes part in the group's input: submits drafts, comments, may be named a reviewer.
CONTRIBUTOR_ROLES = frozenset({Role.CHAIR, Role.SECRETARIAT, Role.MEMBER})

# received → under review → input returned; or went forward without input; closed at the end.
TRANSITIONS: dict[ReviewStatus, frozenset[ReviewStatus]] = {
    ReviewStatus.RECEIVED: frozenset(
        {
            ReviewStatus.UNDER_REVIEW,
            ReviewStatus.INPUT_RETURNED,
            ReviewStatus.WENT_FORWARD_WITHOUT_INPUT,
            ReviewStatus.CLOSED,
        }  # fmt: skip
    ),
    ReviewStatus.UNDER_REVIEW: frozenset(
        {ReviewStatus.INPUT_RETURNED, ReviewStatus.WENT_FORWARD_WITHOUT_INPUT, ReviewStatus.CLOSED}
    ),
    ReviewStatus.INPUT_RETURNED: frozenset({ReviewStatus.CLOSED}),
    ReviewStatus.WENT_FORWARD_WITHOUT_INPUT: frozenset({ReviewStatus.CLOSED}),
    ReviewStatus.CLOSED: frozenset(),
}


def can_view(actor: User) -> bool:
    """Every active content role reads drafts, comments, consolidated input and files."""
    return actor.is_active and actor.role in VIEW_ROLES


def is_keeper(actor: User) -> bool:
    """The secretariat and the chair keep the register and consolidate."""
    return actor.is_active and actor.role in KEEPER_ROLES


def submit_refusal(actor: User) -> str | None:
    """Registering a draft: the keepers, and members for a draft their ministry received."""
    return None if actor.is_active and actor.role in CONTRIBUTOR_ROLES else NOT_PERMITTED


def edit_refusal(actor: User, review: DraftReview) -> str | None:
    """Editing the particulars and attaching files: the keepers, or the member who submitted
    it while the review is open."""
    if is_keeper(actor):
        return None
    if actor.is_active and actor.role is Role.MEMBER and review.created_by_id == actor.id:
        return None if review.status.is_open else REVIEW_CLOSED
    return NOT_PERMITTED


def comment_refusal(actor: User, review: DraftReview) -> str | None:
    """Members, the secretariat and the chair comment while the review is open."""
    if not actor.is_active or actor.role not in CONTRIBUTOR_ROLES:
        return NOT_PERMITTED
    return None if review.status.is_open else REVIEW_CLOSED


def consolidate_refusal(actor: User) -> str | None:
    """Consolidated input, the returned date and status changes: the secretariat and the chair."""
    return None if is_keeper(actor) else NOT_KEEPER


def status_errors(current: ReviewStatus, new: ReviewStatus, consolidated_input: str) -> dict[str, list[str]]:
    """Field errors for moving a review from `current` to `new` (see TRANSITIONS)."""
    if new is current:
        return {"status": [f"The review is already “{new.label.lower()}”."]}
    if new not in TRANSITIONS[current]:
        return {"status": [f"A review that is “{current.label.lower()}” cannot become “{new.label.lower()}”."]}
    if new is ReviewStatus.INPUT_RETURNED and not consolidated_input.strip():
        return {"consolidated_input": ["Write the consolidated input before recording that it was returned."]}
    return {}


REFUSAL_MESSAGES = {
    NOT_PERMITTED: "Your role does not allow this on draft reviews. Members, the secretariat and the chair "
    "submit and comment on drafts; the submitter or the secretariat edits them.",
    NOT_KEEPER: "Only the secretariat or the chair consolidates the group's input and changes a review's status.",
    REVIEW_CLOSED: "This review is no longer open: input can no longer be added.",
}
