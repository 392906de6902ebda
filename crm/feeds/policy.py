"""Who may have a calendar feed, and which commitments concern whom. Pure predicates."""

from __future__ import annotations

from crm.accounts.models import Role, User

NOT_PERMITTED = "not_permitted"

# Everyone who works with the content; an admin's role is accounts (DESIGN.md §1).
FEED_ROLES = frozenset({Role.CHAIR, Role.SECRETARIAT, Role.MEMBER, Role.OBSERVER})


def can_have_feed(user: User) -> bool:
    """An active user with a content role. Checked when a feed is made AND at every fetch, so a
    deactivated user or one moved to the admin role stops receiving anything."""
    return user.is_active and user.role in FEED_ROLES


def sees_all_commitments(user: User, *, is_focal_person: bool) -> bool:
    """The focal person and the chair chase every promise: their feed has all open commitments.
    Everyone else's has those their own organisation must deliver."""
    return is_focal_person or user.role is Role.CHAIR
