"""Nomination and recommendation writes.

Direction 3: a nomination is proposed, recommended by the group's consensus (which also
records the "nominations from the NSMCWG" milestone the direction's timeline waits for),
then approved with the PM's approval reference — which records the designation (R1) in the
same transaction — or not approved, or withdrawn.
Direction 2: a recommendation is drafted, routed to the competent authority under the Rules
of Business, and the authority's decision is recorded (accepted, rejected, returned).

Every write checks its policy, flushes and appends an audit event; refusals write nothing.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from crm.accounts.models import User
from crm.audit.services import Target, record, snapshot
from crm.db import utcnow
from crm.designations.models import DesignationKind
from crm.designations.policy import can_hold_designation
from crm.designations.services import designate
from crm.directives.models import Milestone, MilestoneRecord
from crm.directives.services import record_milestone
from crm.errors import Conflict, Forbidden, Invalid, NotFound
from crm.formatting import local
from crm.governance import policy
from crm.governance.models import Nomination, NominationStatus, Recommendation, RecommendationStatus
from crm.http import MAX_ID
from crm.meetings.models import WGMeeting
from crm.organisations.models import Organisation
from crm.validation import FieldErrors, length_errors

NOMINATION_FIELDS = ("kind", "nominee_id", "meeting_id", "consensus_note", "recommended_on", "status",
                     "approval_ref", "approved_on", "designation_id")  # fmt: skip
RECOMMENDATION_FIELDS = ("title", "text", "meeting_id", "authority", "authority_organisation_id", "routed_on",
                         "routing_ref", "status", "decision", "decided_on")  # fmt: skip
TEXT_MAX = 20_000
EARLIEST = date(2000, 1, 1)
STALE = "This record was changed by someone else meanwhile. Reload it to see its state."
KEEPERS_ONLY = "Only the chair and the secretariat keep nominations and recommendations."


def _today() -> date:
    return local(utcnow()).date()


def _require_keeper(actor: User) -> None:
    if not policy.can_keep(actor):
        raise Forbidden(KEEPERS_ONLY, code=policy.NOT_PERMITTED)


def _flush(session: Session) -> None:
    try:
        session.flush()
    except StaleDataError as error:
        raise Conflict(STALE) from error


def _date_errors(name: str, value: date | None, *, required: bool = True) -> FieldErrors:
    if value is None:
        return {name: ["Give the date."]} if required else {}
    if not EARLIEST <= value <= _today():
        return {name: ["Give a date that is not in the future, nor before 2000."]}
    return {}


def _meeting_errors(session: Session, meeting_id: int | None) -> FieldErrors:
    if meeting_id is None:
        return {}
    if not 0 < meeting_id <= MAX_ID or session.get(WGMeeting, meeting_id) is None:
        return {"meeting_id": ["Choose a WG meeting from the list, or none."]}
    return {}


# Nominations (direction 3).


def _nomination(session: Session, nomination_id: int, version: int | None, step: str) -> Nomination:
    nomination = session.get(Nomination, nomination_id) if 0 < nomination_id <= MAX_ID else None
    if nomination is None:
        raise NotFound("There is no such nomination.")
    if version is not None and version != nomination.version:
        raise Conflict(STALE)
    if not policy.nomination_step_allowed(step, nomination.status):
        raise Conflict(f"This nomination is {nomination.status.label.lower()}: that step does not follow.",
                       code=policy.WRONG_STATE)  # fmt: skip
    return nomination


def _audit_nomination(session: Session, actor: User, action: str, nomination: Nomination, before: object) -> None:
    record(session, actor=actor, action=action, target=Target.of(nomination),
           before=before if isinstance(before, dict) else None,
           after=snapshot(nomination, *NOMINATION_FIELDS))  # fmt: skip


def propose_nomination(session: Session, *, actor: User, kind: DesignationKind, nominee_id: int) -> Nomination:
    """Propose a person for the focal-person (or spokesperson) designation.

    Raises Forbidden (keepers only), Invalid (a nominee who cannot hold a designation).
    """
    _require_keeper(actor)
    nominee = session.get(User, nominee_id) if 0 < nominee_id <= MAX_ID else None
    if nominee is None or not can_hold_designation(nominee):
        raise Invalid("The nomination was not recorded.",
                      fields={"nominee_id": ["Choose an active member, secretariat or chair user."]})  # fmt: skip
    nomination = Nomination(kind=kind.value, nominee_id=nominee.id, created_by_id=actor.id)
    session.add(nomination)
    session.flush()
    _audit_nomination(session, actor, "nomination.propose", nomination, None)
    return nomination


def recommend_nomination(
    session: Session, *, actor: User, nomination_id: int, version: int | None, recommended_on: date | None,
    consensus_note: str, meeting_id: int | None = None,
) -> Nomination:  # fmt: skip
    """Record the group's consensus recommendation to the PM (the meeting, the date, a note).

    A focal-person recommendation is the event direction 3's timeline waits for ("Upon
    nominations from NSMCWG"): the first one records that milestone, resolving the due date.
    Raises NotFound, Forbidden, Conflict (stale, or not proposed), Invalid.
    """
    _require_keeper(actor)
    nomination = _nomination(session, nomination_id, version, "recommend")
    errors = {**_date_errors("recommended_on", recommended_on), **_meeting_errors(session, meeting_id)}
    if not consensus_note.strip():
        errors["consensus_note"] = ["Say how the group reached consensus (e.g. the meeting's decision)."]
    elif len(consensus_note) > TEXT_MAX:
        errors["consensus_note"] = [f"Use at most {TEXT_MAX} characters."]
    if errors:
        raise Invalid("The recommendation was not recorded.", fields=errors)
    assert recommended_on is not None
    before = snapshot(nomination, *NOMINATION_FIELDS)
    nomination.status, nomination.recommended_on = NominationStatus.RECOMMENDED, recommended_on
    nomination.consensus_note, nomination.meeting_id = consensus_note.strip(), meeting_id
    _flush(session)
    _audit_nomination(session, actor, "nomination.recommend", nomination, before)
    if (
        nomination.kind == DesignationKind.FOCAL_PERSON.value
        and session.get(MilestoneRecord, Milestone.FOCAL_PERSON_NOMINATED) is None
    ):
        record_milestone(session, actor=actor, milestone=Milestone.FOCAL_PERSON_NOMINATED, occurred_on=recommended_on,
                         note=f"Nomination #{nomination.id} recommended by the NSMCWG.")  # fmt: skip
    return nomination


def approve_nomination(
    session: Session, *, actor: User, nomination_id: int, version: int | None, approval_ref: str,
    approved_on: date | None,
) -> Nomination:  # fmt: skip
    """Record the PM's approval: the designation is recorded (R1: the chair only; the current
    holder's designation ends) in the same transaction, and linked to the nomination.

    Raises NotFound, Forbidden (not_chair), Conflict (stale, not recommended, or a concurrent
    designation), Invalid (no approval reference, a bad date, a nominee no longer eligible).
    """
    if not policy.can_approve(actor):
        raise Forbidden("Only the chair records the PM's approval, which records the designation (R1).",
                        code=policy.NOT_CHAIR)  # fmt: skip
    nomination = _nomination(session, nomination_id, version, "approve")
    errors = _date_errors("approved_on", approved_on)
    if not approval_ref.strip():
        errors["approval_ref"] = ["Give the PM's approval reference (letter no.)."]
    errors.update(length_errors(Nomination, {"approval_ref": approval_ref.strip()}))
    if errors:
        raise Invalid("The approval was not recorded.", fields=errors)
    before = snapshot(nomination, *NOMINATION_FIELDS)
    try:
        designation = designate(session, actor=actor, kind=DesignationKind(nomination.kind),
                                user_id=nomination.nominee_id, approval_ref=approval_ref.strip())  # fmt: skip
    except Invalid as error:  # the nominee is no longer eligible: say so beside the nomination
        raise Invalid("The approval was not recorded.", fields={"approval_ref": [error.message],
                                                               **error.fields}) from error  # fmt: skip
    nomination.status, nomination.approval_ref = NominationStatus.APPROVED, approval_ref.strip()
    nomination.approved_on, nomination.designation_id = approved_on, designation.id
    _flush(session)
    _audit_nomination(session, actor, "nomination.approve", nomination, before)
    return nomination


def close_nomination(
    session: Session, *, actor: User, nomination_id: int, version: int | None, outcome: NominationStatus,
    note: str = "", reference: str = "",
) -> Nomination:  # fmt: skip
    """End a nomination without a designation: the PM did not approve it (`not_approved`,
    with the PM's reference if any), or the group withdrew it (`withdrawn`). A note is required.

    Raises NotFound, Forbidden, Conflict (stale, or the step does not follow), Invalid.
    """
    _require_keeper(actor)
    if outcome not in (NominationStatus.NOT_APPROVED, NominationStatus.WITHDRAWN):
        raise Invalid("The nomination was not closed.", fields={"outcome": ["Choose not approved or withdrawn."]})
    nomination = _nomination(session, nomination_id, version, outcome.value)
    errors: FieldErrors = {} if note.strip() else {"note": ["Say why (kept in the nomination's history)."]}
    if len(note) > TEXT_MAX:
        errors["note"] = [f"Use at most {TEXT_MAX} characters."]
    errors.update(length_errors(Nomination, {"approval_ref": reference.strip()}))
    if errors:
        raise Invalid("The nomination was not closed.", fields={("reference" if k == "approval_ref" else k): v
                                                                for k, v in errors.items()})  # fmt: skip
    before = snapshot(nomination, *NOMINATION_FIELDS)
    nomination.status = outcome
    if reference.strip():
        nomination.approval_ref = reference.strip()
    _flush(session)
    record(session, actor=actor, action=f"nomination.{outcome.value}", target=Target.of(nomination), before=before,
           after=snapshot(nomination, *NOMINATION_FIELDS) | {"note": note.strip()})  # fmt: skip
    return nomination


# Recommendations (direction 2).


def _recommendation(session: Session, recommendation_id: int, version: int | None, step: str) -> Recommendation:
    recommendation = session.get(Recommendation, recommendation_id) if 0 < recommendation_id <= MAX_ID else None
    if recommendation is None:
        raise NotFound("There is no such recommendation.")
    if version is not None and version != recommendation.version:
        raise Conflict(STALE)
    if not policy.recommendation_step_allowed(step, recommendation.status):
        raise Conflict(f"This recommendation is {recommendation.status.label.lower()}: that step does not follow.",
                       code=policy.WRONG_STATE)  # fmt: skip
    return recommendation


def _text_errors(session: Session, title: str, text: str, meeting_id: int | None) -> FieldErrors:
    errors = length_errors(Recommendation, {"title": title.strip()})
    if not title.strip():
        errors["title"] = ["Give the recommendation a title."]
    if not text.strip():
        errors["text"] = ["Give the text of the recommendation."]
    elif len(text) > TEXT_MAX:
        errors["text"] = [f"Use at most {TEXT_MAX} characters."]
    return {**errors, **_meeting_errors(session, meeting_id)}


def _audit_recommendation(session: Session, actor: User, action: str, item: Recommendation, before: object) -> None:
    record(session, actor=actor, action=action, target=Target.of(item),
           before=before if isinstance(before, dict) else None,
           after=snapshot(item, *RECOMMENDATION_FIELDS))  # fmt: skip


def draft_recommendation(
    session: Session, *, actor: User, title: str, text: str, meeting_id: int | None = None
) -> Recommendation:
    """Draft a recommendation of the group. Raises Forbidden (keepers only), Invalid."""
    _require_keeper(actor)
    errors = _text_errors(session, title, text, meeting_id)
    if errors:
        raise Invalid("The recommendation was not recorded.", fields=errors)
    item = Recommendation(title=title.strip(), text=text.strip(), meeting_id=meeting_id, created_by_id=actor.id)
    session.add(item)
    session.flush()
    _audit_recommendation(session, actor, "recommendation.draft", item, None)
    return item


def edit_recommendation(
    session: Session, *, actor: User, recommendation_id: int, version: int | None, title: str, text: str,
    meeting_id: int | None = None,
) -> Recommendation:  # fmt: skip
    """Edit a draft (or returned) recommendation. Raises NotFound, Forbidden, Conflict, Invalid."""
    _require_keeper(actor)
    item = _recommendation(session, recommendation_id, version, "edit")
    errors = _text_errors(session, title, text, meeting_id)
    if errors:
        raise Invalid("The recommendation was not saved.", fields=errors)
    before = snapshot(item, *RECOMMENDATION_FIELDS)
    item.title, item.text, item.meeting_id = title.strip(), text.strip(), meeting_id
    _flush(session)
    _audit_recommendation(session, actor, "recommendation.edit", item, before)
    return item


def route_recommendation(
    session: Session, *, actor: User, recommendation_id: int, version: int | None, authority: str,
    authority_organisation_id: int | None, routed_on: date | None, routing_ref: str,
) -> Recommendation:  # fmt: skip
    """Route a recommendation to the competent authority under the Rules of Business (named,
    and/or the organisation), with the date and the routing reference.

    Raises NotFound, Forbidden, Conflict (stale, or not a draft/returned), Invalid.
    """
    _require_keeper(actor)
    item = _recommendation(session, recommendation_id, version, "route")
    lengths = length_errors(Recommendation, {"authority": authority.strip(), "routing_ref": routing_ref.strip()})
    errors = {**_date_errors("routed_on", routed_on), **lengths}
    organisation_id = authority_organisation_id
    if organisation_id is not None and (
        not 0 < organisation_id <= MAX_ID or session.get(Organisation, organisation_id) is None
    ):
        errors["authority_organisation_id"] = ["Choose an organisation from the list, or none."]
    if not authority.strip():
        errors["authority"] = ["Name the competent authority (e.g. the Federal Cabinet)."]
    if not routing_ref.strip():
        errors.setdefault("routing_ref", []).append("Give the reference of the summary or letter that routed it.")
    if errors:
        raise Invalid("The recommendation was not routed.", fields=errors)
    before = snapshot(item, *RECOMMENDATION_FIELDS)
    item.status, item.authority, item.authority_organisation_id = (RecommendationStatus.ROUTED, authority.strip(),
                                                                   authority_organisation_id)  # fmt: skip
    item.routed_on, item.routing_ref = routed_on, routing_ref.strip()
    item.decision, item.decided_on = "", None
    _flush(session)
    _audit_recommendation(session, actor, "recommendation.route", item, before)
    return item


def record_decision(
    session: Session, *, actor: User, recommendation_id: int, version: int | None, outcome: RecommendationStatus,
    decision: str, decided_on: date | None,
) -> Recommendation:  # fmt: skip
    """Record the competent authority's decision on a routed recommendation: accepted,
    rejected, or returned (for rework and routing again).

    Raises NotFound, Forbidden, Conflict (stale, or not routed), Invalid.
    """
    _require_keeper(actor)
    if outcome not in policy.DECISIONS:
        raise Invalid("The decision was not recorded.",
                      fields={"outcome": ["Choose accepted, rejected or returned."]})  # fmt: skip
    item = _recommendation(session, recommendation_id, version, "decide")
    errors = _date_errors("decided_on", decided_on)
    if item.routed_on and decided_on is not None and decided_on < item.routed_on:
        errors["decided_on"] = ["The decision cannot come before the routing date."]
    if not decision.strip():
        errors["decision"] = ["Give the authority's decision as communicated."]
    elif len(decision) > TEXT_MAX:
        errors["decision"] = [f"Use at most {TEXT_MAX} characters."]
    if errors:
        raise Invalid("The decision was not recorded.", fields=errors)
    before = snapshot(item, *RECOMMENDATION_FIELDS)
    item.status, item.decision, item.decided_on = outcome, decision.strip(), decided_on
    _flush(session)
    _audit_recommendation(session, actor, "recommendation.decide", item, before)
    return item
