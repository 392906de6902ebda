"""Who may do what with accounts. Pure predicates: no session, no Flask."""

from __future__ import annotations

from datetime import datetime

from crm.accounts.models import Role, User


def is_locked(user: User, now: datetime) -> bool:
    """True while a lockout from repeated failed sign-ins is in force."""
    return user.locked_until is not None and user.locked_until > now


def can_sign_in(user: User, now: datetime) -> bool:
    return user.is_active and not is_locked(user, now)


def can_manage_users(actor: User | None) -> bool:
    """Admins manage accounts; None is the operator at the command line (already trusted)."""
    return actor is None or (actor.is_active and actor.role is Role.ADMIN)


def can_view_users(actor: User) -> bool:
    """The chair sees the user list too (DESIGN.md §5: users for chair and admin)."""
    return actor.is_active and actor.role in (Role.ADMIN, Role.CHAIR)


def can_change_account(actor: User | None, target: User) -> bool:
    """Admins may change others' accounts, but not deactivate or demote themselves."""
    return can_manage_users(actor) and (actor is None or actor.id != target.id)
