"""Who sees the status board and the chair's briefs. Pure predicates (no session, no Flask)."""

from __future__ import annotations

from crm.accounts.models import Role, User

# The chair reviews; the secretariat keeps the records the board summarises; observers (PMO)
# read status. The focal person, whatever their role, runs the negotiations the board shows.
BOARD_ROLES = frozenset({Role.CHAIR, Role.SECRETARIAT, Role.OBSERVER})
CONTENT_ROLES = frozenset({Role.CHAIR, Role.SECRETARIAT, Role.MEMBER, Role.OBSERVER})


def sees_board(actor: User, *, is_focal_person: bool) -> bool:
    """The status board, its charts and the briefs: the chair, the secretariat, observers and
    the focal person. Members and admins (whose role is accounts) keep their own home page.

    What each panel lists is still each feature's own rule (e.g. channel exceptions only for
    those who see every report; minutes only under R5).
    """
    if not actor.is_active:
        return False
    return actor.role in BOARD_ROLES or (is_focal_person and actor.role in CONTENT_ROLES)
