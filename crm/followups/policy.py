"""Who may work on follow-ups. Pure predicates (no session, no Flask).

Each `*_refusal` returns None when allowed, or the code the API shows as `error.code`.
"""

from __future__ import annotations

from crm.accounts.models import Role, User
from crm.followups.models import FollowUp, FollowUpStatus

NOT_PERMITTED = "not_permitted"
ASSIGNEE_NOT_ALLOWED = "assignee_not_allowed"
NOT_ASSIGNEE = "not_assignee"

# Roles that record for the group: observers only read; an admin's role is accounts.
WRITE_ROLES = frozenset({Role.CHAIR, Role.SECRETARIAT, Role.MEMBER})
# Roles that keep the follow-ups of the whole group (beside the focal person, a designation).
KEEPER_ROLES = frozenset({Role.CHAIR, Role.SECRETARIAT})
# Roles that see every follow-up (the observers read-only), beside the owners of each.
SEE_ALL_ROLES = frozenset({Role.CHAIR, Role.SECRETARIAT, Role.OBSERVER})


def can_complete(actor: User, follow_up: FollowUp) -> bool:
    """The assignee, a member of the assignee organisation, the chair or the secretariat."""
    if not actor.is_active or actor.role in (Role.OBSERVER, Role.ADMIN):
        return False
    if actor.role in KEEPER_ROLES:
        return True
    if follow_up.assignee_id is not None:
        return follow_up.assignee_id == actor.id
    return follow_up.assignee_organisation_id == actor.organisation_id


def sees_all(actor: User, *, is_focal_person: bool = False) -> bool:
    """The chair, the secretariat, observers and the focal person (who keeps the group's
    follow-ups with the chair and the secretariat) see every follow-up."""
    return actor.is_active and (actor.role in SEE_ALL_ROLES or (is_focal_person and actor.role in WRITE_ROLES))


def can_oversee(actor: User) -> bool:
    """The chair and the secretariat get the page of every open follow-up, and its export."""
    return actor.is_active and actor.role in KEEPER_ROLES


def can_view(actor: User, follow_up: FollowUp, *, is_focal_person: bool = False) -> bool:
    """Everyone who sees all, and the follow-up's owners: its assignee, their organisation's
    queue (no person assigned), and its creator."""
    if not actor.is_active:
        return False
    if sees_all(actor, is_focal_person=is_focal_person) or actor.id in (follow_up.assignee_id, follow_up.created_by_id):
        return True
    return follow_up.assignee_id is None and follow_up.assignee_organisation_id == actor.organisation_id


def is_keeper(actor: User, *, is_focal_person: bool) -> bool:
    """The chair, the secretariat and the focal person keep follow-ups for the whole group."""
    return actor.is_active and (actor.role in KEEPER_ROLES or (is_focal_person and actor.role in WRITE_ROLES))


def can_create(actor: User) -> bool:
    """Whether to offer "New follow-up": everyone who records for the group (members for themselves)."""
    return actor.is_active and actor.role in WRITE_ROLES


def assignment_refusal(
    actor: User,
    *,
    is_focal_person: bool,
    assignee_id: int | None,
    assignee_organisation_id: int | None,
    is_outbound_action: bool = False,
) -> str | None:
    """The one rule for who may give a follow-up to whom (creating, reassigning, taking).

    The chair, the secretariat and the focal person assign to anyone. A member assigns only to
    themselves or to their own organisation's queue: to put a matter before the focal person a
    member files an engagement request, which the focal person or the chair decides. Outbound
    actions (towards a company) are the keepers' to create; R1's "only the focal person" is
    checked by the service, which knows who holds the designation.
    """
    if not can_create(actor):
        return NOT_PERMITTED
    if is_keeper(actor, is_focal_person=is_focal_person):
        return None
    if is_outbound_action:
        return ASSIGNEE_NOT_ALLOWED
    if assignee_id is not None:
        return None if assignee_id == actor.id else ASSIGNEE_NOT_ALLOWED
    return None if assignee_organisation_id == actor.organisation_id else ASSIGNEE_NOT_ALLOWED


def can_edit(actor: User, follow_up: FollowUp, *, is_focal_person: bool) -> bool:
    """Edit or cancel an open follow-up: the keepers, and a member who owns it (assignee, or
    their organisation's queue) or created it."""
    if follow_up.status is not FollowUpStatus.OPEN or not can_create(actor):
        return False
    if is_keeper(actor, is_focal_person=is_focal_person) or follow_up.created_by_id == actor.id:
        return True
    return can_complete(actor, follow_up)


def can_reopen(actor: User, follow_up: FollowUp, *, is_focal_person: bool) -> bool:
    """Only the keepers reopen a done or cancelled follow-up (what was closed stays closed
    unless the people who keep the record decide otherwise)."""
    return follow_up.status is not FollowUpStatus.OPEN and is_keeper(actor, is_focal_person=is_focal_person)


def can_take(actor: User, follow_up: FollowUp) -> bool:
    """A member of the organisation takes an open item of its queue (no person assigned yet)."""
    return (
        actor.is_active
        and actor.role in WRITE_ROLES
        and follow_up.status is FollowUpStatus.OPEN
        and follow_up.assignee_id is None
        and follow_up.assignee_organisation_id == actor.organisation_id
    )


REFUSAL_MESSAGES = {
    NOT_PERMITTED: "Your role does not create or change follow-ups.",
    ASSIGNEE_NOT_ALLOWED: "You can assign a follow-up to yourself or to your organisation's queue. To ask the "
    "focal person to raise a matter with a company, file an engagement request.",
    NOT_ASSIGNEE: "Only the keepers of the record (the chair, the secretariat, the focal person) and the "
    "follow-up's owners can change it.",
}
