"""Reading organisations."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm.accounts.models import User
from crm.organisations.models import Membership, Organisation

_MEMBERSHIP_ORDER = {Membership.PERMANENT: 0, Membership.CO_OPTED: 1, Membership.NONE: 2}


def list_organisations(session: Session) -> list[Organisation]:
    """All organisations: the lead first, then members, then the rest, by short name."""
    rows = session.scalars(select(Organisation).order_by(Organisation.short_name))
    return sorted(rows, key=lambda o: (not o.is_lead, _MEMBERSHIP_ORDER[o.membership], o.short_name.lower()))


def user_counts(session: Session) -> dict[int, int]:
    """Active users per organisation id, in one query."""
    query = select(User.organisation_id, func.count()).where(User.is_active).group_by(User.organisation_id)
    return {org_id: count for org_id, count in session.execute(query)}


def get_by_short_name(session: Session, short_name: str) -> Organisation | None:
    """Case-insensitive lookup, for the CLI and imports."""
    return session.scalar(select(Organisation).where(func.lower(Organisation.short_name) == short_name.lower()))
