"""Who produces the transparency returns, and what goes into them.

Only UNCLASSIFIED engagements that were meetings (in person, by video, visits, conference
sidelines) are published; phone calls, e-mails and letters are correspondence, not meetings.
Only what R5 lets every signed-in user see is used (date, company, kind, subject, location,
government organisations); never the summary, minutes or files.
"""

from __future__ import annotations

from crm.accounts.models import Clearance, Role, User
from crm.engagements.models import EngagementKind

MEETING_KINDS = frozenset(
    {EngagementKind.MEETING, EngagementKind.VIDEO_CALL, EngagementKind.VISIT, EngagementKind.CONFERENCE_SIDELINES}
)
PUBLISHABLE = Clearance.UNCLASSIFIED
VIEW_ROLES = frozenset({Role.CHAIR, Role.SECRETARIAT, Role.MEMBER, Role.OBSERVER})


def can_export(actor: User) -> bool:
    """Active users with a content role; an admin's role is accounts."""
    return actor.is_active and actor.role in VIEW_ROLES
