"""Notes requests (R5, R6): asking to read minutes, deciding, time-limited grants, revocation,
expiry, and the audited PDF copy of granted minutes.

Every write checks crm/notes/policy.py, flushes and appends one audit event in the caller's
transaction; a refusal raises before anything is written. Decisions carry the version the
decider saw and lock the row, so two deciders cannot both decide (R7).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from crm.accounts.models import User
from crm.audit.services import Target, record, snapshot
from crm.db import utcnow
from crm.designations.queries import focal_person_id
from crm.engagements import services as engagement_services
from crm.engagements.models import Engagement
from crm.errors import Conflict, Forbidden, Invalid, NotFound
from crm.formatting import format_date
from crm.http import MAX_ID
from crm.notes import policy, queries
from crm.notes.models import NotesRequest, NotesRequestStatus
from crm.threads.models import Thread
from crm.validation import FieldErrors

# How long an approval opens the minutes when the caller names no other period (R6).
DEFAULT_GRANT_DAYS = 30
MAX_GRANT_DAYS = 365
JUSTIFICATION_MAX = 4000
NOTE_MAX = 1000
FIELDS = ("requester_id", "engagement_id", "thread_id", "justification", "status")
DECISION_FIELDS = ("status", "decided_by_id", "decided_at", "decision_note", "expires_at")
NOT_FOUND = "There is no such notes request."
CONFLICT = "This request was decided or changed meanwhile. Reload it to see its outcome."


def _refuse(code: str) -> Forbidden:
    return Forbidden(policy.REFUSAL_MESSAGES[code], code=code)


def _in_range(record_id: int | None) -> bool:
    return record_id is not None and 1 <= record_id <= MAX_ID


def _target_errors(session: Session, engagement_id: int | None, thread_id: int | None) -> FieldErrors:
    if (engagement_id is None) == (thread_id is None):
        return {"engagement_id": ["Name either one engagement or one negotiation thread."]}
    if engagement_id is not None and (not _in_range(engagement_id) or session.get(Engagement, engagement_id) is None):
        return {"engagement_id": ["There is no such engagement."]}
    if thread_id is not None and (not _in_range(thread_id) or session.get(Thread, thread_id) is None):
        return {"thread_id": ["There is no such negotiation thread."]}
    return {}


def _justification_errors(justification: str) -> FieldErrors:
    if not justification.strip():
        return {"justification": ["Say why you need to read these minutes."]}
    if len(justification) > JUSTIFICATION_MAX:
        return {"justification": [f"Use at most {JUSTIFICATION_MAX} characters (this has {len(justification)})."]}
    return {}


def _refuse_duplicate(session: Session, actor: User, engagement_id: int | None, thread_id: int | None,
                      now: datetime) -> None:  # fmt: skip
    existing = queries.open_request_for(
        session, user_id=actor.id, engagement_id=engagement_id, thread_id=thread_id, now=now
    )
    if existing is not None:
        state = "is pending" if existing.status is NotesRequestStatus.PENDING else "is granted"
        message = (f"You already asked for these minutes on {format_date(existing.created_at)} (request "
                   f"#{existing.id}), and that request {state}. No new request was filed.")  # fmt: skip
        raise Conflict(message, code=policy.DUPLICATE_REQUEST, fields={"request_id": [str(existing.id)]})


def request_notes(
    session: Session,
    *,
    actor: User,
    justification: str,
    engagement_id: int | None = None,
    thread_id: int | None = None,
    now: datetime | None = None,
) -> NotesRequest:
    """File a pending request to read the minutes of one engagement, or of every engagement of a thread.

    Raises Forbidden (not_permitted) before anything is written, Invalid (no target, both, an
    unknown one, no justification), Conflict (duplicate_request: a pending request or live
    grant for the same target exists).
    """
    refusal = policy.request_refusal(actor)
    if refusal:
        raise _refuse(refusal)
    errors = {**_target_errors(session, engagement_id, thread_id), **_justification_errors(justification)}
    if errors:
        raise Invalid("The request was not filed: please correct the fields shown.", fields=errors)
    _refuse_duplicate(session, actor, engagement_id, thread_id, now or utcnow())
    request = NotesRequest(requester_id=actor.id, engagement_id=engagement_id, thread_id=thread_id,
                           justification=justification.strip(), status=NotesRequestStatus.PENDING)  # fmt: skip
    session.add(request)
    session.flush()
    record(session, actor=actor, action="notes_request.create", target=Target.of(request),
           after=snapshot(request, *FIELDS))  # fmt: skip
    return request


def _locked(session: Session, request_id: int, version: int | None) -> NotesRequest:
    # The row lock makes a concurrent decision wait, then see this one's outcome (PostgreSQL).
    request = session.get(NotesRequest, request_id, with_for_update=True, populate_existing=True)
    if request is None:
        raise NotFound(NOT_FOUND)
    if version is not None and version != request.version:
        raise Conflict(CONFLICT)
    return request


def _require_visible(session: Session, actor: User, request_id: int) -> bool:
    """NotFound unless the request exists and the actor may see it (so ids reveal nothing);
    returns whether the actor is the focal person."""
    request = session.get(NotesRequest, request_id) if _in_range(request_id) else None
    is_focal = focal_person_id(session) == actor.id
    if request is None or not policy.can_view(actor, request, is_focal_person=is_focal):
        raise NotFound(NOT_FOUND)
    return is_focal


def _for_decision(session: Session, actor: User, request_id: int, version: int | None) -> NotesRequest:
    """The pending request the actor may decide; raises NotFound, Forbidden (R6) or Conflict."""
    is_focal = _require_visible(session, actor, request_id)
    request = _locked(session, request_id, version)
    refusal = policy.decide_refusal(actor, request, is_focal_person=is_focal)
    if refusal:
        raise _refuse(refusal)
    if request.status is not NotesRequestStatus.PENDING:
        raise Conflict(CONFLICT)
    return request


def _write(session: Session, actor: User | None, request: NotesRequest, action: str, before: dict[str, object],
           extra: dict[str, object] | None = None) -> None:  # fmt: skip
    try:
        session.flush()
    except StaleDataError as error:  # decided by someone else between our read and this write
        raise Conflict(CONFLICT) from error
    record(session, actor=actor, action=f"notes_request.{action}", target=Target.of(request),
           before=before, after={**snapshot(request, *DECISION_FIELDS), **(extra or {})})  # fmt: skip


def approve_request(
    session: Session,
    *,
    actor: User,
    request_id: int,
    version: int | None = None,
    days: int = DEFAULT_GRANT_DAYS,
    now: datetime | None = None,
) -> NotesRequest:
    """Approve: a grant until `now + days` (1..MAX_GRANT_DAYS). The focal person or the chair,
    never the requester (R6).

    Raises NotFound, Forbidden (self_approval, not_decider), Conflict (decided, stale), Invalid (days).
    """
    request = _for_decision(session, actor, request_id, version)
    if not 1 <= days <= MAX_GRANT_DAYS:
        raise Invalid("The request was not approved.",
                      fields={"days": [f"Grant between 1 and {MAX_GRANT_DAYS} days."]})  # fmt: skip
    now = now or utcnow()
    before = snapshot(request, *DECISION_FIELDS)
    request.status, request.decided_by_id, request.decided_at = NotesRequestStatus.APPROVED, actor.id, now
    request.expires_at = now + timedelta(days=days)
    _write(session, actor, request, "approve", before, {"days": days})
    return request


def _note(text: str, *, required: bool, message: str) -> str:
    note = text.strip()
    if required and not note:
        raise Invalid("Nothing was changed.", fields={"reason": [message]})
    if len(note) > NOTE_MAX:
        raise Invalid("Nothing was changed.", fields={"reason": [f"Use at most {NOTE_MAX} characters."]})
    return note


def decline_request(
    session: Session, *, actor: User, request_id: int, reason: str, version: int | None = None,
    now: datetime | None = None,
) -> NotesRequest:  # fmt: skip
    """Decline with a reason the requester will read (the focal person or the chair, never the requester).

    Raises NotFound, Forbidden (self_approval, not_decider), Conflict, Invalid (no reason).
    """
    request = _for_decision(session, actor, request_id, version)
    note = _note(reason, required=True, message="Give the reason; the requester will read it.")
    before = snapshot(request, *DECISION_FIELDS)
    request.status, request.decided_by_id, request.decided_at = NotesRequestStatus.DECLINED, actor.id, now or utcnow()
    request.decision_note = note
    _write(session, actor, request, "decline", before)
    return request


def revoke_grant(
    session: Session, *, actor: User, request_id: int, reason: str = "", version: int | None = None,
    now: datetime | None = None,
) -> NotesRequest:  # fmt: skip
    """End a live grant now (the focal person or the chair); the reason is shown to the requester.

    Raises NotFound, Forbidden (not_decider), Conflict (not a live grant, stale version), Invalid.
    """
    is_focal = _require_visible(session, actor, request_id)
    refusal = policy.revoke_refusal(actor, is_focal_person=is_focal)
    if refusal:
        raise _refuse(refusal)
    request = _locked(session, request_id, version)
    now = now or utcnow()
    if not policy.is_live(request, now):
        raise Conflict("Only a live grant can be revoked: this request is not (or no longer) granted.")
    note = _note(reason, required=False, message="")
    before = snapshot(request, *DECISION_FIELDS)
    request.status, request.expires_at = NotesRequestStatus.REVOKED, now
    request.decision_note = note or request.decision_note
    _write(session, actor, request, "revoke", before, {"revoked_by_id": actor.id})
    return request


def expire_lapsed_grants(session: Session, *, now: datetime) -> list[NotesRequest]:
    """Mark approved grants past their expiry as expired (by the system), audited; returns them.

    Idempotent: an expired grant is no longer approved, so a second run finds nothing.
    """
    lapsed = list(
        session.scalars(
            select(NotesRequest)
            .where(NotesRequest.status == NotesRequestStatus.APPROVED, NotesRequest.expires_at <= now)
            .order_by(NotesRequest.id)
            .with_for_update()
        )
    )
    for request in lapsed:
        before = snapshot(request, *DECISION_FIELDS)
        request.status = NotesRequestStatus.EXPIRED
        _write(session, None, request, "expire", before)
    return lapsed


@dataclass(frozen=True)
class MinutesCopy:
    """What a PDF copy of minutes needs: the engagement (company and thread loaded) and its minutes."""

    engagement: Engagement
    minutes: str


def export_minutes(session: Session, *, actor: User, engagement_id: int) -> MinutesCopy:
    """The minutes for a watermarked PDF copy, after R5 (a grant counts; clearance still
    applies). Audited twice, in the caller's transaction: as a read of the minutes and as an export.

    Raises NotFound, Forbidden (insufficient_clearance, no_grant) before anything is written.
    """
    engagement = queries.engagement_with_people(session, engagement_id) if _in_range(engagement_id) else None
    if engagement is None:
        raise NotFound("There is no such engagement.")
    minutes = engagement_services.read_minutes(session, actor=actor, engagement=engagement)
    record(session, actor=actor, action="engagement.export_minutes_pdf", target=Target.of(engagement),
           after={"classification": engagement.classification.value})  # fmt: skip
    return MinutesCopy(engagement, minutes)
