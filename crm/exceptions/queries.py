"""Reading channel exceptions, with everything a page shows loaded up front."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from crm.accounts.models import User
from crm.exceptions.models import ChannelException, ExceptionStatus
from crm.organisations.models import Organisation

LOADS = (
    joinedload(ChannelException.company),
    joinedload(ChannelException.organisation),
    joinedload(ChannelException.reported_by).joinedload(User.organisation),
    joinedload(ChannelException.reviewed_by),
)


def get_exception(session: Session, exception_id: int) -> ChannelException | None:
    """One report with its company, organisation, reporter and reviewer loaded."""
    return session.scalar(select(ChannelException).options(*LOADS).where(ChannelException.id == exception_id))


def list_exceptions(
    session: Session,
    *,
    reported_by_id: int | None = None,
    status: ExceptionStatus | None = None,
    after_id: int | None = None,
    before_id: int | None = None,
    newest_first: bool = False,
    limit: int = 50,
) -> list[ChannelException]:
    """Reports (all, or one reporter's), keyset-paginated by id in either direction."""
    query = select(ChannelException).options(*LOADS).limit(limit)
    query = query.order_by(ChannelException.id.desc() if newest_first else ChannelException.id)
    if reported_by_id is not None:
        query = query.where(ChannelException.reported_by_id == reported_by_id)
    if status is not None:
        query = query.where(ChannelException.status == status)
    if after_id is not None:
        query = query.where(ChannelException.id > after_id)
    if before_id is not None:
        query = query.where(ChannelException.id < before_id)
    return list(session.scalars(query))


def organisation_choices(session: Session) -> list[tuple[int, str]]:
    """(id, "SHORT — Name") of every organisation, by short name."""
    rows = session.execute(select(Organisation.id, Organisation.short_name, Organisation.name).order_by(
        Organisation.short_name))  # fmt: skip
    return [(row.id, f"{row.short_name} — {row.name}") for row in rows]
