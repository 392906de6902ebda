"""Who may record designations, and what a designation lets its holder do. Pure predicates."""

from __future__ import annotations

from crm.accounts.models import Role, User

# Who can hold a designation: people who work with records (not observers or admins).
HOLDER_ROLES = frozenset({Role.CHAIR, Role.SECRETARIAT, Role.MEMBER})


def can_record_designation(actor: User) -> bool:
    """R1: only the chair records or ends a designation."""
    return actor.is_active and actor.role is Role.CHAIR


def can_hold_designation(user: User) -> bool:
    """A designation goes to an active person who can work with records (not an observer)."""
    return user.is_active and user.role in HOLDER_ROLES
