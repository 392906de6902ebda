"""Engagement writes: logging (R2, R4), corrections, attachments, and audited reads (R5, R8)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from crm.accounts.models import Clearance, Role, User
from crm.audit.services import Target, record, snapshot
from crm.companies.models import Company
from crm.contacts.models import Contact
from crm.db import utcnow
from crm.designations.queries import focal_person_id
from crm.engagements import policy
from crm.engagements.models import Attachment, Direction, Engagement, EngagementKind, EngagementRevision
from crm.errors import Conflict, Forbidden, Invalid, NotFound
from crm.followups.services import create_follow_up
from crm.http import MAX_ID
from crm.notes.queries import has_live_grant
from crm.organisations.models import Organisation
from crm.storage import StoredFile
from crm.threads.models import thread_companies
from crm.validation import FieldErrors, aware_errors, length_errors, merge

PARTICIPANT_LOADS = (
    selectinload(Engagement.participants),
    selectinload(Engagement.organisations),
    selectinload(Engagement.contacts),
)
RESPONSE_DAYS = 7  # R4: the focal person's response to an inbound contact is due within a week
FUTURE_TOLERANCE = timedelta(hours=12)
# Older dates are typing mistakes (and year 1 cannot even be converted to UTC).
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
STALE_MESSAGE = "This engagement was corrected by someone else meanwhile. Reload it, then correct it again."
AUDITED_FIELDS = ("kind", "direction", "occurred_at", "location", "company_id", "thread_id", "subject",
                  "summary", "classification", "our_ref", "their_ref", "diary_no", "needs_no_response")  # fmt: skip


@dataclass
class EngagementInput:
    """What a person records about one contact event (shared by page, API, CLI and import)."""

    kind: EngagementKind
    direction: Direction
    occurred_at: datetime
    company_id: int
    subject: str
    thread_id: int | None = None
    location: str = ""
    summary: str = ""
    minutes: str = ""
    classification: Clearance = Clearance.RESTRICTED
    our_ref: str = ""
    their_ref: str = ""
    diary_no: str = ""
    needs_no_response: bool = False
    participant_ids: list[int] = field(default_factory=list)
    organisation_ids: list[int] = field(default_factory=list)
    contact_ids: list[int] = field(default_factory=list)

    def text_values(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self) if isinstance(getattr(self, f.name), str)}


def _in_range(*ids: int | None) -> bool:
    # An id the database cannot hold names no record (PostgreSQL would raise on it).
    return all(i is None or 0 < i <= MAX_ID for i in ids)


def _missing(session: Session, model: type, ids: list[int]) -> set[int]:
    if not ids:
        return set()
    if not _in_range(*ids):
        return set(ids)
    found = set(session.scalars(select(model.id).where(model.id.in_(ids))))  # type: ignore[attr-defined]
    return set(ids) - found


def _reference_errors(session: Session, data: EngagementInput) -> FieldErrors:
    errors: FieldErrors = {}
    if not _in_range(data.company_id) or session.get(Company, data.company_id) is None:
        return {"company_id": ["Choose a company from the list."]}
    if data.thread_id is not None and not _in_range(data.thread_id):
        errors["thread_id"] = ["Choose a negotiation thread of this company, or none."]
    elif data.thread_id is not None:
        linked = session.scalar(
            select(thread_companies.c.thread_id).where(
                thread_companies.c.thread_id == data.thread_id, thread_companies.c.company_id == data.company_id
            )
        )
        if linked is None:
            errors["thread_id"] = ["Choose a negotiation thread of this company, or none."]
    if _missing(session, User, data.participant_ids):
        errors["participant_ids"] = ["Choose government participants from the list."]
    if _missing(session, Organisation, data.organisation_ids):
        errors["organisation_ids"] = ["Choose organisations from the list."]
    contacts = (
        session.scalars(select(Contact).where(Contact.id.in_(data.contact_ids))).all()
        if data.contact_ids and _in_range(*data.contact_ids)
        else []
    )
    if len(contacts) != len(set(data.contact_ids)) or any(c.company_id != data.company_id for c in contacts):
        errors["contact_ids"] = ["Choose company participants among this company's contacts."]
    return errors


def _validate(session: Session, actor: User, data: EngagementInput) -> FieldErrors:
    errors = merge(length_errors(Engagement, data.text_values()), aware_errors("occurred_at", data.occurred_at))
    if not data.subject.strip():
        errors.setdefault("subject", []).append("Give the engagement a subject.")
    if "occurred_at" not in errors and data.occurred_at > utcnow() + FUTURE_TOLERANCE:
        errors["occurred_at"] = ["Record engagements once they have happened (this date is in the future)."]
    elif "occurred_at" not in errors and data.occurred_at < EARLIEST:
        errors["occurred_at"] = ["Check the date: it is before 1990."]
    if not policy.can_classify(actor, data.classification):
        errors["classification"] = [f"You can classify up to {actor.clearance.label}, your clearance."]
    return merge(errors, _reference_errors(session, data))


def _check_channel(session: Session, actor: User, direction: Direction) -> None:
    """R2 for outbound, the recording roles for inbound; raises Forbidden with the rule's code."""
    if direction is Direction.OUTBOUND:
        refusal = policy.outbound_refusal(actor, focal_person_id(session))
    else:
        refusal = policy.inbound_refusal(actor)
    if refusal:
        raise Forbidden(policy.REFUSAL_MESSAGES[refusal], code=refusal)


