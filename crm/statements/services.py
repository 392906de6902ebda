"""Statement writes: drafting and editing drafts, issuing (R3) and withdrawing.

Every write checks crm/statements/policy.py, flushes and appends one audit event in the
caller's transaction; a refusal raises before anything is written. Edits, issuing and
withdrawal carry the version the user saw: a stale one is a Conflict (R7), so what is issued
is exactly the text the issuer read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from crm.accounts.models import User
from crm.audit.services import Target, record, snapshot
from crm.companies.models import Company
from crm.db import utcnow
from crm.designations.models import DesignationKind
from crm.designations.queries import active_designation
from crm.errors import Conflict, Forbidden, Invalid, NotFound
from crm.http import MAX_ID
from crm.organisations.models import Organisation
from crm.statements import policy
from crm.statements.models import Statement, StatementChannel, StatementStatus
from crm.threads.models import Thread, thread_companies
from crm.validation import FieldErrors

TEXT_MAX = 20_000
REASON_MAX = 1000
AUDITED_FIELDS = ("text", "channel", "status", "company_id", "thread_id", "drafted_by_id", "issued_by_id", "issued_at")
NOT_FOUND = "There is no such statement."
CONFLICT = "This statement was changed by someone else meanwhile. Check the current text, then try again."
NOT_DRAFT = "Only a draft can be edited or issued: this statement is {status}."


@dataclass
class StatementInput:
    """What a drafter writes (shared by page and API)."""

    text: str
    channel: StatementChannel
    company_id: int | None = None
    thread_id: int | None = None


def _refuse(code: str) -> Forbidden:
    return Forbidden(policy.REFUSAL_MESSAGES[code], code=code)


def spokesperson_id(session: Session) -> int | None:
    """The user who holds the spokesperson designation now, if anyone."""
    designation = active_designation(session, DesignationKind.SPOKESPERSON)
    return designation.user_id if designation else None


def issue_refusal(session: Session, *, actor: User) -> str | None:
    """R3 for this actor now (views ask it only to show or hide the issue button)."""
    in_lead = bool(session.scalar(select(Organisation.is_lead).where(Organisation.id == actor.organisation_id)))
    return policy.issue_refusal(actor, spokesperson_id=spokesperson_id(session), in_lead_ministry=in_lead)


def _exists(session: Session, model: type[Any], record_id: int | None) -> bool:
    return record_id is not None and 1 <= record_id <= MAX_ID and session.get(model, record_id) is not None


def _reference_errors(session: Session, data: StatementInput) -> FieldErrors:
    errors: FieldErrors = {}
    if data.company_id is not None and not _exists(session, Company, data.company_id):
        errors["company_id"] = ["Choose a company from the list, or none."]
    if data.thread_id is not None and not _exists(session, Thread, data.thread_id):
        errors["thread_id"] = ["Choose a negotiation thread from the list, or none."]
    if errors or data.company_id is None or data.thread_id is None:
        return errors
    linked = session.scalar(
        select(thread_companies.c.thread_id).where(
            thread_companies.c.thread_id == data.thread_id, thread_companies.c.company_id == data.company_id
        )
    )
    return {} if linked else {"thread_id": ["Choose a negotiation thread with this company, or none."]}


def _validate(session: Session, data: StatementInput) -> FieldErrors:
    errors: FieldErrors = {}
    if not data.text.strip():
        errors["text"] = ["Write the statement's text."]
    elif len(data.text) > TEXT_MAX:
        errors["text"] = [f"Use at most {TEXT_MAX} characters (this has {len(data.text)})."]
    return {**errors, **_reference_errors(session, data)}


def _check(session: Session, data: StatementInput) -> None:
    errors = _validate(session, data)
    if errors:
        raise Invalid("The statement was not saved: please correct the fields shown.", fields=errors)


def draft_statement(session: Session, *, actor: User, data: StatementInput) -> Statement:
    """Record a draft statement by the actor.

    Raises Forbidden (not_permitted) before anything is written, or Invalid with field errors.
    """
    refusal = policy.draft_refusal(actor)
    if refusal:
        raise _refuse(refusal)
    _check(session, data)
    statement = Statement(text=data.text.strip(), channel=data.channel, company_id=data.company_id,
                          thread_id=data.thread_id, drafted_by_id=actor.id, status=StatementStatus.DRAFT)  # fmt: skip
    session.add(statement)
    session.flush()
    record(session, actor=actor, action="statement.draft", target=Target.of(statement),
           after=snapshot(statement, *AUDITED_FIELDS))  # fmt: skip
    return statement


def _locked(session: Session, statement_id: int, version: int | None) -> Statement:
    """The statement, row-locked (a concurrent change waits, then sees this one); NotFound, Conflict."""
    statement = session.get(Statement, statement_id, with_for_update=True, populate_existing=True)
    if statement is None:
        raise NotFound(NOT_FOUND)
    if version is not None and version != statement.version:
        raise Conflict(CONFLICT)
    return statement


def _flush(session: Session) -> None:
    try:
        session.flush()
    except StaleDataError as error:  # changed by someone else between our read and this write
        raise Conflict(CONFLICT) from error


def _require_draft(statement: Statement) -> None:
    if statement.status is not StatementStatus.DRAFT:
        raise Conflict(NOT_DRAFT.format(status=statement.status.label.lower()))


def update_draft(
    session: Session, *, actor: User, statement_id: int, version: int | None, data: StatementInput
) -> Statement:
    """Edit a draft (any drafter: the register is shared; the audit says who changed what).

    Raises NotFound, Forbidden (not_permitted), Conflict (stale version, or no longer a draft), Invalid.
    """
    refusal = policy.draft_refusal(actor)
    if refusal:
        raise _refuse(refusal)
    statement = _locked(session, statement_id, version)
    _require_draft(statement)
    _check(session, data)
    before = snapshot(statement, *AUDITED_FIELDS)
    statement.text, statement.channel = data.text.strip(), data.channel
    statement.company_id, statement.thread_id = data.company_id, data.thread_id
    _flush(session)
    record(session, actor=actor, action="statement.edit", target=Target.of(statement),
           before=before, after=snapshot(statement, *AUDITED_FIELDS))  # fmt: skip
    return statement


def _require_voice(session: Session, actor: User) -> None:
    refusal = issue_refusal(session, actor=actor)
    if refusal:
        raise _refuse(refusal)


def issue_statement(session: Session, *, actor: User, statement_id: int, version: int | None = None) -> Statement:
    """Issue a draft (R3): only a lead-ministry user or the designated spokesperson.

    Raises NotFound, Forbidden (not_authorized_spokesperson) before anything is written,
    Conflict (stale version, or not a draft).
    """
    if not _exists(session, Statement, statement_id):
        raise NotFound(NOT_FOUND)
    _require_voice(session, actor)
    statement = _locked(session, statement_id, version)
    _require_draft(statement)
    before = snapshot(statement, *AUDITED_FIELDS)
    statement.status, statement.issued_by_id, statement.issued_at = StatementStatus.ISSUED, actor.id, utcnow()
    _flush(session)
    record(session, actor=actor, action="statement.issue", target=Target.of(statement),
           before=before, after=snapshot(statement, *AUDITED_FIELDS))  # fmt: skip
    return statement


def withdraw_statement(
    session: Session, *, actor: User, statement_id: int, reason: str, version: int | None = None
) -> Statement:
    """Withdraw an issued statement, with a reason (kept in the audit event), by the same
    authority that issues (R3).

    Raises NotFound, Forbidden (not_authorized_spokesperson), Conflict (stale, or not issued), Invalid (no reason).
    """
    if not _exists(session, Statement, statement_id):
        raise NotFound(NOT_FOUND)
    _require_voice(session, actor)
    statement = _locked(session, statement_id, version)
    if statement.status is not StatementStatus.ISSUED:
        raise Conflict(f"Only an issued statement can be withdrawn: this one is {statement.status.label.lower()}.")
    reason = reason.strip()
    if not reason or len(reason) > REASON_MAX:
        message = "Say why the statement is withdrawn." if not reason else f"Use at most {REASON_MAX} characters."
        raise Invalid("The statement was not withdrawn.", fields={"reason": [message]})
    before = snapshot(statement, *AUDITED_FIELDS)
    statement.status = StatementStatus.WITHDRAWN
    _flush(session)
    record(session, actor=actor, action="statement.withdraw", target=Target.of(statement),
           before=before, after={**snapshot(statement, *AUDITED_FIELDS), "reason": reason})  # fmt: skip
    return statement


def record_export(session: Session, *, actor: User, filters: dict[str, Any], rows: int) -> None:
    """R8: an export of the register is audited (which filters, how many rows)."""
    record(session, actor=actor, action="statement.export", target=Target("statements", "list"),
           after={"filters": filters, "rows": rows})  # fmt: skip
