"""Reading contacts, with their employer always loaded (templates never query)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session, joinedload

from crm.contacts.models import Contact

PAGE_SIZE = 50
CHUNK = 500
EMPLOYER = (joinedload(Contact.company), joinedload(Contact.organisation))


def _filtered(query: Select[Any], company_id: int | None, current_on: date | None) -> Select[Any]:
    if company_id is not None:
        query = query.where(Contact.company_id == company_id)
    if current_on is not None:
        query = query.where(or_(Contact.valid_to.is_(None), Contact.valid_to >= current_on))
    return query


def list_contacts(
    session: Session,
    *,
    company_id: int | None = None,
    current_on: date | None = None,
    after_id: int | None = None,
    limit: int = PAGE_SIZE,
) -> list[Contact]:
    """Contacts by name (keyset after the contact `after_id`), optionally of one company and
    only those current on `current_on`. One query, whatever the size of the register."""
    name = func.lower(Contact.name)
    query = _filtered(select(Contact).options(*EMPLOYER), company_id, current_on)
    if after_id is not None:
        after_name = select(func.lower(Contact.name)).where(Contact.id == after_id).scalar_subquery()
        query = query.where(or_(name > after_name, and_(name == after_name, Contact.id > after_id)))
    return list(session.scalars(query.order_by(name, Contact.id).limit(limit)))


def page_contacts(
    session: Session, *, after_id: int | None, limit: int, company_id: int | None = None,
    current_on: date | None = None,
) -> list[Contact]:  # fmt: skip
    """Contacts by id after `after_id` (the API's cursor pagination)."""
    query = _filtered(select(Contact).options(*EMPLOYER), company_id, current_on)
    if after_id is not None:
        query = query.where(Contact.id > after_id)
    return list(session.scalars(query.order_by(Contact.id).limit(limit)))


def get_contact(session: Session, contact_id: int) -> Contact | None:
    """One contact with its employer (company or government body) loaded, or None."""
    return session.scalar(select(Contact).options(*EMPLOYER).where(Contact.id == contact_id))


def contacts_of_employers(
    session: Session, *, company_ids: Iterable[int] = (), organisation_ids: Iterable[int] = ()
) -> list[Contact]:
    """Every contact of these companies and government bodies (for matching an import)."""
    found: list[Contact] = []
    for column, wanted in ((Contact.company_id, company_ids), (Contact.organisation_id, organisation_ids)):
        ids = sorted(set(wanted))
        for start in range(0, len(ids), CHUNK):
            found += session.scalars(select(Contact).where(column.in_(ids[start : start + CHUNK])))
    return found
