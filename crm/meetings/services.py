"""WG meeting writes: recording and editing a meeting, audited reads of its minutes (R5, R8),
decisions (which may become directives) and action items (follow-ups linked to the meeting).

Every write checks crm/meetings/policy.py, flushes and appends one audit event in the caller's
transaction; a refusal raises before anything is written (R7).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from crm.accounts.models import Clearance, User
from crm.audit.services import Target, record, snapshot
from crm.designations.queries import focal_person_id
from crm.directives.models import Directive
from crm.directives.services import DirectiveInput, create_directive
from crm.engagements import policy as engagement_policy
from crm.errors import Conflict, Forbidden, Invalid, NotFound
from crm.followups import policy as follow_up_policy
from crm.followups.models import FollowUp
from crm.followups.services import create_follow_up
from crm.formatting import local
from crm.http import MAX_ID
from crm.meetings import policy
from crm.meetings.models import WGDecision, WGMeeting
from crm.organisations.models import Organisation
from crm.validation import FieldErrors, aware_errors, length_errors, merge

TEXT_MAX = 100_000
DECISION_MAX = 10_000
EARLIEST, LATEST = datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 12, 31, tzinfo=UTC)
FIELDS = ("title", "held_at", "location", "chaired_by", "classification", "invitees")
CONFLICT = "This meeting was changed by someone else meanwhile. Check the current record, then save again."
NOT_FOUND = "There is no such meeting."


@dataclass
class MeetingInput:
    """What the secretariat records about one meeting of the group (page and API alike)."""

    title: str
    held_at: datetime
    location: str = ""
    chaired_by: str = ""
    agenda: str = ""
    minutes: str = ""
    classification: Clearance = Clearance.RESTRICTED
    invitees: str = ""
    attendee_ids: list[int] = field(default_factory=list)
    organisation_ids: list[int] = field(default_factory=list)

    def cleaned(self) -> MeetingInput:
        texts = {f.name: getattr(self, f.name) for f in fields(self) if type(getattr(self, f.name)) is str}
        texts = {name: value.replace("\r\n", "\n").strip() for name, value in texts.items()}
        ids = {"attendee_ids": sorted(set(self.attendee_ids)), "organisation_ids": sorted(set(self.organisation_ids))}
        return MeetingInput(**{**self.__dict__, **texts, **ids})


def _refuse(code: str) -> Forbidden:
    return Forbidden(policy.REFUSAL_MESSAGES[code], code=code)


def _is_focal(session: Session, actor: User) -> bool:
    return focal_person_id(session) == actor.id


def _require_keeper(actor: User) -> None:
    refusal = policy.keeper_refusal(actor)
    if refusal:
        raise _refuse(refusal)


def _missing(session: Session, model: type[Any], ids: list[int]) -> bool:
    if not ids:
        return False
    if not all(1 <= i <= MAX_ID for i in ids):
        return True
    return len(set(session.scalars(select(model.id).where(model.id.in_(ids))))) != len(set(ids))


def _validate(session: Session, actor: User, data: MeetingInput) -> FieldErrors:
    errors = merge(length_errors(WGMeeting, {n: getattr(data, n) for n in ("title", "location", "chaired_by",
                                                                            "invitees")}),
                   aware_errors("held_at", data.held_at))  # fmt: skip
    if not data.title:
        errors["title"] = ["Give the meeting a title."]
    if "held_at" not in errors and not EARLIEST <= data.held_at <= LATEST:
        errors["held_at"] = ["Check the date: it is not between 2000 and 2100."]
    for name in ("agenda", "minutes"):
        if len(getattr(data, name)) > TEXT_MAX:
            errors[name] = [f"Use at most {TEXT_MAX} characters."]
    if not engagement_policy.can_classify(actor, data.classification):
        errors["classification"] = [f"You can classify up to {actor.clearance.label}, your clearance."]
    if _missing(session, User, data.attendee_ids):
        errors["attendee_ids"] = ["Choose attendees from the list."]
    if _missing(session, Organisation, data.organisation_ids):
        errors["organisation_ids"] = ["Choose organisations from the list."]
    return errors


def _apply(session: Session, meeting: WGMeeting, data: MeetingInput) -> None:
    # Load first: a query after the changes would autoflush them as a separate UPDATE (version + 2).
    attendees = list(session.scalars(select(User).where(User.id.in_(data.attendee_ids))))
    organisations = list(session.scalars(select(Organisation).where(Organisation.id.in_(data.organisation_ids))))
    for name in ("title", "held_at", "location", "chaired_by", "agenda", "minutes", "classification", "invitees"):
        setattr(meeting, name, getattr(data, name))
    meeting.attendees, meeting.organisations = attendees, organisations


def _state(meeting: WGMeeting) -> dict[str, Any]:
    return {**snapshot(meeting, *FIELDS), "attendee_ids": sorted(u.id for u in meeting.attendees),
            "organisation_ids": sorted(o.id for o in meeting.organisations)}  # fmt: skip


def record_meeting(session: Session, *, actor: User, data: MeetingInput) -> WGMeeting:
    """Record a meeting of the group (the secretariat or the chair).

    Raises Forbidden (not_keeper) before anything is written, or Invalid with field errors
    (title, time with its zone, classification above the actor's clearance, unknown people
    or organisations). The audit event holds no minutes or agenda text.
    """
    _require_keeper(actor)
    data = data.cleaned()
    errors = _validate(session, actor, data)
    if errors:
        raise Invalid("The meeting was not recorded: please correct the fields shown.", fields=errors)
    meeting = WGMeeting(title=data.title, held_at=data.held_at, created_by_id=actor.id)
    _apply(session, meeting, data)
    session.add(meeting)
    session.flush()
    record(session, actor=actor, action="meeting.record", target=Target.of(meeting), after=_state(meeting))
    return meeting


def _get(session: Session, meeting_id: int, *, loads: bool = False) -> WGMeeting:
    options = [selectinload(WGMeeting.attendees), selectinload(WGMeeting.organisations)] if loads else []
    meeting = (
        session.get(WGMeeting, meeting_id, options=options, populate_existing=True)
        if 1 <= meeting_id <= MAX_ID
        else None
    )
    if meeting is None:
        raise NotFound(NOT_FOUND)
    return meeting


def minutes_refusal(session: Session, *, actor: User, meeting: WGMeeting) -> str | None:
    """R5 for this actor and meeting: None when the minutes may be shown."""
    return policy.minutes_refusal(actor, meeting.classification, is_focal_person=_is_focal(session, actor))


def read_minutes(session: Session, *, actor: User, meeting: WGMeeting) -> str:
    """The minutes, after R5, with the read audited (R8). Raises Forbidden with R5's code."""
    refusal = minutes_refusal(session, actor=actor, meeting=meeting)
    if refusal:
        raise _refuse(refusal)
    record(session, actor=actor, action="meeting.read_minutes", target=Target.of(meeting))
    return meeting.minutes


