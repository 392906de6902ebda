"""Who may work on follow-ups. Pure predicates."""

from __future__ import annotations

from crm.accounts.models import Role, User
from crm.followups.models import FollowUp


def can_complete(actor: User, follow_up: FollowUp) -> bool:
    """The assignee, a member of the assignee organisation, the chair or the secretariat."""
    if not actor.is_active or actor.role in (Role.OBSERVER, Role.ADMIN):
        return False
    if actor.role in (Role.CHAIR, Role.SECRETARIAT):
        return True
    if follow_up.assignee_id is not None:
        return follow_up.assignee_id == actor.id
    return follow_up.assignee_organisation_id == actor.organisation_id


# Roles that see every follow-up (the observers read-only), beside the owners of each.
SEE_ALL_ROLES = frozenset({Role.CHAIR, Role.SECRETARIAT, Role.OBSERVER})


def sees_all(actor: User) -> bool:
    """The chair, the secretariat and observers see every follow-up."""
    return actor.is_active and actor.role in SEE_ALL_ROLES


def can_view(actor: User, follow_up: FollowUp) -> bool:
    """Everyone who sees all, and the follow-up's owners: its assignee, their organisation's
    queue (no person assigned), and its creator."""
    if not actor.is_active:
        return False
    if sees_all(actor) or actor.id in (follow_up.assignee_id, follow_up.created_by_id):
        return True
    return follow_up.assignee_id is None and follow_up.assignee_organisation_id == actor.organisation_id
