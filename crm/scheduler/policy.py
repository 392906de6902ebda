"""Who may see the scheduler's health. Pure predicates."""

from __future__ import annotations

from crm.accounts.models import Role, User


def can_view_health(user: User) -> bool:
    """Active admins: the scheduler is operations (job runs, errors, the lock), not content."""
    return user.is_active and user.role is Role.ADMIN