def update_meeting(
    session: Session, *, actor: User, meeting_id: int, version: int | None, data: MeetingInput
) -> WGMeeting:
    """Edit a meeting, its minutes included: a keeper who may read its minutes (R5).

    Raises NotFound, Forbidden (not_keeper, insufficient_clearance, no_grant), Conflict
    (stale version), Invalid. Audited with before and after (no minutes text).
    """
    _require_keeper(actor)
    meeting = _get(session, meeting_id, loads=True)
    refusal = policy.change_refusal(actor, meeting.classification, is_focal_person=_is_focal(session, actor))
    if refusal:
        raise _refuse(refusal)
    if version is not None and version != meeting.version:
        raise Conflict(CONFLICT)
    data = data.cleaned()
    errors = _validate(session, actor, data)
    if errors:
        raise Invalid("The meeting was not saved: please correct the fields shown.", fields=errors)
    before = _state(meeting)
    _apply(session, meeting, data)
    flag_modified(meeting, "title")  # always an UPDATE: the version moves even when only lists change
    try:
        session.flush()
    except StaleDataError:
        raise Conflict(CONFLICT) from None
    record(session, actor=actor, action="meeting.update", target=Target.of(meeting), before=before,
           after=_state(meeting))  # fmt: skip
    return meeting


# Decisions and action items.


def add_decision(session: Session, *, actor: User, meeting_id: int, text: str) -> WGDecision:
    """Record a decision of the meeting. Raises Forbidden (not_keeper), NotFound, Invalid."""
    _require_keeper(actor)
    meeting = _get(session, meeting_id)
    text = text.replace("\r\n", "\n").strip()
    if not text or len(text) > DECISION_MAX:
        message = "Write the decision." if not text else f"Use at most {DECISION_MAX} characters."
        raise Invalid("The decision was not recorded.", fields={"text": [message]})
    decision = WGDecision(meeting_id=meeting.id, text=text)
    session.add(decision)
    session.flush()
    record(session, actor=actor, action="meeting.add_decision", target=Target.of(decision),
           after=snapshot(decision, "meeting_id", "text"))  # fmt: skip
    return decision


def _decision(session: Session, decision_id: int, meeting_id: int | None) -> WGDecision:
    decision = session.get(WGDecision, decision_id) if 1 <= decision_id <= MAX_ID else None
    if decision is None or (meeting_id is not None and decision.meeting_id != meeting_id):
        raise NotFound("There is no such decision.")
    if decision.directive_id is not None:
        raise Conflict("This decision is a directive already.", code="already_directive")
    return decision