def _set_participants(session: Session, engagement: Engagement, data: EngagementInput) -> None:
    engagement.participants = list(session.scalars(select(User).where(User.id.in_(data.participant_ids))))
    engagement.organisations = list(
        session.scalars(select(Organisation).where(Organisation.id.in_(data.organisation_ids)))
    )
    engagement.contacts = list(session.scalars(select(Contact).where(Contact.id.in_(data.contact_ids))))


def _channel_follow_up(session: Session, actor: User, engagement: Engagement) -> None:
    """R4: an inbound contact is answered through the focal person (the chair while vacant)."""
    assignee = focal_person_id(session) or session.scalar(
        select(User.id).where(User.role == Role.CHAIR, User.is_active).order_by(User.id).limit(1)
    )
    organisation = None if assignee else actor.organisation_id
    create_follow_up(
        session, actor=actor, title=f"Respond through the focal person: {engagement.subject}"[:300],
        assignee_id=assignee, assignee_organisation_id=organisation,
        due_date=(engagement.occurred_at + timedelta(days=RESPONSE_DAYS)).date(), is_outbound_action=True,
        company_id=engagement.company_id, thread_id=engagement.thread_id, engagement_id=engagement.id,
    )  # fmt: skip


def log_engagement(session: Session, *, actor: User, data: EngagementInput) -> Engagement:
    """Record one engagement. Outbound only by the focal person (R2); inbound creates the
    channel follow-up unless marked as needing no response (R4).

    Raises Forbidden (not_focal_person, no_focal_person, not_permitted) before anything is
    written, or Invalid with field errors.
    """
    _check_channel(session, actor, data.direction)
    errors = _validate(session, actor, data)
    if errors:
        raise Invalid("The engagement was not recorded: please correct the fields shown.", fields=errors)
    engagement = Engagement(
        kind=data.kind, direction=data.direction, occurred_at=data.occurred_at, location=data.location.strip(),
        company_id=data.company_id, thread_id=data.thread_id, subject=data.subject.strip(), summary=data.summary,
        minutes=data.minutes, classification=data.classification, our_ref=data.our_ref.strip(),
        their_ref=data.their_ref.strip(), diary_no=data.diary_no.strip(),
        needs_no_response=data.needs_no_response and data.direction is Direction.INBOUND, logged_by_id=actor.id,
    )  # fmt: skip
    _set_participants(session, engagement, data)
    session.add(engagement)
    session.flush()
    record(session, actor=actor, action="engagement.log", target=Target.of(engagement),
           after=snapshot(engagement, *AUDITED_FIELDS))  # fmt: skip
    if engagement.direction is Direction.INBOUND and not engagement.needs_no_response:
        _channel_follow_up(session, actor, engagement)
    return engagement


