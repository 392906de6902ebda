"""Factories for the company register tests: plain functions through the real services.

Threads are inserted directly: they belong to another feature, and the profile only reads them.
"""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from sqlalchemy import insert
from sqlalchemy.orm import Session

from crm.accounts.models import Clearance, Role, User
from crm.companies.models import AccessStatus, Company, Service
from crm.companies.services import CompanyInput, ServiceInput, add_service, create_company, today
from crm.contacts.models import Contact
from crm.contacts.services import ContactInput, create_contact
from crm.db import utcnow
from crm.designations.models import DesignationKind
from crm.designations.services import designate
from crm.engagements.models import Direction, Engagement, EngagementKind
from crm.engagements.services import EngagementInput, log_engagement
from crm.followups.models import FollowUp
from crm.followups.services import create_follow_up
from crm.threads.models import Stage, Thread, thread_companies
from tests.factories import make_user

_counter = itertools.count(1)


def make_keeper(session: Session, role: Role = Role.SECRETARIAT, **kwargs: object) -> User:
    """A user who keeps the register (secretariat by default)."""
    org = "NSD" if role is Role.CHAIR else "MoIT"
    return make_user(session, role=role, org=kwargs.pop("org", org), **kwargs)


def appoint_focal_person(session: Session, user: User, *, chair: User | None = None) -> None:
    chair = chair or make_user(session, role=Role.CHAIR, org="NSD")
    designate(session, actor=chair, kind=DesignationKind.FOCAL_PERSON, user_id=user.id, approval_ref="PM-2021/7")


def make_company(session: Session, *, actor: User, name: str | None = None, **values: object) -> Company:
    data = CompanyInput(name=name or f"Company {next(_counter)}", **values)
    return create_company(session, actor=actor, data=data)


def make_service(
    session: Session,
    *,
    actor: User,
    company: Company,
    name: str | None = None,
    status: AccessStatus = AccessStatus.AVAILABLE,
    since: date | None = None,
    **values: object,
) -> Service:
    data = ServiceInput(name=name or f"Service {next(_counter)}", **values)
    return add_service(session, actor=actor, company_id=company.id, data=data, access_status=status, status_since=since)


def make_contact(
    session: Session,
    *,
    actor: User,
    company: Company | None = None,
    organisation_id: int | None = None,
    name: str | None = None,
    **values: object,
) -> Contact:
    data = ContactInput(
        name=name or f"Person {next(_counter)}",
        company_id=company.id if company else None,
        organisation_id=organisation_id,
        **values,
    )
    return create_contact(session, actor=actor, data=data)


def make_thread(
    session: Session,
    *,
    actor: User,
    company: Company,
    title: str | None = None,
    stage: Stage = Stage.NEGOTIATING,
    **values: object,
) -> Thread:
    thread = Thread(title=title or f"Thread {next(_counter)}", stage=stage, created_by_id=actor.id, **values)
    session.add(thread)
    session.flush()
    session.execute(insert(thread_companies).values(thread_id=thread.id, company_id=company.id))
    return thread


def make_engagement(
    session: Session, *, actor: User, company: Company, subject: str | None = None, days_ago: int = 1, **values: object
) -> Engagement:
    """An inbound engagement needing no response (so no follow-up is created), logged by `actor`."""
    values.setdefault("classification", Clearance.UNCLASSIFIED)
    data = EngagementInput(
        kind=EngagementKind.MEETING,
        direction=Direction.INBOUND,
        occurred_at=utcnow() - timedelta(days=days_ago),
        company_id=company.id,
        subject=subject or f"Meeting {next(_counter)}",
        needs_no_response=True,
        **values,
    )
    return log_engagement(session, actor=actor, data=data)


def make_follow_up(
    session: Session, *, actor: User, company: Company, assignee: User, title: str | None = None, due_in_days: int = 7
) -> FollowUp:
    return create_follow_up(
        session,
        actor=actor,
        title=title or f"Follow up {next(_counter)}",
        assignee_id=assignee.id,
        due_date=today() + timedelta(days=due_in_days),
        company_id=company.id,
    )
