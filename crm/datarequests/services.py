"""Data request writes: asking an organisation for data, editing the request, its status, and
the organisation's responses (text and files).

Every write checks crm/datarequests/policy.py, flushes and appends one audit event in the
caller's transaction; a refusal raises before anything is written (R7). Edits and status
changes carry the version the user saw: a stale one is a Conflict.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from crm.accounts.models import User
from crm.audit.services import Target, record, snapshot
from crm.datarequests import policy
from crm.datarequests.models import DataRequest, DataRequestStatus, DataResponse
from crm.db import utcnow
from crm.directives.models import Directive
from crm.engagements.models import Attachment
from crm.engagements.services import build_record_attachment
from crm.errors import Conflict, Forbidden, Invalid, NotFound
from crm.formatting import local
from crm.http import MAX_ID
from crm.organisations.models import Organisation
from crm.storage import StoredFile
from crm.threads.models import Thread
from crm.validation import FieldErrors, length_errors

DETAILS_MAX = 20_000
PURPOSE_MAX = 10_000
RESPONSE_MAX = 50_000
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)
FIELDS = ("requested_from_id", "title", "details", "purpose", "due_date", "status", "directive_id", "thread_id")
CONFLICT = "This data request was changed by someone else meanwhile. Check the current record, then save again."
NOT_FOUND = "There is no such data request."


@dataclass
class RequestInput:
    """What the group asks for, from whom, why and by when (page and API alike)."""

    requested_from_id: int
    title: str
    details: str = ""
    purpose: str = ""
    due_date: date | None = None
    directive_id: int | None = None
    thread_id: int | None = None

    def cleaned(self) -> RequestInput:
        texts = {f.name: getattr(self, f.name).strip() for f in fields(self) if isinstance(getattr(self, f.name), str)}
        return RequestInput(**{**self.__dict__, **texts})

    @classmethod
    def of(cls, request: DataRequest) -> RequestInput:
        """The current values (for partial updates such as an API PATCH)."""
        return cls(**{f.name: getattr(request, f.name) for f in fields(cls)})


def today() -> date:
    """Pakistan's today: due dates are Pakistani calendar dates."""
    return local(utcnow()).date()


def _refuse(code: str) -> Forbidden:
    return Forbidden(policy.REFUSAL_MESSAGES[code], code=code)


def _exists(session: Session, model: type[Any], record_id: int | None) -> bool:
    return record_id is not None and 1 <= record_id <= MAX_ID and session.get(model, record_id) is not None


def _validate(session: Session, data: RequestInput) -> FieldErrors:
    errors = length_errors(DataRequest, {"title": data.title})
    if not data.title:
        errors["title"] = ["Say in a line what data is asked for."]
    for name, value, limit in (("details", data.details, DETAILS_MAX), ("purpose", data.purpose, PURPOSE_MAX)):
        if len(value) > limit:
            errors[name] = [f"Use at most {limit} characters (this has {len(value)})."]
    if data.due_date is not None and not EARLIEST <= data.due_date <= LATEST:
        errors["due_date"] = ["Check the due date: it is not between 2000 and 2100."]
    if not _exists(session, Organisation, data.requested_from_id):
        errors["requested_from_id"] = ["Choose the organisation asked for the data."]
    if data.directive_id is not None and not _exists(session, Directive, data.directive_id):
        errors["directive_id"] = ["Choose a directive from the tracker, or none."]
    if data.thread_id is not None and not _exists(session, Thread, data.thread_id):
        errors["thread_id"] = ["Choose a negotiation thread, or none."]
    return errors


def _apply(request: DataRequest, data: RequestInput) -> None:
    for f in fields(RequestInput):
        setattr(request, f.name, getattr(data, f.name))


def create_data_request(session: Session, *, actor: User, data: RequestInput) -> DataRequest:
    """Ask an organisation for data (status open).

    Raises Forbidden (not_keeper: only the secretariat and the chair ask) before anything is
    written, or Invalid with field errors.
    """
    refusal = policy.keeper_refusal(actor)
    if refusal:
        raise _refuse(refusal)
    data = data.cleaned()
    errors = _validate(session, data)
    if errors:
        raise Invalid("The request was not filed: please correct the fields shown.", fields=errors)
    request = DataRequest(status=DataRequestStatus.OPEN, created_by_id=actor.id)
    _apply(request, data)
    session.add(request)
    session.flush()
    record(session, actor=actor, action="data_request.create", target=Target.of(request),
           after=snapshot(request, *FIELDS))  # fmt: skip
    return request


def _get(session: Session, request_id: int, version: int | None = None) -> DataRequest:
    request = session.get(DataRequest, request_id, populate_existing=True) if 1 <= request_id <= MAX_ID else None
    if request is None:
        raise NotFound(NOT_FOUND)
    if version is not None and version != request.version:
        raise Conflict(CONFLICT)
    return request


def _flush(session: Session) -> None:
    try:
        session.flush()
    except StaleDataError:  # changed by another transaction between our read and our write
        raise Conflict(CONFLICT) from None