def _has_grant(session: Session, actor: User, engagement: Engagement) -> bool:
    # A live approved notes request for this engagement or its thread (R5, R6); expiry is
    # checked by the query itself, not left to the expiry job.
    return has_live_grant(session, user_id=actor.id, engagement_id=engagement.id, thread_id=engagement.thread_id,
                          now=utcnow())  # fmt: skip


def minutes_refusal(
    session: Session, *, actor: User, engagement: Engagement, include_grants: bool = True
) -> str | None:
    """R5 for this actor and engagement: None when the minutes may be shown.

    A notes grant opens reading only: corrections and uploads ask with include_grants=False.
    The grant is looked up only for a cleared reader without a standing role.
    """
    is_focal = focal_person_id(session) == actor.id
    refusal = policy.minutes_refusal(actor, engagement.classification, is_focal_person=is_focal, has_grant=False)
    if refusal != policy.NO_GRANT or not include_grants:
        return refusal
    return policy.minutes_refusal(
        actor, engagement.classification, is_focal_person=is_focal, has_grant=_has_grant(session, actor, engagement)
    )


def read_minutes(session: Session, *, actor: User, engagement: Engagement) -> str:
    """The minutes, after R5, with the read audited (R8). Raises Forbidden with R5's code."""
    refusal = minutes_refusal(session, actor=actor, engagement=engagement)
    if refusal:
        raise Forbidden(policy.REFUSAL_MESSAGES[refusal], code=refusal)
    record(session, actor=actor, action="engagement.read_minutes", target=Target.of(engagement))
    return engagement.minutes


def _get_for_change(session: Session, actor: User, engagement_id: int, version: int | None) -> Engagement:
    # populate_existing: the caller may hold this engagement already, loaded without its
    # participants (lazy="raise") or at an older version.
    engagement = session.get(Engagement, engagement_id, options=PARTICIPANT_LOADS, populate_existing=True)
    if engagement is None:
        raise NotFound("There is no such engagement.")
    refusal = policy.change_refusal(
        actor, minutes_refusal(session, actor=actor, engagement=engagement, include_grants=False)
    )
    if refusal:
        raise Forbidden("Only people who may read this engagement's minutes can correct it or add files.",
                        code=refusal)  # fmt: skip
    if version is not None and version != engagement.version:
        raise Conflict(STALE_MESSAGE)
    return engagement


def correct_engagement(
    session: Session, *, actor: User, engagement_id: int, version: int | None, reason: str, data: EngagementInput
) -> Engagement:
    """Correct a recorded engagement, keeping the previous values as a revision.

    The direction cannot change (R2 and R4 were applied to it). Raises NotFound, Forbidden,
    Conflict (stale version), Invalid.
    """
    engagement = _get_for_change(session, actor, engagement_id, version)
    errors = _validate(session, actor, data)
    if data.direction is not engagement.direction:
        errors["direction"] = ["The direction cannot be corrected; record a new engagement instead."]
    if not reason.strip():
        errors["reason"] = ["Say why the record is corrected."]
    if errors:
        raise Invalid("The correction was not saved: please correct the fields shown.", fields=errors)
    previous = engagement_state(engagement)
    revision_no = 1 + (
        session.scalar(select(func.count()).where(EngagementRevision.engagement_id == engagement.id)) or 0
    )
    _apply(session, engagement, data)
    session.add(EngagementRevision(engagement_id=engagement.id, revision=revision_no, previous=previous,
                                   reason=reason.strip()[:500], changed_by_id=actor.id))  # fmt: skip
    try:
        session.flush()
    except StaleDataError:
        # Another transaction corrected it between our read and our write (R7).
        raise Conflict(STALE_MESSAGE) from None
    record(session, actor=actor, action="engagement.correct", target=Target.of(engagement),
           before={k: previous[k] for k in AUDITED_FIELDS}, after=snapshot(engagement, *AUDITED_FIELDS))  # fmt: skip
    return engagement


