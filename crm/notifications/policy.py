"""Who may see a notification: its addressee only (admins included: it may name their work)."""

from __future__ import annotations

from crm.accounts.models import User
from crm.notifications.models import Notification


def can_view(user: User, notification: Notification) -> bool:
    """A notification is its addressee's alone; anyone else gets 404, never a hint it exists."""
    return notification.user_id == user.id
