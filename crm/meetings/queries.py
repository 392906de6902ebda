"""Reading WG meetings: the list (newest first, keyset on (held_at, id)), one meeting with its
attendees and organisations, its decisions and action items, and the form's choices.

Loading is decided here (relationships are lazy="raise"), so a page issues the same number of
queries whatever the number of rows. Nothing here reads minutes for display: the services do,
after R5, audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from crm.accounts.models import Role, User
from crm.directives.models import Directive
from crm.followups.models import FollowUp
from crm.http import MAX_ID
from crm.meetings.models import WGDecision, WGMeeting

PAGE_SIZE = 50
ITEMS_LIMIT = 200


@dataclass(frozen=True)
class Position:
    """Where a page of the list ended: the last meeting's time and id."""

    held_at: datetime
    id: int

    @classmethod
    def after(cls, meeting: WGMeeting) -> Position:
        return cls(meeting.held_at, meeting.id)

    def token(self) -> str:
        return f"{self.held_at.isoformat()}|{self.id}"

    @classmethod
    def parse(cls, token: str | None) -> Position | None:
        """The position a token names; anything not made by `token` means the first page."""
        moment, _, number = (token or "").partition("|")
        if not number.isdigit() or not 0 < int(number) <= MAX_ID:
            return None
        try:
            held_at = datetime.fromisoformat(moment)
        except ValueError:
            return None
        return cls(held_at, int(number)) if held_at.tzinfo is not None else None


def list_meetings(session: Session, *, before: Position | None = None, limit: int = PAGE_SIZE) -> list[WGMeeting]:
    """Meetings, latest first, with their organisations (never the minutes' text)."""
    query = select(WGMeeting).options(selectinload(WGMeeting.organisations))
    if before is not None:
        query = query.where(or_(WGMeeting.held_at < before.held_at,
                                and_(WGMeeting.held_at == before.held_at, WGMeeting.id < before.id)))  # fmt: skip
    return list(session.scalars(query.order_by(WGMeeting.held_at.desc(), WGMeeting.id.desc()).limit(limit)))


def get_meeting(session: Session, meeting_id: int) -> WGMeeting | None:
    """One meeting with its attendees (and their organisations) and organisations."""
    if not 1 <= meeting_id <= MAX_ID:
        return None
    query = (
        select(WGMeeting)
        .options(selectinload(WGMeeting.attendees).joinedload(User.organisation), selectinload(WGMeeting.organisations))
        .where(WGMeeting.id == meeting_id)
        .execution_options(populate_existing=True)
    )
    return session.scalar(query)


def decisions_of(session: Session, meeting_id: int) -> list[WGDecision]:
    """The meeting's decisions, in the order recorded."""
    query = select(WGDecision).where(WGDecision.meeting_id == meeting_id).order_by(WGDecision.id).limit(ITEMS_LIMIT)
    return list(session.scalars(query))


def directive_labels(session: Session, directive_ids: set[int]) -> dict[int, str]:
    """ "Direction D4 (NSMCWG meeting of ...)" by directive id, in one query."""
    if not directive_ids:
        return {}
    query = select(Directive.id, Directive.serial, Directive.source_ref).where(Directive.id.in_(directive_ids))
    return {row.id: f"Directive {row.serial} ({row.source_ref})" for row in session.execute(query)}


def action_items_of(session: Session, meeting_id: int) -> list[FollowUp]:
    """The meeting's action items (follow-ups), soonest due first, with their owners."""
    query = (
        select(FollowUp)
        .options(joinedload(FollowUp.assignee), joinedload(FollowUp.assignee_organisation))
        .where(FollowUp.meeting_id == meeting_id)
        .order_by(FollowUp.due_date.is_(None), FollowUp.due_date, FollowUp.id)
        .limit(ITEMS_LIMIT)
    )
    return list(session.scalars(query))


def people(session: Session) -> list[User]:
    """Active people of the group (not admins), with their organisations, by name."""
    query = (
        select(User)
        .options(joinedload(User.organisation))
        .where(User.is_active, User.role != Role.ADMIN)
        .order_by(User.full_name, User.id)
    )
    return list(session.scalars(query))
