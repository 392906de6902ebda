"""The engagement rules as pure predicates: R2 (one outbound channel) and R5 (need to know).

Each returns None when allowed or the refusal code the API shows as `error.code`.
"""

from __future__ import annotations

from crm.accounts.models import Clearance, Role, User

NOT_FOCAL_PERSON = "not_focal_person"
NO_FOCAL_PERSON = "no_focal_person"
INSUFFICIENT_CLEARANCE = "insufficient_clearance"
NO_GRANT = "no_grant"
NOT_PERMITTED = "not_permitted"

# Roles whose position gives need-to-know for every engagement's minutes (R5).
MINUTES_ROLES = frozenset({Role.CHAIR, Role.SECRETARIAT})
# Roles that record what happens: observers only read; an admin's role is accounts.
RECORDING_ROLES = frozenset({Role.CHAIR, Role.SECRETARIAT, Role.MEMBER})


def outbound_refusal(actor: User, focal_person_id: int | None) -> str | None:
    """R2: only the current focal person records an outbound engagement."""
    if focal_person_id is None:
        return NO_FOCAL_PERSON
    if actor.id != focal_person_id or not actor.is_active:
        return NOT_FOCAL_PERSON
    return None


def inbound_refusal(actor: User) -> str | None:
    """R4: anyone who records for the group may log a contact a company made."""
    return None if actor.is_active and actor.role in RECORDING_ROLES else NOT_PERMITTED


def minutes_refusal(actor: User, classification: Clearance, *, is_focal_person: bool, has_grant: bool) -> str | None:
    """R5: clearance at least the classification AND (focal person, chair, secretariat or grant)."""
    if not actor.is_active or not actor.clearance.covers(classification):
        return INSUFFICIENT_CLEARANCE
    if is_focal_person or actor.role in MINUTES_ROLES or has_grant:
        return None
    return NO_GRANT


def can_record(actor: User, *, is_focal_person: bool) -> bool:
    """Whether the actor may log some engagement (outbound as focal person, or inbound).

    Views ask it to show the "Log an engagement" link and form; the service applies R2/R4.
    """
    return (is_focal_person and actor.is_active) or inbound_refusal(actor) is None


def change_refusal(actor: User, minutes_refusal: str | None) -> str | None:
    """Correcting an engagement or adding files: whoever may read its minutes (R5) and records."""
    if minutes_refusal:
        return minutes_refusal
    return None if actor.is_active and actor.role in RECORDING_ROLES else NOT_PERMITTED


def can_classify(actor: User, classification: Clearance) -> bool:
    """No one files minutes above their own clearance (they could not read them back)."""
    return actor.clearance.covers(classification)


REFUSAL_MESSAGES = {
    NOT_FOCAL_PERSON: "Only the designated focal person can record an outbound engagement. "
    "To raise a matter with a company, file an engagement request to the focal person.",
    NO_FOCAL_PERSON: "No focal person is designated at present, so no outbound engagement can be recorded. "
    "The chair records the designation; meanwhile, file an engagement request.",
    INSUFFICIENT_CLEARANCE: "Your clearance is below this engagement's classification.",
    NO_GRANT: "The minutes are shown to the focal person, the chair and the secretariat, "
    "and to others with an approved notes request.",
    NOT_PERMITTED: "Your role does not record engagements.",
}
