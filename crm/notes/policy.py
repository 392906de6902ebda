"""Notes requests (R5, R6): who asks to read minutes, who decides, who sees requests. Pure predicates.

Each `*_refusal` returns None when allowed, or the code the API shows as `error.code`.
A grant only opens need-to-know: clearance still applies (crm/engagements/policy.py).
"""

from __future__ import annotations

from datetime import datetime

from crm.accounts.models import Role, User
from crm.notes.models import NotesRequest, NotesRequestStatus

NOT_PERMITTED = "not_permitted"
NOT_DECIDER = "not_decider"
SELF_APPROVAL = "self_approval"
DUPLICATE_REQUEST = "duplicate_request"

# Every content role may ask to read minutes (observers included: reading is their role);
# an admin's role is accounts and opens no classified content.
REQUEST_ROLES = frozenset({Role.CHAIR, Role.SECRETARIAT, Role.MEMBER, Role.OBSERVER})


def request_refusal(actor: User) -> str | None:
    """Anyone active with a content role may file a notes request."""
    return None if actor.is_active and actor.role in REQUEST_ROLES else NOT_PERMITTED


def is_decider(actor: User, *, is_focal_person: bool) -> bool:
    """The focal person and the chair decide notes requests (and revoke grants)."""
    return actor.is_active and (is_focal_person or actor.role is Role.CHAIR)


def decide_refusal(actor: User, request: NotesRequest, *, is_focal_person: bool) -> str | None:
    """R6: never the requester, even a chair or focal person (then the other one decides)."""
    if request.requester_id == actor.id:
        return SELF_APPROVAL
    return None if is_decider(actor, is_focal_person=is_focal_person) else NOT_DECIDER


def revoke_refusal(actor: User, *, is_focal_person: bool) -> str | None:
    """A grant is revoked by the focal person or the chair."""
    return None if is_decider(actor, is_focal_person=is_focal_person) else NOT_DECIDER


def can_decide(actor: User, request: NotesRequest, *, is_focal_person: bool) -> bool:
    """Whether to offer approve/decline: a pending request the actor may decide."""
    pending = request.status is NotesRequestStatus.PENDING
    return pending and decide_refusal(actor, request, is_focal_person=is_focal_person) is None


def is_live(request: NotesRequest, now: datetime) -> bool:
    """An approved grant before its expiry (the read check does not wait for the expiry job)."""
    return request.status is NotesRequestStatus.APPROVED and request.expires_at is not None and request.expires_at > now


def can_revoke(actor: User, request: NotesRequest, *, is_focal_person: bool, now: datetime) -> bool:
    """Whether to offer "revoke": a live grant, to the focal person or the chair."""
    return is_live(request, now) and revoke_refusal(actor, is_focal_person=is_focal_person) is None


def sees_all(actor: User, *, is_focal_person: bool) -> bool:
    """The deciders and the secretariat (who keep the records) see every request."""
    return actor.is_active and (is_focal_person or actor.role in {Role.CHAIR, Role.SECRETARIAT})


def can_view(actor: User, request: NotesRequest, *, is_focal_person: bool) -> bool:
    """A request is seen by its requester and by those who see all."""
    own = actor.is_active and request.requester_id == actor.id
    return own or sees_all(actor, is_focal_person=is_focal_person)


REFUSAL_MESSAGES = {
    NOT_PERMITTED: "Your role does not request meeting notes.",
    NOT_DECIDER: "Only the focal person or the chair decides notes requests and revokes grants.",
    SELF_APPROVAL: "No one decides their own notes request: the focal person or the chair "
    "(whoever did not file it) decides.",
    DUPLICATE_REQUEST: "You already have a request for these minutes that is pending or granted.",
}
