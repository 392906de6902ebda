"""The main navigation: one list, filtered by role and by which features are installed.

Templates loop over `nav_items()`; an entry whose endpoint is not registered is skipped, so
a feature's link appears with the feature and never points at nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from crm.accounts.models import Role

ALL_ROLES = frozenset(Role)
CONTENT_ROLES = frozenset({Role.CHAIR, Role.SECRETARIAT, Role.MEMBER, Role.OBSERVER})


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: str
    roles: frozenset[Role]
    section: str  # the first part of the endpoint names that count as "this section"

    @property
    def group(self) -> str:
        """The disclosure group the entry sits in; "" for the always-visible first level."""
        return GROUP_OF.get(self.endpoint, "")

    @property
    def group_order(self) -> int:
        """Position of the entry's group, for templates to `groupby` in the intended order."""
        return GROUPS.index(self.group) if self.group else -1


ITEMS = (
    NavItem("dashboard.home", "Home", ALL_ROLES, "dashboard"),
    NavItem("companies.index", "Companies", CONTENT_ROLES, "companies"),
    NavItem("threads.board", "Negotiations", CONTENT_ROLES, "threads"),
    NavItem("contacts.index", "Contacts", CONTENT_ROLES, "contacts"),
    NavItem("engagements.index", "Engagements", CONTENT_ROLES, "engagements"),
    NavItem("commitments.register", "Commitments", CONTENT_ROLES, "commitments"),
    NavItem("followups.mine", "Follow-ups", CONTENT_ROLES, "followups"),
    NavItem("requests.index", "Requests", CONTENT_ROLES, "requests"),
    NavItem("exceptions.index", "Exceptions", frozenset({Role.CHAIR, Role.SECRETARIAT, Role.MEMBER}), "exceptions"),
    NavItem("directives.tracker", "Directives", CONTENT_ROLES, "directives"),
    NavItem("meetings.index", "WG meetings", CONTENT_ROLES, "meetings"),
    NavItem("statements.index", "Statements", CONTENT_ROLES, "statements"),
    NavItem("notes.index", "Notes requests", CONTENT_ROLES, "notes"),
    NavItem("reviews.index", "Draft reviews", CONTENT_ROLES, "reviews"),
    NavItem("datarequests.index", "Data requests", CONTENT_ROLES, "datarequests"),
    NavItem("designations.index", "Designations", ALL_ROLES, "designations"),
    NavItem("search.results", "Search", CONTENT_ROLES, "search"),
    NavItem("reports.weekly", "Weekly brief", frozenset({Role.CHAIR, Role.SECRETARIAT, Role.OBSERVER}), "reports"),
    NavItem("transparency.index", "Transparency", CONTENT_ROLES, "transparency"),
    NavItem("admin.organisations", "Organisations", ALL_ROLES, "admin.organisations"),
    NavItem("admin.users", "Users", frozenset({Role.ADMIN, Role.CHAIR}), "admin.user"),
    NavItem("scheduler.health", "Scheduler", frozenset({Role.ADMIN}), "scheduler"),
    NavItem("audit.events", "Audit log", frozenset({Role.ADMIN, Role.CHAIR}), "audit"),
)

# Two levels, working without JavaScript: the daily work stays on the first level (and any
# negotiation's status is two clicks from Home: Negotiations, then the thread); the rest sits
# in <details> disclosure groups. An endpoint not listed here is shown on the first level;
# a role with eight entries or fewer (an admin) sees them all there (templates/base.html).
GROUPS = ("Working group", "Records", "Administration")
GROUP_OF = {
    "directives.tracker": "Working group",
    "meetings.index": "Working group",
    "statements.index": "Working group",
    "reviews.index": "Working group",
    "datarequests.index": "Working group",
    "reports.weekly": "Working group",
    "contacts.index": "Records",
    "exceptions.index": "Records",
    "designations.index": "Records",
    "admin.organisations": "Records",
    "transparency.index": "Records",
    "admin.users": "Administration",
    "scheduler.health": "Administration",
    "audit.events": "Administration",
}


def nav_items(role: Role) -> list[NavItem]:
    views = current_app.view_functions
    return [item for item in ITEMS if role in item.roles and item.endpoint in views]


def is_current(item: NavItem, endpoint: str | None) -> bool:
    return bool(endpoint) and (endpoint or "").startswith(item.section)