def _link(session: Session, actor: User, decision: WGDecision, directive_id: int) -> WGDecision:
    decision.directive_id = directive_id
    session.flush()
    record(session, actor=actor, action="meeting.decision_directive", target=Target.of(decision),
           after=snapshot(decision, "meeting_id", "directive_id"))  # fmt: skip
    return decision


def make_directive(
    session: Session, *, actor: User, decision_id: int, meeting_id: int | None = None, timeline_text: str = "",
    organisation_ids: list[int] | None = None,
) -> WGDecision:  # fmt: skip
    """Turn a decision into a directive of the tracker (source: this meeting; serial "D<id>").

    Its due date is derived from `timeline_text` as for the PM's directions. Raises Forbidden
    (not_keeper), NotFound, Conflict (already a directive), Invalid (the directive's fields).
    """
    _require_keeper(actor)
    decision = _decision(session, decision_id, meeting_id)
    meeting = _get(session, decision.meeting_id)
    held_on: date = local(meeting.held_at).date()
    data = DirectiveInput(
        source_ref=f"NSMCWG meeting of {held_on.strftime('%d-%m-%Y')}", source_date=held_on,
        serial=f"D{decision.id}", text=decision.text, timeline_text=timeline_text.strip(),
        action_by_text="", organisation_ids=list(organisation_ids or []),
    )  # fmt: skip
    directive = create_directive(session, actor=actor, data=data)
    return _link(session, actor, decision, directive.id)


def link_directive(
    session: Session, *, actor: User, decision_id: int, directive_id: int, meeting_id: int | None = None
) -> WGDecision:
    """Link a decision to a directive already in the tracker (it "became" that directive).

    Raises Forbidden (not_keeper), NotFound, Conflict (already linked), Invalid (no such directive).
    """
    _require_keeper(actor)
    decision = _decision(session, decision_id, meeting_id)
    if not 1 <= directive_id <= MAX_ID or session.get(Directive, directive_id) is None:
        raise Invalid("The decision was not linked.", fields={"directive_id": ["Choose a directive from the tracker."]})
    return _link(session, actor, decision, directive_id)


@dataclass
class ActionItemInput:
    """An action item of a meeting: a follow-up owned by one person or one organisation."""

    title: str
    assignee_id: int | None = None
    assignee_organisation_id: int | None = None
    due_date: date | None = None
    details: str = ""


def _action_errors(session: Session, data: ActionItemInput) -> FieldErrors:
    errors = length_errors(FollowUp, {"title": data.title.strip()})
    if not data.title.strip():
        errors["title"] = ["Say what is to be done."]
    if (data.assignee_id is None) == (data.assignee_organisation_id is None):
        errors["assignee_id"] = ["Assign the action to one person or to one organisation, not both."]
    elif data.assignee_id is not None:
        user = session.get(User, data.assignee_id) if 1 <= data.assignee_id <= MAX_ID else None
        if user is None or not user.is_active or user.role not in follow_up_policy.WRITE_ROLES:
            errors["assignee_id"] = ["Choose an active member of the group from the list."]
    else:
        organisation_id = data.assignee_organisation_id or 0
        if not 1 <= organisation_id <= MAX_ID or session.get(Organisation, organisation_id) is None:
            errors["assignee_organisation_id"] = ["Choose an organisation from the list."]
    if data.due_date is not None and not date(2000, 1, 1) <= data.due_date <= date(2100, 12, 31):
        errors["due_date"] = ["Check the due date: it is not between 2000 and 2100."]
    if len(data.details) > TEXT_MAX:
        errors["details"] = [f"Use at most {TEXT_MAX} characters."]
    return errors


def add_action_item(session: Session, *, actor: User, meeting_id: int, data: ActionItemInput) -> FollowUp:
    """An action item of the meeting: a follow-up linked to it (`meeting_id`), owned by a person
    or an organisation's queue. Raises Forbidden (not_keeper), NotFound, Invalid."""
    _require_keeper(actor)
    meeting = _get(session, meeting_id)
    errors = _action_errors(session, data)
    if errors:
        raise Invalid("The action item was not recorded: please correct the fields shown.", fields=errors)
    follow_up = create_follow_up(
        session, actor=actor, title=data.title.strip(), details=data.details.strip(), assignee_id=data.assignee_id,
        assignee_organisation_id=data.assignee_organisation_id, due_date=data.due_date, meeting_id=meeting.id,
    )  # fmt: skip
    record(session, actor=actor, action="meeting.add_action_item", target=Target.of(meeting),
           after={"follow_up_id": follow_up.id})  # fmt: skip
    return follow_up
