"""Recording and ending designations (rule R1)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from crm.accounts.models import User
from crm.audit.services import Target, record, snapshot
from crm.db import utcnow
from crm.designations import policy
from crm.designations.models import Designation, DesignationKind
from crm.designations.queries import active_designation, last_holder_id
from crm.errors import Conflict, Forbidden, Invalid, NotFound
from crm.followups.services import transfer_outbound_follow_ups
from crm.validation import aware_errors, length_errors, merge

CONCURRENT = "Another designation of this kind was recorded or ended at the same moment. Reload and check."
FIELDS = ("kind", "user_id", "effective_from", "ended_at", "approval_ref", "recorded_by_id")


def _require_chair(actor: User) -> None:
    if not policy.can_record_designation(actor):
        raise Forbidden("Only the chair records or ends a designation.", code="not_chair")


def _end(session: Session, designation: Designation, *, actor: User, when: datetime) -> None:
    before = snapshot(designation, *FIELDS)
    designation.ended_at = when
    try:
        session.flush()
    except StaleDataError as error:  # ended or replaced by a concurrent request
        raise Conflict(CONCURRENT) from error
    record(
        session,
        actor=actor,
        action="designation.end",
        target=Target.of(designation),
        before=before,
        after=snapshot(designation, *FIELDS),
    )


def _validate(
    session: Session, user_id: int, approval_ref: str, effective_from: datetime, current: Designation | None
) -> dict[str, list[str]]:
    holder = session.get(User, user_id)
    fields = merge(
        length_errors(Designation, {"approval_ref": approval_ref.strip()}),
        aware_errors("effective_from", effective_from),
    )
    if holder is None or not policy.can_hold_designation(holder):
        fields["user_id"] = ["Choose an active member, secretariat or chair user."]
    if not approval_ref.strip():
        fields["approval_ref"] = ["Give the approval reference (e.g. the PM's approval letter no.)."]
    if "effective_from" in fields:
        return fields
    if effective_from > utcnow() + timedelta(minutes=5):
        fields["effective_from"] = ["A designation cannot take effect in the future."]
    elif current is not None and effective_from < current.effective_from:
        fields["effective_from"] = ["This is before the current holder's designation took effect."]
    return fields


def designate(
    session: Session,
    *,
    actor: User,
    kind: DesignationKind,
    user_id: int,
    approval_ref: str,
    effective_from: datetime | None = None,
) -> Designation:
    """Designate a user (R1): the current holder's designation ends in the same transaction.

    Raises Forbidden (not the chair), Invalid (unknown or ineligible user, no approval
    reference, a naive or future `effective_from`, or one before the current holder's),
    Conflict (a concurrent designation of the same kind).
    The database's partial unique index backs the one-holder guarantee.
    """
    _require_chair(actor)
    # Kept in UTC from the start, so the record, its audit event and any answer agree.
    now = effective_from.astimezone(UTC) if effective_from and effective_from.tzinfo else effective_from or utcnow()
    current = active_designation(session, kind)
    fields = _validate(session, user_id, approval_ref, now, current)
    if fields:
        raise Invalid("The designation was not recorded.", fields=fields)
    previous_holder = last_holder_id(session, kind)
    if current is not None:
        _end(session, current, actor=actor, when=now)
    designation = Designation(
        kind=kind, user_id=user_id, effective_from=now, approval_ref=approval_ref.strip(), recorded_by_id=actor.id
    )
    session.add(designation)
    try:
        session.flush()
    except IntegrityError as error:  # the partial unique index: another designation of this kind won the race
        raise Conflict(CONCURRENT) from error
    record(
        session,
        actor=actor,
        action="designation.record",
        target=Target.of(designation),
        after=snapshot(designation, *FIELDS),
    )
    if kind is DesignationKind.FOCAL_PERSON and previous_holder not in (None, user_id):
        # R1: the channel's open outbound actions follow the designation, even across a vacancy.
        transfer_outbound_follow_ups(session, actor=actor, from_user_id=previous_holder, to_user_id=user_id)
    return designation


def end_designation(session: Session, *, actor: User, designation_id: int, version: int | None = None) -> Designation:
    """End a designation, leaving the post vacant. Raises Forbidden, NotFound, Conflict."""
    _require_chair(actor)
    designation = session.get(Designation, designation_id)
    if designation is None:
        raise NotFound("There is no such designation.")
    if (version is not None and version != designation.version) or designation.ended_at is not None:
        raise Conflict("This designation was changed or has already ended. Reload to see its state.")
    _end(session, designation, actor=actor, when=utcnow())
    return designation
