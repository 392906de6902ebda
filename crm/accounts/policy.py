"""Who may do what with accounts. Pure predicates: no session, no Flask."""

from __future__ import annotations

from datetime import datetime, timedelta

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


# Roles whose holders must use a second factor: they see or decide the most.
MFA_ROLES = frozenset({Role.CHAIR, Role.ADMIN})


def mfa_required(user: User, *, holds_designation: bool) -> bool:
    """The chair, admins and designation holders (focal person, spokesperson) must use TOTP."""
    return user.role in MFA_ROLES or holds_designation


def has_mfa(user: User) -> bool:
    return user.totp_enabled_at is not None and bool(user.totp_secret)


def can_reset_mfa(actor: User | None, target: User) -> bool:
    """An admin resets another user's second factor, never their own (it would bypass it)."""
    return can_change_account(actor, target)


def session_end_reason(last_seen_at: datetime, expires_at: datetime, now: datetime, *, idle: timedelta) -> str | None:
    """Why a session is over at `now` ("expired": absolute timeout; "idle"), or None if live."""
    if now >= expires_at:
        return "expired"
    if now >= last_seen_at + idle:
        return "idle"
    return None


# last_seen_at is written at most this often: a write per request would cost more than the
# idle timeout (minutes) needs in precision.
TOUCH_INTERVAL = timedelta(minutes=1)


def touch_due(last_seen_at: datetime, now: datetime) -> bool:
    return now - last_seen_at >= TOUCH_INTERVAL
