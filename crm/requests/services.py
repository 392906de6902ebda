"""Engagement requests: a member asks the focal person to raise a matter with a company.

Accepting turns the request into an outbound follow-up for the focal person (R1 then moves it
with the designation); declining needs a reason. No one decides their own request.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from crm.accounts.models import User
from crm.audit.services import Target, record, snapshot
from crm.companies.models import Company
from crm.db import utcnow
from crm.designations.queries import focal_person_id
from crm.errors import Conflict, Forbidden, Invalid, NotFound
from crm.followups.services import create_follow_up
from crm.formatting import local
from crm.http import MAX_ID
from crm.requests import policy
from crm.requests.models import EngagementRequest, RequestStatus, Urgency
from crm.threads.models import thread_companies
from crm.validation import FieldErrors, length_errors

FIELDS = ("company_id", "thread_id", "purpose", "urgency", "status", "requested_by_id", "organisation_id")
DECISION_FIELDS = ("status", "decided_by_id", "decided_at", "decline_reason", "follow_up_id")
PURPOSE_MAX = 4000
TITLE_MAX = 300
# When the focal person should have raised the matter, counted from acceptance (Pakistan dates).
CONFLICT = "This request was decided or changed meanwhile. Reload it to see its outcome."
DUE_DAYS = {Urgency.URGENT: 2, Urgency.SOON: 7, Urgency.ROUTINE: 14}


def _refuse(code: str) -> Forbidden:
    return Forbidden(policy.REFUSAL_MESSAGES[code], code=code)


def _reference_errors(session: Session, company_id: int, thread_id: int | None) -> FieldErrors:
    if not 1 <= company_id <= MAX_ID or session.get(Company, company_id) is None:
        return {"company_id": ["Choose a company from the list."]}
    if thread_id is None:
        return {}
    if not 1 <= thread_id <= MAX_ID:
        return {"thread_id": ["Choose a negotiation thread of this company, or none."]}
    linked = session.scalar(
        select(thread_companies.c.thread_id).where(
            thread_companies.c.thread_id == thread_id, thread_companies.c.company_id == company_id
        )
    )
    return {} if linked is not None else {"thread_id": ["Choose a negotiation thread of this company, or none."]}


def _validate(session: Session, company_id: int, thread_id: int | None, purpose: str) -> FieldErrors:
    errors = _reference_errors(session, company_id, thread_id)
    if not purpose.strip():
        errors["purpose"] = ["Say what the focal person should raise with the company."]
    elif len(purpose) > PURPOSE_MAX:
        errors["purpose"] = [f"Use at most {PURPOSE_MAX} characters (this has {len(purpose)})."]
    return errors


def request_engagement(
    session: Session,
    *,
    actor: User,
    company_id: int,
    purpose: str,
    urgency: Urgency = Urgency.ROUTINE,
    thread_id: int | None = None,
) -> EngagementRequest:
    """File a pending request to the focal person, on behalf of the actor's organisation.

    Raises Forbidden (not_permitted; is_focal_person: the focal person engages directly) before
    anything is written, or Invalid (unknown company, a thread not of that company, no purpose).
    """
    refusal = policy.request_refusal(actor, is_focal_person=focal_person_id(session) == actor.id)
    if refusal:
        raise _refuse(refusal)
    errors = _validate(session, company_id, thread_id, purpose)
    if errors:
        raise Invalid("The request was not filed: please correct the fields shown.", fields=errors)
    request = EngagementRequest(
        company_id=company_id, thread_id=thread_id, purpose=purpose.strip(), urgency=urgency,
        requested_by_id=actor.id, organisation_id=actor.organisation_id,
    )  # fmt: skip
    session.add(request)
    session.flush()
    record(session, actor=actor, action="engagement_request.create", target=Target.of(request),
           after=snapshot(request, *FIELDS))  # fmt: skip
    return request


def _for_decision(session: Session, actor: User, request_id: int, version: int | None) -> EngagementRequest:
    """The pending request the actor may decide; raises NotFound, Forbidden or Conflict."""
    # The row lock makes a concurrent decision wait, then see this one's outcome (PostgreSQL).
    request = session.get(EngagementRequest, request_id, with_for_update=True, populate_existing=True)
    is_focal = focal_person_id(session) == actor.id
    # One it may not see is as one that does not exist: ids reveal nothing.
    if request is None or not policy.can_view(actor, request, is_focal_person=is_focal):
        raise NotFound("There is no such engagement request.")
    refusal = policy.decide_refusal(actor, request, is_focal_person=is_focal)
    if refusal:
        raise _refuse(refusal)
    if (version is not None and version != request.version) or request.status is not RequestStatus.PENDING:
        raise Conflict(CONFLICT)
    return request


def _decide(session: Session, actor: User, request: EngagementRequest, status: RequestStatus) -> None:
    before = snapshot(request, *DECISION_FIELDS)
    request.status, request.decided_by_id, request.decided_at = status, actor.id, utcnow()
    try:
        session.flush()
    except StaleDataError as error:  # decided by someone else between our read and this write
        raise Conflict(CONFLICT) from error
    record(session, actor=actor, action=f"engagement_request.{status.value}", target=Target.of(request),
           before=before, after=snapshot(request, *DECISION_FIELDS))  # fmt: skip


def follow_up_title(company_name: str, purpose: str) -> str:
    """`Raise with <company>: <purpose…>`, within the follow-up title's length."""
    head = f"Raise with {company_name}: "
    text = " ".join(purpose.split())
    room = TITLE_MAX - len(head)
    return head + (text if len(text) <= room else text[: room - 1].rstrip() + "…")


def accept_request(session: Session, *, actor: User, request_id: int, version: int | None = None) -> EngagementRequest:
    """Accept: an outbound follow-up for the current focal person, due by urgency (DUE_DAYS).

    Raises NotFound, Forbidden (self_approval, not_decider, no_focal_person: nobody to assign
    it to), Conflict (already decided or stale version). Nothing is written when refused.
    """
    request = _for_decision(session, actor, request_id, version)
    assignee = focal_person_id(session)
    if assignee is None:
        raise _refuse(policy.NO_FOCAL_PERSON)
    company = session.get(Company, request.company_id)
    follow_up = create_follow_up(
        session, actor=actor, title=follow_up_title(company.name if company else "the company", request.purpose),
        details=request.purpose, assignee_id=assignee, is_outbound_action=True,
        due_date=local(utcnow()).date() + timedelta(days=DUE_DAYS[request.urgency]),
        company_id=request.company_id, thread_id=request.thread_id,
    )  # fmt: skip
    request.follow_up_id = follow_up.id
    _decide(session, actor, request, RequestStatus.ACCEPTED)
    return request


def decline_request(
    session: Session, *, actor: User, request_id: int, reason: str, version: int | None = None
) -> EngagementRequest:
    """Decline with a reason the requester will read.

    Raises NotFound, Forbidden (self_approval, not_decider), Conflict, Invalid (no reason).
    """
    request = _for_decision(session, actor, request_id, version)
    errors = length_errors(EngagementRequest, {"decline_reason": reason.strip()})
    if not reason.strip():
        errors["decline_reason"] = ["Give the reason; the requester will read it."]
    if errors:
        raise Invalid("The request was not declined.", fields={"reason": errors["decline_reason"]})
    request.decline_reason = reason.strip()
    _decide(session, actor, request, RequestStatus.DECLINED)
    return request
