"""Who keeps the register of companies, contacts and threads. Pure predicates."""

from __future__ import annotations

from crm.accounts.models import Role, User

REGISTER_ROLES = frozenset({Role.CHAIR, Role.SECRETARIAT})


def can_maintain_register(actor: User, *, is_focal_person: bool) -> bool:
    """The chair, the secretariat and the focal person create and edit companies, their
    services and contacts, and negotiation threads. Members and observers read them."""
    return actor.is_active and (actor.role in REGISTER_ROLES or is_focal_person)


def can_read_register(actor: User) -> bool:
    """Everyone signed in may see companies, contacts and threads (not minutes: R5)."""
    return actor.is_active
