"""WG meetings: who reads the list and agendas, who records, and who reads the minutes. Pure predicates.

Everyone with a content role sees the group's meetings: date, place, chair, agenda,
attendees, decisions and action items. The secretariat and the chair record meetings,
decisions and action items. The minutes follow R5 exactly as an engagement's do, through the
same predicate (`crm.engagements.policy.minutes_refusal`): clearance at least the meeting's
classification AND the focal person, the chair or the secretariat. Notes-request grants name
an engagement or a thread, not a meeting, so no grant opens a meeting's minutes (has_grant is
always False here).

Each `*_refusal` returns None when allowed, or the code the API shows as `error.code`.
"""

from __future__ import annotations

from crm.accounts.models import Clearance, Role, User
from crm.engagements import policy as engagement_policy

NOT_PERMITTED = "not_permitted"
NOT_KEEPER = "not_keeper"
INSUFFICIENT_CLEARANCE = engagement_policy.INSUFFICIENT_CLEARANCE
NO_GRANT = engagement_policy.NO_GRANT

VIEW_ROLES = frozenset({Role.CHAIR, Role.SECRETARIAT, Role.MEMBER, Role.OBSERVER})
KEEPER_ROLES = frozenset({Role.CHAIR, Role.SECRETARIAT})


def can_view(actor: User) -> bool:
    """Every active content role sees the meetings, agendas, decisions and action items."""
    return actor.is_active and actor.role in VIEW_ROLES


def keeper_refusal(actor: User) -> str | None:
    """Recording and editing meetings, decisions and action items: the secretariat and the chair."""
    return None if actor.is_active and actor.role in KEEPER_ROLES else NOT_KEEPER


def minutes_refusal(actor: User, classification: Clearance, *, is_focal_person: bool) -> str | None:
    """R5 for a meeting's minutes: the engagement rule itself, without a grant path."""
    return engagement_policy.minutes_refusal(actor, classification, is_focal_person=is_focal_person, has_grant=False)


def change_refusal(actor: User, classification: Clearance, *, is_focal_person: bool) -> str | None:
    """Editing a meeting rewrites its minutes: a keeper who may read them (R5)."""
    return keeper_refusal(actor) or minutes_refusal(actor, classification, is_focal_person=is_focal_person)


REFUSAL_MESSAGES = {
    NOT_PERMITTED: "Your role does not read the group's meetings.",
    NOT_KEEPER: "Only the secretariat or the chair records the group's meetings, decisions and action items.",
    INSUFFICIENT_CLEARANCE: "Your clearance is below this meeting's classification.",
    NO_GRANT: "The minutes of the group's meetings are shown to the focal person, the chair and the secretariat.",
}
