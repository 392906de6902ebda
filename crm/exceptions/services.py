"""Channel exceptions: reporting a contact made outside the single channel, and the chair's review."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from crm.accounts.models import User
from crm.audit.services import Target, record, snapshot
from crm.companies.models import Company
from crm.db import utcnow
from crm.errors import Conflict, Forbidden, Invalid, NotFound
from crm.exceptions import policy
from crm.exceptions.models import ChannelException, ExceptionStatus
from crm.formatting import local
from crm.http import MAX_ID
from crm.organisations.models import Organisation
from crm.validation import FieldErrors, length_errors

FIELDS = ("company_id", "who", "organisation_id", "occurred_on", "what", "status", "reported_by_id")
REVIEW_FIELDS = ("status", "review_note", "reviewed_by_id", "reviewed_at")
TEXT_MAX = 4000
CONFLICT = "This report was reviewed or changed meanwhile. Reload it to see its state."


def _text_errors(name: str, value: str, missing: str) -> FieldErrors:
    if not value.strip():
        return {name: [missing]}
    if len(value) > TEXT_MAX:
        return {name: [f"Use at most {TEXT_MAX} characters (this has {len(value)})."]}
    return {}


def _validate(
    session: Session, *, company_id: int, who: str, organisation_id: int | None, occurred_on: date, what: str
) -> FieldErrors:
    errors = length_errors(ChannelException, {"who": who.strip()})
    if not who.strip():
        errors["who"] = ["Say who engaged the company (a person or an office)."]
    errors.update(_text_errors("what", what, "Say what happened."))
    if not 1 <= company_id <= MAX_ID or session.get(Company, company_id) is None:
        errors["company_id"] = ["Choose a company from the list."]
    if organisation_id is not None and (
        not 1 <= organisation_id <= MAX_ID or session.get(Organisation, organisation_id) is None
    ):
        errors["organisation_id"] = ["Choose an organisation from the list, or none."]
    # Pakistan's date, with a day's grace for a report filed just after midnight elsewhere.
    if occurred_on > local(utcnow()).date() + timedelta(days=1):
        errors["occurred_on"] = ["The contact cannot have happened in the future."]
    return errors


def report_exception(
    session: Session,
    *,
    actor: User,
    company_id: int,
    who: str,
    occurred_on: date,
    what: str,
    organisation_id: int | None = None,
) -> ChannelException:
    """Report a contact made outside the channel; it waits for the chair's review.

    Raises Forbidden (not_permitted: observers and admins) before anything is written, or
    Invalid (unknown company or organisation, no who/what, a future date).
    """
    if not policy.can_report(actor):
        raise Forbidden("Your role does not report channel exceptions.", code=policy.NOT_PERMITTED)
    errors = _validate(session, company_id=company_id, who=who, organisation_id=organisation_id,
                       occurred_on=occurred_on, what=what)  # fmt: skip
    if errors:
        raise Invalid("The report was not filed: please correct the fields shown.", fields=errors)
    report = ChannelException(company_id=company_id, who=who.strip(), organisation_id=organisation_id,
                              occurred_on=occurred_on, what=what.strip(), reported_by_id=actor.id)  # fmt: skip
    session.add(report)
    session.flush()
    record(session, actor=actor, action="channel_exception.report", target=Target.of(report),
           after=snapshot(report, *FIELDS))  # fmt: skip
    return report


def review_exception(
    session: Session, *, actor: User, exception_id: int, note: str, version: int | None = None
) -> ChannelException:
    """The chair's review, with a note; the report becomes `reviewed`.

    Raises NotFound, Forbidden (not_chair), Conflict (already reviewed or stale version),
    Invalid (no note). Nothing is written when refused.
    """
    report = session.get(ChannelException, exception_id, with_for_update=True, populate_existing=True)
    if report is None:
        raise NotFound("There is no such channel exception.")
    if not policy.can_review(actor):
        raise Forbidden("Only the chair reviews channel exceptions.", code=policy.NOT_CHAIR)
    if (version is not None and version != report.version) or report.status is not ExceptionStatus.OPEN:
        raise Conflict(CONFLICT)
    errors = _text_errors("note", note, "Write the review note: what was found and what follows.")
    if errors:
        raise Invalid("The review was not saved.", fields=errors)
    before = snapshot(report, *REVIEW_FIELDS)
    report.status, report.review_note = ExceptionStatus.REVIEWED, note.strip()
    report.reviewed_by_id, report.reviewed_at = actor.id, utcnow()
    try:
        session.flush()
    except StaleDataError as error:  # reviewed by someone else between our read and this write
        raise Conflict(CONFLICT) from error
    record(session, actor=actor, action="channel_exception.review", target=Target.of(report), before=before,
           after=snapshot(report, *REVIEW_FIELDS))  # fmt: skip
    return report
