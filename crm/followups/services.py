"""Follow-up writes: creating, completing, and moving outbound actions to a new focal person."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from crm.accounts.models import User
from crm.audit.services import Target, record, snapshot
from crm.db import utcnow
from crm.errors import Conflict, Forbidden, Invalid, NotFound
from crm.followups import policy
from crm.followups.models import FollowUp, FollowUpStatus
from crm.validation import length_errors

FIELDS = (
    "title",
    "assignee_id",
    "assignee_organisation_id",
    "due_date",
    "status",
    "is_outbound_action",
    "company_id",
    "thread_id",
    "engagement_id",
)
NOTE_MAX = 4000


def create_follow_up(
    session: Session,
    *,
    actor: User | None,
    title: str,
    assignee_id: int | None = None,
    assignee_organisation_id: int | None = None,
    due_date: date | None = None,
    details: str = "",
    is_outbound_action: bool = False,
    company_id: int | None = None,
    thread_id: int | None = None,
    engagement_id: int | None = None,
) -> FollowUp:
    """Create an open follow-up owned by a user or an organisation. Raises Invalid."""
    fields = length_errors(FollowUp, {"title": title.strip()})
    if not title.strip():
        fields["title"] = ["Give the follow-up a title."]
    if (assignee_id is None) == (assignee_organisation_id is None):
        fields["assignee_id"] = ["Assign the follow-up to one person or one organisation."]
    if fields:
        raise Invalid("The follow-up was not created.", fields=fields)
    follow_up = FollowUp(
        title=title.strip(), details=details, assignee_id=assignee_id,
        assignee_organisation_id=assignee_organisation_id, due_date=due_date,
        is_outbound_action=is_outbound_action, company_id=company_id, thread_id=thread_id,
        engagement_id=engagement_id, created_by_id=actor.id if actor else None,
    )  # fmt: skip
    session.add(follow_up)
    session.flush()
    record(session, actor=actor, action="follow_up.create", target=Target.of(follow_up),
           after=snapshot(follow_up, *FIELDS))  # fmt: skip
    return follow_up


def complete_follow_up(
    session: Session, *, actor: User, follow_up_id: int, note: str = "", version: int | None = None
) -> FollowUp:
    """Mark done with a completion note.

    Raises NotFound, Forbidden (not_assignee), Conflict (not open, or stale version), Invalid
    (a note longer than NOTE_MAX). Nothing is written when refused.
    """
    follow_up = session.get(FollowUp, follow_up_id)
    if follow_up is None:
        raise NotFound("There is no such follow-up.")
    if not policy.can_complete(actor, follow_up):
        raise Forbidden(
            "Only the assignee (or their organisation, for its queue), the chair or the secretariat can complete "
            "this follow-up.",
            code="not_assignee",
        )
    if (version is not None and version != follow_up.version) or follow_up.status is not FollowUpStatus.OPEN:
        raise Conflict("This follow-up was changed meanwhile. Reload to see its state.")
    if len(note) > NOTE_MAX:
        raise Invalid("The follow-up was not completed.", fields={"note": [f"Use at most {NOTE_MAX} characters."]})
    note = note.strip()
    before = snapshot(follow_up, "status")
    follow_up.status, follow_up.completion_note, follow_up.completed_at = FollowUpStatus.DONE, note, utcnow()
    try:
        session.flush()
    except StaleDataError as error:  # changed by someone else between our read and this write
        raise Conflict("This follow-up was changed meanwhile. Reload to see its state.") from error
    record(session, actor=actor, action="follow_up.complete", target=Target.of(follow_up), before=before,
           after=snapshot(follow_up, "status", "completion_note"))  # fmt: skip
    return follow_up


def transfer_outbound_follow_ups(session: Session, *, actor: User, from_user_id: int, to_user_id: int) -> int:
    """R1: open outbound actions of the old focal person move to the new one. Returns how many."""
    query = select(FollowUp).where(
        FollowUp.assignee_id == from_user_id,
        FollowUp.status == FollowUpStatus.OPEN,
        FollowUp.is_outbound_action.is_(True),
    )
    moved = 0
    for follow_up in session.scalars(query):
        follow_up.assignee_id = to_user_id
        moved += 1
        record(session, actor=actor, action="follow_up.transfer", target=Target.of(follow_up),
               before={"assignee_id": from_user_id}, after={"assignee_id": to_user_id})  # fmt: skip
    session.flush()
    return moved
