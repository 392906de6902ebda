"""Contact writes: people at companies and government bodies, valid for a time.

Each function checks the register-keeper rule, validates all fields at once, flushes and
audits in the caller's transaction. The caller commits.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, fields, replace
from datetime import date
from typing import Any

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from crm.accounts.models import User
from crm.audit.services import Target, record, snapshot
from crm.companies.models import Company
from crm.companies.services import NOT_PERMITTED, REFUSAL
from crm.contacts import policy
from crm.contacts.models import Contact
from crm.designations.queries import focal_person_id
from crm.errors import Conflict, Forbidden, Invalid, NotFound
from crm.organisations.models import Organisation
from crm.validation import FieldErrors, email_errors, length_errors, merge

PHONE_PATTERN = re.compile(r"^\+?[0-9 ()./-]{3,}(\s*(ext\.?|x)\s*[0-9]{1,6})?$", re.IGNORECASE)
MAX_NOTES = 20_000


@dataclass(frozen=True)
class ContactInput:
    """What a person records about a contact (page, API and import share it).

    Exactly one of `company_id` and `organisation_id` is given: a contact works for a
    company or for a government body.
    """

    name: str
    company_id: int | None = None
    organisation_id: int | None = None
    title: str = ""
    email: str = ""
    phone: str = ""
    valid_from: date | None = None
    valid_to: date | None = None
    notes: str = ""

    @classmethod
    def of(cls, contact: Contact) -> ContactInput:
        return cls(**{name: getattr(contact, name) for name in CONTACT_FIELDS})

    def cleaned(self) -> ContactInput:
        # `type(...) is str`: the enums are str too, and must stay enums.
        stripped: dict[str, Any] = {k: v.strip() for k, v in asdict(self).items() if type(v) is str}
        return replace(self, **stripped)


CONTACT_FIELDS = tuple(f.name for f in fields(ContactInput))


def contact_errors(data: ContactInput) -> FieldErrors:
    """Field errors of a contact's values alone (no database): shared with the import preview."""
    errors = merge(length_errors(Contact, asdict(data)), email_errors("email", data.email))
    if not data.name:
        errors.setdefault("name", []).append("Give the person's name.")
    if (data.company_id is None) == (data.organisation_id is None):
        errors.setdefault("company_id", []).append("Choose a company or a government body (one of them).")
    if data.phone and not PHONE_PATTERN.match(data.phone):
        errors.setdefault("phone", []).append(
            "Use digits, spaces, + ( ) - and an optional extension, e.g. +92 51 1234567."
        )
    if data.valid_from and data.valid_to and data.valid_to < data.valid_from:
        errors.setdefault("valid_to", []).append("The end date is before the start date.")
    if len(data.notes) > MAX_NOTES:
        errors.setdefault("notes", []).append(f"Use at most {MAX_NOTES} characters.")
    return errors


def _reference_errors(session: Session, data: ContactInput) -> FieldErrors:
    # session.get answers from the identity map when the import has loaded the employer already.
    if data.company_id is not None and session.get(Company, data.company_id) is None:
        return {"company_id": ["Choose a company from the list."]}
    if data.organisation_id is not None and session.get(Organisation, data.organisation_id) is None:
        return {"organisation_id": ["Choose a government body from the list."]}
    return {}


def _require_keeper(session: Session, actor: User) -> None:
    if not policy.can_maintain_contacts(actor, is_focal_person=focal_person_id(session) == actor.id):
        raise Forbidden(REFUSAL, code=NOT_PERMITTED)


def _validated(session: Session, data: ContactInput) -> ContactInput:
    data = data.cleaned()
    errors = contact_errors(data)
    if "company_id" not in errors:
        errors = merge(errors, _reference_errors(session, data))
    if errors:
        raise Invalid("The contact was not saved: please correct the fields shown.", fields=errors)
    return data


def create_contact(session: Session, *, actor: User, data: ContactInput) -> Contact:
    """Add a contact. Raises Forbidden (not_permitted) or Invalid (fields)."""
    _require_keeper(session, actor)
    data = _validated(session, data)
    contact = Contact(**asdict(data))
    session.add(contact)
    session.flush()
    record(session, actor=actor, action="contact.create", target=Target.of(contact),
           after=snapshot(contact, *CONTACT_FIELDS))  # fmt: skip
    return contact


def update_contact(
    session: Session, *, actor: User, contact_id: int, version: int | None, data: ContactInput
) -> Contact:
    """Change a contact. A `version` other than the stored one is a Conflict (R7).

    Raises Forbidden, NotFound, Conflict or Invalid; writes nothing when nothing changed.
    """
    _require_keeper(session, actor)
    contact = session.get(Contact, contact_id)
    if contact is None:
        raise NotFound("There is no such contact.")
    message = f"The record of {contact.name} was changed by someone else since you opened it."
    if version is not None and version != contact.version:
        raise Conflict(message)
    data = _validated(session, data)
    before = snapshot(contact, *CONTACT_FIELDS)
    for name, value in asdict(data).items():
        setattr(contact, name, value)
    after = snapshot(contact, *CONTACT_FIELDS)
    if after != before:
        try:
            session.flush()
        except StaleDataError:
            raise Conflict(message) from None
        changed = [name for name in CONTACT_FIELDS if before[name] != after[name]]
        record(session, actor=actor, action="contact.update", target=Target.of(contact),
               before={k: before[k] for k in changed}, after={k: after[k] for k in changed})  # fmt: skip
    return contact
