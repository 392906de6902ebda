"""Channel exceptions: who reports a contact made outside the channel, who reviews it. Pure predicates."""

from __future__ import annotations

from crm.accounts.models import Role, User
from crm.exceptions.models import ChannelException

NOT_PERMITTED = "not_permitted"
NOT_CHAIR = "not_chair"

# Observers only read and an admin's role is accounts: everyone else may report.
REPORT_ROLES = frozenset({Role.CHAIR, Role.SECRETARIAT, Role.MEMBER})
SEE_ALL_ROLES = frozenset({Role.CHAIR, Role.SECRETARIAT})


def can_report(actor: User) -> bool:
    """Anyone who records for the group may report a contact made outside the channel."""
    return actor.is_active and actor.role in REPORT_ROLES


def can_review(actor: User) -> bool:
    """The chair reviews channel exceptions."""
    return actor.is_active and actor.role is Role.CHAIR


def sees_all(actor: User) -> bool:
    """The chair and the secretariat see every report; a reporter sees their own."""
    return actor.is_active and actor.role in SEE_ALL_ROLES


def can_view(actor: User, report: ChannelException) -> bool:
    return sees_all(actor) or (actor.is_active and report.reported_by_id == actor.id)
