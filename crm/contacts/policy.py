"""Who keeps the contacts register, and when a contact counts as current. Pure predicates."""

from __future__ import annotations

from datetime import date

from crm.accounts.models import User
from crm.companies.policy import can_maintain_register
from crm.contacts.models import Contact


def can_maintain_contacts(actor: User, *, is_focal_person: bool) -> bool:
    """Contacts are part of the register: the chair, the secretariat and the focal person
    keep them; everyone signed in reads them."""
    return can_maintain_register(actor, is_focal_person=is_focal_person)


def is_current(contact: Contact, on: date) -> bool:
    """A contact is current unless their time in the post ended before `on` (people rotate)."""
    return contact.valid_to is None or contact.valid_to >= on
