"""Engagement test data: companies, contacts and threads are added directly (the architecture
test only scans crm/); engagements and designations go through the real services."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from crm.accounts.models import Clearance, Role, User
from crm.companies.models import Company
from crm.contacts.models import Contact
from crm.db import utcnow
from crm.designations.models import DesignationKind
from crm.designations.services import designate
from crm.engagements.models import Direction, Engagement, EngagementKind
from crm.engagements.services import EngagementInput, log_engagement
from crm.threads.models import Thread
from tests.factories import make_user

_counter = itertools.count(1)


def make_company(session: Session, name: str | None = None) -> Company:
    company = Company(name=name or f"Platform {next(_counter)}", legal_name="Platform Inc.")
    session.add(company)
    session.flush()
    return company


def make_contact(session: Session, company: Company, name: str | None = None) -> Contact:
    contact = Contact(company_id=company.id, name=name or f"Contact {next(_counter)}", title="Public policy")
    session.add(contact)
    session.flush()
    return contact


def make_thread(session: Session, company: Company, created_by: User, title: str | None = None) -> Thread:
    thread = Thread(title=title or f"Thread {next(_counter)}", created_by_id=created_by.id, companies=[company])
    session.add(thread)
    session.flush()
    return thread


def make_focal_person(session: Session, chair: User, user: User) -> None:
    designate(session, actor=chair, kind=DesignationKind.FOCAL_PERSON, user_id=user.id, approval_ref="PM approval 1")


def engagement_input(company_id: int, **overrides: Any) -> EngagementInput:
    values: dict[str, Any] = {
        "kind": EngagementKind.MEETING,
        "direction": Direction.INBOUND,
        "occurred_at": utcnow() - timedelta(days=1),
        "company_id": company_id,
        "subject": "Data localisation",
        "summary": "Discussed the liaison office.",
        "minutes": "Google **agreed** to revert in two weeks.",
        "classification": Clearance.RESTRICTED,
    }
    values.update(overrides)
    return EngagementInput(**values)


def log(session: Session, actor: User, company_id: int, **overrides: Any) -> Engagement:
    return log_engagement(session, actor=actor, data=engagement_input(company_id, **overrides))


@dataclass
class World:
    """The people, a company with a contact and a thread, and a designated focal person."""

    chair: User
    focal: User
    member: User
    secretariat: User
    observer: User
    admin: User
    company: Company
    contact: Contact
    thread: Thread


def build_world(session: Session, *, designate_focal: bool = True) -> World:
    confidential = Clearance.CONFIDENTIAL
    chair = make_user(session, role=Role.CHAIR, org="NSD", clearance=Clearance.SECRET)
    focal = make_user(session, role=Role.MEMBER, org="MoIT", clearance=confidential)
    member = make_user(session, role=Role.MEMBER, org="MoIB", clearance=confidential)
    secretariat = make_user(session, role=Role.SECRETARIAT, org="DMW", clearance=confidential)
    observer = make_user(session, role=Role.OBSERVER, org="PMO", clearance=confidential)
    admin = make_user(session, role=Role.ADMIN, org="MoIT", clearance=confidential)
    company = make_company(session)
    contact = make_contact(session, company)
    thread = make_thread(session, company, chair)
    if designate_focal:
        make_focal_person(session, chair, focal)
    return World(chair, focal, member, secretariat, observer, admin, company, contact, thread)


ANY_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def page_csrf(client: Any, path: str) -> str:
    """A CSRF token from any form on `path` (the sign-out form is on every page)."""
    match = ANY_CSRF.search(client.get(path).get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1) or match.group(2)