def update_data_request(
    session: Session, *, actor: User, request_id: int, version: int | None, data: RequestInput
) -> DataRequest:
    """Edit what is asked, from whom, why and by when (not the status).

    Raises Forbidden (not_keeper), NotFound, Conflict (stale version), Invalid. Audited.
    """
    refusal = policy.keeper_refusal(actor)
    if refusal:
        raise _refuse(refusal)
    request = _get(session, request_id, version)
    data = data.cleaned()
    errors = _validate(session, data)
    if errors:
        raise Invalid("The request was not saved: please correct the fields shown.", fields=errors)
    before = snapshot(request, *FIELDS)
    _apply(request, data)
    flag_modified(request, "title")  # always an UPDATE: the version moves even for no change
    _flush(session)
    record(session, actor=actor, action="data_request.update", target=Target.of(request), before=before,
           after=snapshot(request, *FIELDS))  # fmt: skip
    return request


def set_data_request_status(
    session: Session, *, actor: User, request_id: int, version: int | None, status: DataRequestStatus
) -> DataRequest:
    """Mark a request answered, closed or cancelled, or reopen it (the secretariat, the chair).

    Raises Forbidden (not_keeper), NotFound, Conflict (stale), Invalid (no change).
    """
    refusal = policy.keeper_refusal(actor)
    if refusal:
        raise _refuse(refusal)
    request = _get(session, request_id, version)
    if request.status is status:
        raise Invalid(
            "The status was not changed.", fields={"status": [f"The request is already {status.label.lower()}."]}
        )
    before = snapshot(request, "status")
    request.status = status
    _flush(session)
    record(session, actor=actor, action="data_request.set_status", target=Target.of(request), before=before,
           after=snapshot(request, "status"))  # fmt: skip
    return request


def respond_to_data_request(
    session: Session, *, actor: User, request_id: int, text: str, stored: StoredFile | None = None
) -> DataResponse:
    """The requested organisation's answer: text, and optionally a file. Several are allowed.

    The first response to an open request marks it answered (reminders stop; the secretariat
    may reopen it if the answer is incomplete). Raises NotFound, Forbidden (not_permitted,
    not_requested_organisation, request_closed) or Invalid (no text); nothing is written then.
    """
    request = _get(session, request_id)
    refusal = policy.respond_refusal(actor, request)
    if refusal:
        raise _refuse(refusal)
    text = text.replace("\r\n", "\n").strip()
    if not text or len(text) > RESPONSE_MAX:
        message = (
            "Write the answer (files can be attached too)." if not text else f"Use at most {RESPONSE_MAX} characters."
        )
        raise Invalid("The response was not sent.", fields={"text": [message]})
    response = DataResponse(data_request_id=request.id, organisation_id=actor.organisation_id, text=text,
                            responded_by_id=actor.id)  # fmt: skip
    session.add(response)
    if request.status is DataRequestStatus.OPEN:
        request.status = DataRequestStatus.ANSWERED
    _flush(session)
    record(session, actor=actor, action="data_request.respond", target=Target.of(response),
           after={**snapshot(response, "data_request_id", "organisation_id"),
                  "status": request.status.value})  # fmt: skip
    if stored is not None:
        attach_response_file(session, actor=actor, response_id=response.id, stored=stored)
    return response


def attach_response_file(session: Session, *, actor: User, response_id: int, stored: StoredFile) -> Attachment:
    """Attach a file to a response: its author only (while the request takes responses).

    Raises NotFound or Forbidden; audited with the file's digest.
    """
    response = session.get(DataResponse, response_id) if 1 <= response_id <= MAX_ID else None
    if response is None:
        raise NotFound("There is no such response.")
    if response.responded_by_id != actor.id:
        raise _refuse(policy.NOT_PERMITTED)
    refusal = policy.respond_refusal(actor, _get(session, response.data_request_id))
    if refusal:
        raise _refuse(refusal)
    attachment = build_record_attachment(session, actor=actor, stored=stored, owner="data_response_id",
                                         owner_id=response.id)  # fmt: skip
    record(session, actor=actor, action="attachment.add", target=Target.of(attachment),
           after=snapshot(attachment, "data_response_id", "filename", "content_type", "size", "sha256"))  # fmt: skip
    return attachment


def open_response_file(session: Session, *, actor: User, attachment_id: int) -> Attachment:
    """A response's file for a reader of data requests, the read audited (R8).

    Raises NotFound (unknown, or not a response's file) or Forbidden (not_permitted).
    """
    attachment = session.get(Attachment, attachment_id) if 1 <= attachment_id <= MAX_ID else None
    if attachment is None or attachment.data_response_id is None:
        raise NotFound("There is no such file.")
    if not policy.can_view(actor):
        raise _refuse(policy.NOT_PERMITTED)
    record(session, actor=actor, action="attachment.read", target=Target.of(attachment))
    return attachment
