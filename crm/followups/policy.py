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
