"""Engagement requests (R2's companion): who asks the focal person, who decides. Pure predicates.

Each `*_refusal` returns None when allowed, or the code the API shows as `error.code`.
"""

from __future__ import annotations

from crm.accounts.models import Role, User
from crm.requests.models import EngagementRequest, RequestStatus

NOT_PERMITTED = "not_permitted"
IS_FOCAL_PERSON = "is_focal_person"
NOT_DECIDER = "not_decider"
SELF_APPROVAL = "self_approval"
NO_FOCAL_PERSON = "no_focal_person"

# Roles that record for the group (observers only read; an admin's role is accounts).
REQUEST_ROLES = frozenset({Role.CHAIR, Role.SECRETARIAT, Role.MEMBER})
# Roles that see every request (read-only for the secretariat and observers).
SEE_ALL_ROLES = frozenset({Role.CHAIR, Role.SECRETARIAT, Role.OBSERVER})


def request_refusal(actor: User, *, is_focal_person: bool) -> str | None:
    """Anyone who records for the group may ask, except the focal person (who engages directly)."""
    if not actor.is_active or actor.role not in REQUEST_ROLES:
        return NOT_PERMITTED
    return IS_FOCAL_PERSON if is_focal_person else None


def is_decider(actor: User, *, is_focal_person: bool) -> bool:
    """The focal person and the chair decide engagement requests."""
    return actor.is_active and (is_focal_person or actor.role is Role.CHAIR)


def decide_refusal(actor: User, request: EngagementRequest, *, is_focal_person: bool) -> str | None:
    """No one decides their own request (R6's rule, applied here too); else the focal person or chair."""
    if request.requested_by_id == actor.id:
        return SELF_APPROVAL
    return None if is_decider(actor, is_focal_person=is_focal_person) else NOT_DECIDER


def can_decide(actor: User, request: EngagementRequest, *, is_focal_person: bool) -> bool:
    """Whether to offer accept/decline buttons: a pending request the actor may decide."""
    pending = request.status is RequestStatus.PENDING
    return pending and decide_refusal(actor, request, is_focal_person=is_focal_person) is None


def sees_all(actor: User, *, is_focal_person: bool) -> bool:
    """The deciders, the secretariat and observers see every request; others see their own."""
    return actor.is_active and (actor.role in SEE_ALL_ROLES or is_focal_person)


def can_view(actor: User, request: EngagementRequest, *, is_focal_person: bool) -> bool:
    return sees_all(actor, is_focal_person=is_focal_person) or (actor.is_active and request.requested_by_id == actor.id)


REFUSAL_MESSAGES = {
    NOT_PERMITTED: "Your role does not file engagement requests.",
    IS_FOCAL_PERSON: "You are the focal person: raise the matter with the company directly and record the engagement.",
    NOT_DECIDER: "Only the focal person or the chair decides engagement requests.",
    SELF_APPROVAL: "No one decides their own request: the focal person or the chair (whoever did not file it) decides.",
    NO_FOCAL_PERSON: "No focal person is designated at present, so the request cannot be accepted: an accepted "
    "request becomes a follow-up for the focal person. The chair records the designation first; the request "
    "stays pending (or can be declined with a reason).",
}
