"""Follow-up writes: creating, editing, completing, cancelling, reopening, taking from a queue,
and moving outbound actions to a new focal person (R1).

Every write checks its policy predicate, flushes and appends an audit event; a refusal raises
before anything is written. The caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from crm.accounts.models import User
from crm.audit.services import Target, record, snapshot
from crm.commitments import policy as commitment_policy
from crm.commitments.models import Commitment
from crm.companies.models import Company
from crm.db import utcnow
from crm.designations.queries import focal_person_id
from crm.engagements.models import Engagement
from crm.errors import Conflict, Forbidden, Invalid, NotFound
from crm.followups import policy
from crm.followups.models import FollowUp, FollowUpPriority, FollowUpStatus
from crm.http import MAX_ID
from crm.organisations.models import Organisation
from crm.threads.models import Thread, thread_companies
from crm.validation import FieldErrors, length_errors, merge

FIELDS = (
    "title",
    "assignee_id",
    "assignee_organisation_id",
    "due_date",
    "status",
    "priority",
    "is_outbound_action",
    "company_id",
    "thread_id",
    "engagement_id",
    "commitment_id",
)
EDITABLE = ("title", "details", "assignee_id", "assignee_organisation_id", "due_date", "priority")
NOTE_MAX = 4000
DETAILS_MAX = 10_000
# A due date outside these years is a typing mistake (year 1, 20260).
EARLIEST_DUE, LATEST_DUE = date(2000, 1, 1), date(2100, 12, 31)
STALE = "This follow-up was changed meanwhile. Reload to see its state."
OUTBOUND_MESSAGE = (
    "An outbound action stays with the focal person (R1): assign it to the person who holds the designation."
)


@dataclass
class FollowUpInput:
    """What a person gives when creating a follow-up (page, API and CLI alike)."""

    title: str
    details: str = ""
    assignee_id: int | None = None
    assignee_organisation_id: int | None = None
    due_date: date | None = None
    priority: FollowUpPriority = FollowUpPriority.MEDIUM
    is_outbound_action: bool = False
    company_id: int | None = None
    thread_id: int | None = None
    engagement_id: int | None = None
    commitment_id: int | None = None


@dataclass
class FollowUpChanges:
    """The editable part of a follow-up: its text, owner, due date and priority."""

    title: str
    details: str
    assignee_id: int | None
    assignee_organisation_id: int | None
    due_date: date | None
    priority: FollowUpPriority


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
    priority: FollowUpPriority = FollowUpPriority.MEDIUM,
    commitment_id: int | None = None,
    meeting_id: int | None = None,
    data_request_id: int | None = None,
    directive_id: int | None = None,
) -> FollowUp:
    """Create an open follow-up owned by a user or an organisation. Raises Invalid.

    The write path for follow-ups that rules generate (R4's response, an accepted engagement
    request): the calling service has checked who may trigger it. People creating one by
    hand go through `add_follow_up`, which checks the assignment rules first.
    """
    fields_ = length_errors(FollowUp, {"title": title.strip()})
    if not title.strip():
        fields_["title"] = ["Give the follow-up a title."]
    if (assignee_id is None) == (assignee_organisation_id is None):
        fields_["assignee_id"] = ["Assign the follow-up to one person or one organisation."]
    if fields_:
        raise Invalid("The follow-up was not created.", fields=fields_)
    follow_up = FollowUp(
        title=title.strip(), details=details, assignee_id=assignee_id,
        assignee_organisation_id=assignee_organisation_id, due_date=due_date, priority=priority,
        is_outbound_action=is_outbound_action, company_id=company_id, thread_id=thread_id,
        engagement_id=engagement_id, commitment_id=commitment_id, created_by_id=actor.id if actor else None,
        meeting_id=meeting_id, data_request_id=data_request_id, directive_id=directive_id,
    )  # fmt: skip
    session.add(follow_up)
    session.flush()
    record(session, actor=actor, action="follow_up.create", target=Target.of(follow_up),
           after=snapshot(follow_up, *FIELDS))  # fmt: skip
    return follow_up


# Checks shared by creating and editing.


def _exists(session: Session, model: type[Any], record_id: int | None) -> Any:
    if record_id is None or not 0 < record_id <= MAX_ID:
        return None
    return session.get(model, record_id)


def _text_errors(title: str, details: str) -> FieldErrors:
    errors = length_errors(FollowUp, {"title": title.strip()})
    if not title.strip():
        errors["title"] = ["Give the follow-up a title."]
    if len(details) > DETAILS_MAX:
        errors["details"] = [f"Use at most {DETAILS_MAX} characters (this has {len(details)})."]
    return errors


def _owner_errors(session: Session, assignee_id: int | None, organisation_id: int | None) -> FieldErrors:
    if (assignee_id is None) == (organisation_id is None):
        return {"assignee_id": ["Assign the follow-up to one person or to one organisation's queue, not both."]}
    if assignee_id is not None:
        user = _exists(session, User, assignee_id)
        if user is None or not user.is_active or user.role not in policy.WRITE_ROLES:
            return {"assignee_id": ["Choose an active member of the group from the list."]}
    elif _exists(session, Organisation, organisation_id) is None:
        return {"assignee_organisation_id": ["Choose an organisation from the list."]}
    return {}


def _due_errors(due_date: date | None) -> FieldErrors:
    if due_date is not None and not EARLIEST_DUE <= due_date <= LATEST_DUE:
        return {"due_date": ["Check the due date: it is not between 2000 and 2100."]}
    return {}


def _link_errors(session: Session, actor: User, data: FollowUpInput) -> FieldErrors:
    """Each link must name an existing record, and they must agree with each other: the thread
    is one of the company's, the engagement and the commitment are the company's (and the
    engagement of that thread). The company is taken from the engagement or commitment when
    not given. Everyone who may create a follow-up may see that these records exist (R5
    covers minutes, not their existence), so existence is visibility here."""
    errors: FieldErrors = {}
    company = _exists(session, Company, data.company_id)
    thread = _exists(session, Thread, data.thread_id)
    engagement = _exists(session, Engagement, data.engagement_id)
    # The register is read by every content role (crm/commitments/policy.py); ask it anyway.
    commitment = _exists(session, Commitment, data.commitment_id) if commitment_policy.can_view(actor) else None
    for name, value, found in (("company_id", data.company_id, company), ("thread_id", data.thread_id, thread),
                               ("engagement_id", data.engagement_id, engagement),
                               ("commitment_id", data.commitment_id, commitment)):  # fmt: skip
        if value is not None and found is None:
            errors[name] = ["There is no such record: check the number."]
    if errors:
        return errors
    if data.company_id is None:
        source = engagement or commitment
        data.company_id = source.company_id if source is not None else None
    return _consistency_errors(session, data, engagement, commitment)


def _consistency_errors(
    session: Session, data: FollowUpInput, engagement: Engagement | None, commitment: Commitment | None
) -> FieldErrors:
    errors: FieldErrors = {}
    if data.thread_id is not None and data.company_id is not None:
        linked = session.scalar(
            select(thread_companies.c.thread_id).where(
                thread_companies.c.thread_id == data.thread_id, thread_companies.c.company_id == data.company_id
            )
        )
        if linked is None:
            errors["thread_id"] = ["Choose a negotiation thread of this company, or none."]
    if engagement is not None and (
        engagement.company_id != data.company_id
        or (data.thread_id is not None and engagement.thread_id not in (None, data.thread_id))
    ):
        errors["engagement_id"] = ["This engagement is with another company or of another thread."]
    if commitment is not None and commitment.company_id != data.company_id:
        errors["commitment_id"] = ["This commitment concerns another company."]
    return errors


def _outbound_errors(session: Session, is_outbound_action: bool, assignee_id: int | None) -> FieldErrors:
    """R1 keeps outbound actions with the designation: while someone holds it, only they may be
    the assignee (during a vacancy R4 gives them to the chair or a queue until a designation)."""
    holder = focal_person_id(session) if is_outbound_action else None
    if holder is not None and assignee_id != holder:
        return {"assignee_id": [OUTBOUND_MESSAGE]}
    return {}


def _check_assignment(
    session: Session, actor: User, assignee_id: int | None, organisation_id: int | None, outbound: bool
) -> None:
    refusal = policy.assignment_refusal(
        actor, is_focal_person=focal_person_id(session) == actor.id, assignee_id=assignee_id,
        assignee_organisation_id=organisation_id, is_outbound_action=outbound,
    )  # fmt: skip
    if refusal:
        raise Forbidden(policy.REFUSAL_MESSAGES[refusal], code=refusal)


def add_follow_up(session: Session, *, actor: User, data: FollowUpInput) -> FollowUp:
    """A follow-up created by hand (page or API), after the assignment rule, R1 for outbound
    actions, and checks of every link.

    Raises Forbidden (not_permitted, assignee_not_allowed) or Invalid with field errors;
    nothing is written when refused.
    """
    _check_assignment(session, actor, data.assignee_id, data.assignee_organisation_id, data.is_outbound_action)
    errors = merge(
        _text_errors(data.title, data.details), _due_errors(data.due_date),
        _owner_errors(session, data.assignee_id, data.assignee_organisation_id), _link_errors(session, actor, data),
    )  # fmt: skip
    if "assignee_id" not in errors:
        errors = merge(errors, _outbound_errors(session, data.is_outbound_action, data.assignee_id))
    if errors:
        raise Invalid("The follow-up was not created: please correct the fields shown.", fields=errors)
    values = {f.name: getattr(data, f.name) for f in fields(data)}
    values["details"] = data.details.strip()
    return create_follow_up(session, actor=actor, **values)


# Changing an existing follow-up.


def _get_visible(session: Session, actor: User, follow_up_id: int) -> FollowUp:
    """The follow-up, if it exists and the actor may see it: otherwise NotFound, so ids reveal nothing."""
    follow_up = _exists(session, FollowUp, follow_up_id)
    if follow_up is None or not policy.can_view(actor, follow_up, is_focal_person=focal_person_id(session) == actor.id):
        raise NotFound("There is no such follow-up.")
    return follow_up


def _check_version(follow_up: FollowUp, version: int | None) -> None:
    if version is not None and version != follow_up.version:
        raise Conflict(STALE)


def _flush(session: Session) -> None:
    try:
        session.flush()
    except StaleDataError as error:  # changed by someone else between our read and this write
        raise Conflict(STALE) from error


def _get_editable(session: Session, actor: User, follow_up_id: int, version: int | None) -> FollowUp:
    follow_up = _get_visible(session, actor, follow_up_id)
    if follow_up.status is not FollowUpStatus.OPEN:
        raise Conflict(f"This follow-up is {follow_up.status.label.lower()}; reopen it first.", code="not_open")
    if not policy.can_edit(actor, follow_up, is_focal_person=focal_person_id(session) == actor.id):
        raise Forbidden(policy.REFUSAL_MESSAGES[policy.NOT_ASSIGNEE], code=policy.NOT_ASSIGNEE)
    _check_version(follow_up, version)
    return follow_up


def update_follow_up(
    session: Session, *, actor: User, follow_up_id: int, version: int | None, changes: FollowUpChanges
) -> FollowUp:
    """Edit an open follow-up: title, details, owner (reassign), due date, priority.

    A new owner passes the same assignment rule as at creation, and an outbound action stays
    with the focal person (R1). Raises NotFound, Forbidden, Conflict (closed, or a stale
    version), Invalid; nothing is written when refused.
    """
    follow_up = _get_editable(session, actor, follow_up_id, version)
    owner_changes = (changes.assignee_id, changes.assignee_organisation_id) != (
        follow_up.assignee_id, follow_up.assignee_organisation_id)  # fmt: skip
    if owner_changes:
        _check_assignment(session, actor, changes.assignee_id, changes.assignee_organisation_id, False)
    errors = merge(_text_errors(changes.title, changes.details), _due_errors(changes.due_date))
    if owner_changes:
        errors = merge(errors, _owner_errors(session, changes.assignee_id, changes.assignee_organisation_id))
        if "assignee_id" not in errors:
            errors = merge(errors, _outbound_errors(session, follow_up.is_outbound_action, changes.assignee_id))
    if errors:
        raise Invalid("The follow-up was not saved: please correct the fields shown.", fields=errors)
    before = snapshot(follow_up, *EDITABLE)
    for name in EDITABLE:
        setattr(follow_up, name, getattr(changes, name))
    follow_up.title, follow_up.details = changes.title.strip(), changes.details.strip()
    _flush(session)
    record(session, actor=actor, action="follow_up.update", target=Target.of(follow_up), before=before,
           after=snapshot(follow_up, *EDITABLE))  # fmt: skip
    return follow_up


def _note_errors(note: str, *, required: bool) -> FieldErrors:
    if len(note) > NOTE_MAX:
        return {"note": [f"Use at most {NOTE_MAX} characters."]}
    if required and not note.strip():
        return {"note": ["Say why the follow-up is cancelled."]}
    return {}


def complete_follow_up(
    session: Session, *, actor: User, follow_up_id: int, note: str = "", version: int | None = None
) -> FollowUp:
    """Mark done with a completion note.

    Raises NotFound, Forbidden (not_assignee), Conflict (not open, or stale version), Invalid
    (a note longer than NOTE_MAX). Nothing is written when refused.
    """
    follow_up = _get_visible(session, actor, follow_up_id)
    if not policy.can_complete(actor, follow_up):
        raise Forbidden(
            "Only the assignee (or their organisation, for its queue), the chair or the secretariat can complete "
            "this follow-up.",
            code="not_assignee",
        )
    if (version is not None and version != follow_up.version) or follow_up.status is not FollowUpStatus.OPEN:
        raise Conflict(STALE)
    errors = _note_errors(note, required=False)
    if errors:
        raise Invalid("The follow-up was not completed.", fields=errors)
    before = snapshot(follow_up, "status")
    follow_up.status, follow_up.completion_note, follow_up.completed_at = FollowUpStatus.DONE, note.strip(), utcnow()
    _flush(session)
    record(session, actor=actor, action="follow_up.complete", target=Target.of(follow_up), before=before,
           after=snapshot(follow_up, "status", "completion_note"))  # fmt: skip
    return follow_up


def cancel_follow_up(session: Session, *, actor: User, follow_up_id: int, version: int | None, note: str) -> FollowUp:
    """Cancel an open follow-up with a note saying why (kept as its closing note).

    Who may: as for editing. Raises NotFound, Forbidden, Conflict, Invalid (no note).
    """
    follow_up = _get_editable(session, actor, follow_up_id, version)
    errors = _note_errors(note, required=True)
    if errors:
        raise Invalid("The follow-up was not cancelled.", fields=errors)
    before = snapshot(follow_up, "status", "completion_note")
    follow_up.status, follow_up.completion_note, follow_up.completed_at = (
        FollowUpStatus.CANCELLED, note.strip(), utcnow())  # fmt: skip
    _flush(session)
    record(session, actor=actor, action="follow_up.cancel", target=Target.of(follow_up), before=before,
           after=snapshot(follow_up, "status", "completion_note"))  # fmt: skip
    return follow_up


def reopen_follow_up(
    session: Session, *, actor: User, follow_up_id: int, version: int | None, note: str = ""
) -> FollowUp:
    """Reopen a done or cancelled follow-up (the chair, the secretariat, the focal person).

    The previous closing note is kept in the audit history. Raises NotFound, Forbidden
    (not_permitted), Conflict (already open, or stale), Invalid (note too long).
    """
    follow_up = _get_visible(session, actor, follow_up_id)
    if follow_up.status is FollowUpStatus.OPEN:
        raise Conflict("This follow-up is open already.", code="not_closed")
    if not policy.can_reopen(actor, follow_up, is_focal_person=focal_person_id(session) == actor.id):
        raise Forbidden("Only the chair, the secretariat or the focal person can reopen a follow-up.",
                        code=policy.NOT_PERMITTED)  # fmt: skip
    _check_version(follow_up, version)
    errors = _note_errors(note, required=False)
    if errors:
        raise Invalid("The follow-up was not reopened.", fields=errors)
    before = snapshot(follow_up, "status", "completion_note", "completed_at")
    follow_up.status, follow_up.completion_note, follow_up.completed_at = FollowUpStatus.OPEN, "", None
    _flush(session)
    record(session, actor=actor, action="follow_up.reopen", target=Target.of(follow_up), before=before,
           after={"status": FollowUpStatus.OPEN.value, "note": note.strip()})  # fmt: skip
    return follow_up


def take_follow_up(session: Session, *, actor: User, follow_up_id: int, version: int | None) -> FollowUp:
    """A member of the organisation takes an item of its queue: it becomes theirs.

    Raises NotFound, Forbidden (not_permitted: not of that queue), Conflict (taken or closed
    meanwhile, or stale), Invalid (an outbound action, which only the focal person may hold).
    """
    follow_up = _get_visible(session, actor, follow_up_id)
    if not policy.can_take(actor, follow_up):
        if follow_up.status is not FollowUpStatus.OPEN or follow_up.assignee_id is not None:
            raise Conflict("Someone has taken this follow-up, or it was closed, meanwhile.")
        raise Forbidden("Only members of the organisation take items from its queue.", code=policy.NOT_PERMITTED)
    _check_version(follow_up, version)
    errors = _outbound_errors(session, follow_up.is_outbound_action, actor.id)
    if errors:
        raise Invalid("The follow-up was not taken.", fields=errors)
    before = snapshot(follow_up, "assignee_id", "assignee_organisation_id")
    follow_up.assignee_id, follow_up.assignee_organisation_id = actor.id, None
    _flush(session)
    record(session, actor=actor, action="follow_up.take", target=Target.of(follow_up), before=before,
           after=snapshot(follow_up, "assignee_id", "assignee_organisation_id"))  # fmt: skip
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


def record_export(session: Session, *, actor: User, filters: dict[str, Any], rows: int) -> None:
    """R8: an export of the follow-ups list is audited (which filters, how many rows).

    Only the chair and the secretariat export every follow-up (Forbidden otherwise).
    """
    if not policy.can_oversee(actor):
        raise Forbidden("Only the chair and the secretariat export the follow-ups.", code=policy.NOT_PERMITTED)
    record(session, actor=actor, action="follow_up.export", target=Target("follow_ups", "list"),
           after={"filters": filters, "rows": rows})  # fmt: skip
