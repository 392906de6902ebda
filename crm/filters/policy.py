"""Who keeps saved filters, and on which pages.

A saved filter is a bookmark of a list's query string: it grants nothing (the list applies its
own visibility rules when the link is followed), so anyone who can see a list may save its filters.
"""

from __future__ import annotations

from crm.accounts.models import User

MAX_PER_PAGE = 50  # per user and page: enough for real use, small enough to show on the page
NAME_MAX = 100
QUERY_MAX = 2000
# Arguments that move through a list, never part of what it is filtered to.
PAGING_ARGS = frozenset({"before", "after", "cursor", "page", "limit"})
# The lists with saved filters: endpoint → what the page is called (in messages).
PAGES: dict[str, str] = {
    "engagements.index": "Engagements",
    "companies.index": "Companies",
    "contacts.index": "Contacts",
    "threads.board": "Negotiations",
    "commitments.register": "Commitments",
    "followups.everything": "All follow-ups",
    "directives.tracker": "Directives tracker",
    "audit.events": "Audit log",
}

DUPLICATE_NAME = "duplicate_name"
TOO_MANY = "too_many_filters"


def can_save(user: User) -> bool:
    """Any active signed-in user may keep filters of the lists they can open."""
    return user.is_active


def owns(user: User, owner_id: int) -> bool:
    """A user sees, follows and deletes only their own saved filters."""
    return user.id == owner_id
