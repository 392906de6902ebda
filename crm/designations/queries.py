"""Reading designations."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from crm.accounts.models import User
from crm.designations.models import Designation, DesignationKind


def active_designation(session: Session, kind: DesignationKind) -> Designation | None:
    """The designation of this kind in force now, if any."""
    return session.scalar(select(Designation).where(Designation.kind == kind, Designation.ended_at.is_(None)))


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
