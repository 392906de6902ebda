"""Who may read the audit log, and how much of each event they see."""

from __future__ import annotations

from crm.accounts.models import Role, User

# The account records an administrator keeps: their before/after values are the admin's business.
ACCOUNT_TARGETS = frozenset({"users", "api_tokens", "user_sessions", "recovery_codes"})


def can_view_audit_log(actor: User) -> bool:
    """The chair and administrators read the audit log (DESIGN.md §5 and the audit page)."""
    return actor.is_active and actor.role in (Role.ADMIN, Role.CHAIR)


def sees_changes(actor: User, target_type: str) -> bool:
    """Whether the event's before/after values are shown to this reader.

    The chair sees every change. An administrator's role is accounts, and admin alone grants no
    access to content (DESIGN.md §1): the before/after of a commitment, statement or follow-up
    would otherwise give an admin through the log what the registers refuse them, so admins see
    the values of account records only, and of the rest only who did what to which record.
    """
    return actor.role is Role.CHAIR or target_type in ACCOUNT_TARGETS