def engagement_state(engagement: Engagement) -> dict[str, Any]:
    """The correctable values of an engagement as plain JSON (a revision's `previous`).

    Needs the participants, organisations and contacts loaded.
    """
    return {
        **snapshot(engagement, *AUDITED_FIELDS, "minutes"),
        "participant_ids": [user.id for user in engagement.participants],
        "organisation_ids": [organisation.id for organisation in engagement.organisations],
        "contact_ids": [contact.id for contact in engagement.contacts],
    }


def _apply(session: Session, engagement: Engagement, data: EngagementInput) -> None:
    for name in ("kind", "occurred_at", "company_id", "thread_id", "summary", "minutes", "classification"):
        setattr(engagement, name, getattr(data, name))
    engagement.needs_no_response = data.needs_no_response and engagement.direction is Direction.INBOUND
    for name in ("location", "subject", "our_ref", "their_ref", "diary_no"):
        setattr(engagement, name, getattr(data, name).strip())
    # Always an UPDATE of the row (once), so the version moves even when only participants change.
    engagement.updated_at = utcnow()
    _set_participants(session, engagement, data)


def add_attachment(session: Session, *, actor: User, engagement_id: int, stored: StoredFile) -> Attachment:
    """Attach a stored file to an engagement (same access as a correction)."""
    engagement = _get_for_change(session, actor, engagement_id, None)
    attachment = Attachment(engagement_id=engagement.id, filename=stored.filename, content_type=stored.content_type,
                            size=stored.size, sha256=stored.sha256, uploaded_by_id=actor.id)  # fmt: skip
    session.add(attachment)
    session.flush()
    record(session, actor=actor, action="attachment.add", target=Target.of(attachment),
           after=snapshot(attachment, "engagement_id", "filename", "content_type", "size", "sha256"))  # fmt: skip
    return attachment


def open_attachment(session: Session, *, actor: User, attachment_id: int) -> Attachment:
    """An attachment the actor may download (R5 of its engagement), the read audited."""
    attachment = session.get(Attachment, attachment_id)
    engagement = session.get(Engagement, attachment.engagement_id) if attachment and attachment.engagement_id else None
    if attachment is None or engagement is None:
        raise NotFound("There is no such file.")
    refusal = minutes_refusal(session, actor=actor, engagement=engagement)
    if refusal:
        raise Forbidden(policy.REFUSAL_MESSAGES[refusal], code=refusal)
    record(session, actor=actor, action="attachment.read", target=Target.of(attachment))
    return attachment


def record_export(session: Session, *, actor: User, filters: dict[str, Any], rows: int) -> None:
    """R8: an export of the engagement list is audited (which filters, how many rows)."""
    record(session, actor=actor, action="engagement.export", target=Target("engagements", "list"),
           after={"filters": filters, "rows": rows})  # fmt: skip


def build_attachment(session: Session, *, actor: User, stored: StoredFile, commitment_id: int) -> Attachment:
    """The row of a commitment's evidence file (Attachment rows are built only in this module).

    For crm.commitments.services.attach_evidence, which checks who may attach and audits the
    write; this only adds and flushes the row.
    """
    attachment = Attachment(commitment_id=commitment_id, filename=stored.filename, content_type=stored.content_type,
                            size=stored.size, sha256=stored.sha256, uploaded_by_id=actor.id)  # fmt: skip
    session.add(attachment)
    session.flush()
    return attachment


# The governance records (issue 5) that own files: an attachment belongs to exactly one.
ATTACHMENT_OWNERS = frozenset({"draft_review_id", "data_response_id", "progress_report_id"})


def build_record_attachment(
    session: Session, *, actor: User, stored: StoredFile, owner: str, owner_id: int
) -> Attachment:
    """The row of a file owned by a draft review, a data response or a progress report.

    `owner` names the owning column (one of ATTACHMENT_OWNERS); the calling service checks
    who may attach and audits the write; this only adds and flushes the row.
    """
    if owner not in ATTACHMENT_OWNERS:
        raise ValueError(f"not an attachment owner: {owner}")
    attachment = Attachment(filename=stored.filename, content_type=stored.content_type, size=stored.size,
                            sha256=stored.sha256, uploaded_by_id=actor.id, **{owner: owner_id})  # fmt: skip
    session.add(attachment)
    session.flush()
    return attachment
