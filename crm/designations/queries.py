"""Reading designations."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from crm.accounts.models import User
from crm.designations.models import Designation, DesignationKind


def active_designation(session: Session, kind: DesignationKind) -> Designation | None:
    """The designation of this kind in force now, if any."""
    return session.scalar(select(Designation).where(Designation.kind == kind, Designation.ended_at.is_(None)))


def last_holder_id(session: Session, kind: DesignationKind) -> int | None:
    """The user of the most recent designation of this kind, active or ended."""
    query = select(Designation.user_id).where(Designation.kind == kind)
    return session.scalar(query.order_by(Designation.effective_from.desc(), Designation.id.desc()).limit(1))


def focal_person_id(session: Session) -> int | None:
    """The user who holds the focal-person designation now, if anyone."""
    query = select(Designation.user_id).where(
        Designation.kind == DesignationKind.FOCAL_PERSON, Designation.ended_at.is_(None)
    )
    return session.scalar(query)


def current_holders(session: Session) -> dict[DesignationKind, Designation]:
    """The active designation of each kind, with its holder and organisation loaded."""
    query = (
        select(Designation)
        .options(joinedload(Designation.user).joinedload(User.organisation))
        .where(Designation.ended_at.is_(None))
    )
    return {d.kind: d for d in session.scalars(query)}


def designations_of(session: Session, user_id: int) -> list[Designation]:
    """The user's active designations (their powers follow from these)."""
    query = select(Designation).where(Designation.user_id == user_id, Designation.ended_at.is_(None))
    return list(session.scalars(query))
