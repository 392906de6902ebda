"""Reading designations."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from crm.accounts.models import User
from crm.designations.models import Designation, DesignationKind
from crm.designations.policy import HOLDER_ROLES


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


HISTORY_LOADS = (
    joinedload(Designation.user).joinedload(User.organisation),
    joinedload(Designation.recorded_by),
)


def get_designation(session: Session, designation_id: int) -> Designation | None:
    """One designation with its holder (and organisation) and recorder loaded."""
    return session.scalar(select(Designation).options(*HISTORY_LOADS).where(Designation.id == designation_id))


def list_designations(
    session: Session,
    *,
    kind: DesignationKind | None = None,
    active: bool | None = None,
    after_id: int | None = None,
    before_id: int | None = None,
    newest_first: bool = False,
    limit: int = 50,
) -> list[Designation]:
    """Designations (the history: ended ones are kept) by id, keyset-paginated either way.

    `after_id` pages forward in id order, `before_id` backwards (with `newest_first`).
    """
    query = select(Designation).options(*HISTORY_LOADS).limit(limit)
    query = query.order_by(Designation.id.desc() if newest_first else Designation.id)
    if kind is not None:
        query = query.where(Designation.kind == kind)
    if active is not None:
        query = query.where(Designation.ended_at.is_(None) if active else Designation.ended_at.is_not(None))
    if after_id is not None:
        query = query.where(Designation.id > after_id)
    if before_id is not None:
        query = query.where(Designation.id < before_id)
    return list(session.scalars(query))


def eligible_holders(session: Session) -> list[User]:
    """Users who may hold a designation (policy.can_hold_designation), by name, with organisation."""
    query = (
        select(User)
        .options(joinedload(User.organisation))
        .where(User.is_active, User.role.in_(HOLDER_ROLES))
        .order_by(User.full_name, User.id)
    )
    return list(session.scalars(query))
