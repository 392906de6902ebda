"""Commitment writes: recording, editing, status changes, verification and evidence files.

Every write checks crm/commitments/policy.py, flushes and appends one audit event in the
caller's transaction; a refusal raises before anything is written (R7). Edits, status
changes and verification carry the version the user saw: a stale one is a Conflict.
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
from crm.commitments import policy
from crm.commitments.models import Commitment, CommitmentDirection, CommitmentStatus
from crm.companies.models import Company
from crm.db import utcnow
from crm.designations.queries import focal_person_id
from crm.engagements.models import Attachment, Engagement
from crm.engagements.services import build_attachment
from crm.errors import Conflict, Forbidden, Invalid, NotFound
from crm.http import MAX_ID
from crm.organisations.models import Organisation
from crm.storage import StoredFile
from crm.threads.models import thread_companies
from crm.validation import FieldErrors, length_errors, merge

TEXT_MAX = 10_000
EVIDENCE_MAX = 20_000
# Earlier or later due dates are typing mistakes (a promise of 2201 is no promise).
EARLIEST_DUE, LATEST_DUE = date(1990, 1, 1), date(2100, 12, 31)
AUDITED_FIELDS = ("direction", "company_id", "party", "organisation_id", "engagement_id", "thread_id", "text",
                  "due_date", "evidence", "status", "status_note", "verified_by_id", "verified_at")  # fmt: skip
CONFLICT = "This commitment was changed by someone else meanwhile. Check the current record, then save again."
NOT_FOUND = "There is no such commitment."


@dataclass
class CommitmentInput:
    """What a keeper records about a promise (shared by page, API and any import)."""

    direction: CommitmentDirection
    company_id: int
    text: str
    due_date: date | None = None
    party: str = ""
    organisation_id: int | None = None
    engagement_id: int | None = None
    thread_id: int | None = None
    evidence: str = ""

    def cleaned(self) -> CommitmentInput:
        """The same input with plain text trimmed (enums are str too: left alone)."""
        texts = {f.name: getattr(self, f.name).strip() for f in fields(self) if type(getattr(self, f.name)) is str}
        return CommitmentInput(**{**self.__dict__, **texts})

    @classmethod
    def of(cls, commitment: Commitment) -> CommitmentInput:
        """The current values of a commitment (for partial updates such as an API PATCH)."""
        return cls(**{f.name: getattr(commitment, f.name) for f in fields(cls)})


def _is_focal_person(session: Session, actor: User) -> bool:
    """Whether the actor holds the focal-person designation now."""
    return focal_person_id(session) == actor.id


def can_record(session: Session, *, actor: User) -> bool:
    """policy.can_record for the actor now (views ask it only to show or hide buttons)."""
    return policy.can_record(actor, is_focal_person=_is_focal_person(session, actor))


def can_verify(session: Session, *, actor: User) -> bool:
    """policy.can_verify for the actor now (views ask it only to show or hide buttons)."""
    return policy.can_verify(actor, is_focal_person=_is_focal_person(session, actor))


def _require_keeper(session: Session, actor: User) -> None:
    if not can_record(session, actor=actor):
        raise Forbidden(policy.REFUSAL_MESSAGES[policy.NOT_PERMITTED], code=policy.NOT_PERMITTED)


def _exists(session: Session, model: type[Any], record_id: int | None) -> bool:
    return record_id is not None and 1 <= record_id <= MAX_ID and session.get(model, record_id) is not None


def _engagement_errors(session: Session, data: CommitmentInput) -> FieldErrors:
    if data.engagement_id is None:
        return {}
    engagement = session.get(Engagement, data.engagement_id) if 1 <= data.engagement_id <= MAX_ID else None
    if engagement is None or engagement.company_id != data.company_id:
        return {"engagement_id": ["Choose an engagement with this company, or none."]}
    return {}


def _thread_errors(session: Session, data: CommitmentInput) -> FieldErrors:
    if data.thread_id is None:
        return {}
    linked = 1 <= data.thread_id <= MAX_ID and session.scalar(
        select(thread_companies.c.thread_id).where(
            thread_companies.c.thread_id == data.thread_id, thread_companies.c.company_id == data.company_id
        )
    )
    return {} if linked else {"thread_id": ["Choose a negotiation thread with this company, or none."]}


def _reference_errors(session: Session, data: CommitmentInput) -> FieldErrors:
    if not _exists(session, Company, data.company_id):
        return {"company_id": ["Choose a company from the list."]}
    errors = merge(_engagement_errors(session, data), _thread_errors(session, data))
    if data.organisation_id is not None and data.direction is CommitmentDirection.COMPANY_TO_GOVERNMENT:
        errors["organisation_id"] = ["Name the delivering organisation only for a government → company promise."]
    elif data.organisation_id is not None and not _exists(session, Organisation, data.organisation_id):
        errors["organisation_id"] = ["Choose the organisation from the list, or none."]
    return errors


def _validate(session: Session, data: CommitmentInput) -> FieldErrors:
    errors = length_errors(Commitment, {"party": data.party})
    if not data.text:
        errors["text"] = ["Write what was promised."]
    elif len(data.text) > TEXT_MAX:
        errors["text"] = [f"Use at most {TEXT_MAX} characters (this has {len(data.text)})."]
    if len(data.evidence) > EVIDENCE_MAX:
        errors["evidence"] = [f"Use at most {EVIDENCE_MAX} characters (this has {len(data.evidence)})."]
    if data.due_date is not None and not EARLIEST_DUE <= data.due_date <= LATEST_DUE:
        errors["due_date"] = ["Check the due date: it must fall between 1990 and 2100."]
    return merge(errors, _reference_errors(session, data))


def _apply(commitment: Commitment, data: CommitmentInput) -> None:
    for f in fields(CommitmentInput):
        setattr(commitment, f.name, getattr(data, f.name))


def record_commitment(session: Session, *, actor: User, data: CommitmentInput) -> Commitment:
    """Record an open commitment made by a company or by the government.

    Raises Forbidden (not_permitted: only the register keepers) before anything is written,
    or Invalid with field errors (text, due date, party, and references that exist and
    belong to the company). Audited with the recorded values.
    """
    _require_keeper(session, actor)
    data = data.cleaned()
    errors = _validate(session, data)
    if errors:
        raise Invalid("The commitment was not recorded: please correct the fields shown.", fields=errors)
    commitment = Commitment(status=CommitmentStatus.OPEN, created_by_id=actor.id)
    _apply(commitment, data)
    session.add(commitment)
    session.flush()
    record(session, actor=actor, action="commitment.record", target=Target.of(commitment),
           after=snapshot(commitment, *AUDITED_FIELDS))  # fmt: skip
    return commitment


def _get_for_change(session: Session, commitment_id: int, version: int | None) -> Commitment:
    commitment = session.get(Commitment, commitment_id) if 1 <= commitment_id <= MAX_ID else None
    if commitment is None:
        raise NotFound(NOT_FOUND)
    if version is not None and version != commitment.version:
        raise Conflict(CONFLICT)
    return commitment


def _flush(session: Session) -> None:
    """Flush; a concurrent write caught by the version column is a Conflict, not a crash."""
    try:
        session.flush()
    except StaleDataError:
        raise Conflict(CONFLICT) from None


def update_commitment(
    session: Session, *, actor: User, commitment_id: int, version: int | None, data: CommitmentInput
) -> Commitment:
    """Edit what a commitment says (status and verification move only through their own services).

    Raises Forbidden (not_permitted), NotFound, Conflict (a stale `version`) or Invalid;
    nothing is written when it raises. Audited with before and after.
    """
    _require_keeper(session, actor)
    commitment = _get_for_change(session, commitment_id, version)
    data = data.cleaned()
    errors = _validate(session, data)
    if errors:
        raise Invalid("The commitment was not saved: please correct the fields shown.", fields=errors)
    before = snapshot(commitment, *AUDITED_FIELDS)
    _apply(commitment, data)
    commitment.updated_at = utcnow()  # always an UPDATE, so the version moves even for no change
    _flush(session)
    record(session, actor=actor, action="commitment.update", target=Target.of(commitment), before=before,
           after=snapshot(commitment, *AUDITED_FIELDS))  # fmt: skip
    return commitment


def set_commitment_status(
    session: Session, *, actor: User, commitment_id: int, status: CommitmentStatus, note: str = "",
    version: int | None,
) -> Commitment:  # fmt: skip
    """Close a commitment (fulfilled, partially fulfilled, breached, withdrawn) or reopen it.

    A note is required for every status but open. The change clears any verification: what
    was verified was the previous outcome. Raises Forbidden (not_permitted), NotFound,
    Conflict (stale `version`) or Invalid; nothing is written when it raises.
    """
    _require_keeper(session, actor)
    commitment = _get_for_change(session, commitment_id, version)
    note = note.strip()
    errors = merge(policy.status_change_errors(commitment.status, status, note),
                   length_errors(Commitment, {"status_note": note}))  # fmt: skip
    if errors:
        raise Invalid("The status was not changed: please correct the fields shown.", fields=errors)
    before = snapshot(commitment, "status", "status_note", "verified_by_id", "verified_at")
    commitment.status, commitment.status_note = status, note
    commitment.verified_by_id, commitment.verified_at = None, None
    _flush(session)
    record(session, actor=actor, action="commitment.set_status", target=Target.of(commitment), before=before,
           after=snapshot(commitment, "status", "status_note", "verified_by_id", "verified_at"))  # fmt: skip
    return commitment


def verify_commitment(session: Session, *, actor: User, commitment_id: int, version: int | None) -> Commitment:
    """Record that the focal person or the chair verified the commitment's outcome (who, when).

    Only an outcome can be verified: an open commitment is Invalid (field `status`); one
    already verified is a Conflict. Raises Forbidden (not_verifier), NotFound, Conflict
    (stale `version`); nothing is written when it raises.
    """
    if not can_verify(session, actor=actor):
        raise Forbidden(policy.REFUSAL_MESSAGES[policy.NOT_VERIFIER], code=policy.NOT_VERIFIER)
    commitment = _get_for_change(session, commitment_id, version)
    if commitment.status is CommitmentStatus.OPEN:
        raise Invalid(
            "An open commitment cannot be verified.",
            fields={"status": ["Record the outcome (fulfilled, breached…) first, then verify it."]},
        )
    if commitment.verified_at is not None:
        raise Conflict("This commitment is already verified.")
    commitment.verified_by_id, commitment.verified_at = actor.id, utcnow()
    _flush(session)
    record(session, actor=actor, action="commitment.verify", target=Target.of(commitment),
           after=snapshot(commitment, "status", "verified_by_id", "verified_at"))  # fmt: skip
    return commitment


def attach_evidence(session: Session, *, actor: User, commitment_id: int, stored: StoredFile) -> Attachment:
    """Attach a stored file as evidence of a commitment (the register keepers).

    Raises Forbidden (not_permitted) or NotFound; audited with the file's digest.
    """
    _require_keeper(session, actor)
    commitment = _get_for_change(session, commitment_id, None)
    attachment = build_attachment(session, actor=actor, stored=stored, commitment_id=commitment.id)
    record(session, actor=actor, action="attachment.add", target=Target.of(attachment),
           after=snapshot(attachment, "commitment_id", "filename", "content_type", "size", "sha256"))  # fmt: skip
    return attachment


def open_evidence(session: Session, *, actor: User, attachment_id: int) -> Attachment:
    """An evidence file of a commitment the actor may read (policy.can_view), the read audited.

    Raises NotFound for an unknown id or a file that is not a commitment's (engagement files
    follow R5 through crm.engagements.services.open_attachment), Forbidden otherwise.
    """
    attachment = session.get(Attachment, attachment_id) if 1 <= attachment_id <= MAX_ID else None
    if attachment is None or attachment.commitment_id is None:
        raise NotFound("There is no such file.")
    if not policy.can_view(actor):
        raise Forbidden("Your role does not read the commitments register.", code=policy.NOT_PERMITTED)
    record(session, actor=actor, action="attachment.read", target=Target.of(attachment))
    return attachment


def record_export(session: Session, *, actor: User, filters: dict[str, Any], rows: int) -> None:
    """R8: an export of the register is audited (which filters, how many rows)."""
    record(session, actor=actor, action="commitment.export", target=Target("commitments", "list"),
           after={"filters": filters, "rows": rows})  # fmt: skip
