"""Factories for the channel tests: plain functions on a session.

Companies and threads belong to features built elsewhere, so they are added directly here
(tests only; the architecture rule is about crm/). Everything of the channel itself goes
through the real services.
"""

from __future__ import annotations

import itertools
from datetime import date

from sqlalchemy import insert
from sqlalchemy.orm import Session

from crm.accounts.models import Role, User
from crm.companies.models import Company
from crm.designations.models import Designation, DesignationKind
from crm.designations.services import designate
from crm.exceptions.models import ChannelException
from crm.exceptions.services import report_exception
from crm.followups.models import FollowUp
from crm.followups.services import create_follow_up
from crm.requests.models import EngagementRequest, Urgency
from crm.requests.services import request_engagement
from crm.threads.models import Thread, thread_companies
from tests.factories import make_user

APPROVAL = "PMO No. 1(29)/DS(ICT)/2021"
_counter = itertools.count(1)


def make_company(session: Session, name: str | None = None) -> Company:
    company = Company(name=name or f"Company {next(_counter)}", legal_name="")
    session.add(company)
    session.flush()
    return company


def make_thread(session: Session, *, company: Company, created_by: User, title: str | None = None) -> Thread:
    thread = Thread(title=title or f"Thread {next(_counter)}", created_by_id=created_by.id)
    session.add(thread)
    session.flush()
    session.execute(insert(thread_companies).values(thread_id=thread.id, company_id=company.id))
    return thread


def make_chair(session: Session, **kwargs) -> User:
    return make_user(session, role=Role.CHAIR, org="NSD", **kwargs)


def appoint(
    session: Session, *, chair: User, user: User, kind: DesignationKind = DesignationKind.FOCAL_PERSON
) -> Designation:
    return designate(session, actor=chair, kind=kind, user_id=user.id, approval_ref=APPROVAL)


def make_follow_up(
    session: Session,
    *,
    assignee: User | None = None,
    organisation_id: int | None = None,
    due: date | None = None,
    outbound: bool = False,
    title: str | None = None,
    company: Company | None = None,
) -> FollowUp:
    return create_follow_up(
        session, actor=None, title=title or f"Follow-up {next(_counter)}",
        assignee_id=assignee.id if assignee else None, assignee_organisation_id=organisation_id,
        due_date=due, is_outbound_action=outbound, company_id=company.id if company else None,
    )  # fmt: skip


def make_request(
    session: Session, *, by: User, company: Company, purpose: str = "Ask about a liaison office in Islamabad.",
    urgency: Urgency = Urgency.ROUTINE,
) -> EngagementRequest:  # fmt: skip
    return request_engagement(session, actor=by, company_id=company.id, purpose=purpose, urgency=urgency)


def make_exception(session: Session, *, by: User, company: Company, when: date | None = None) -> ChannelException:
    return report_exception(
        session, actor=by, company_id=company.id, who="Director (IT), a ministry", occurred_on=when or date(2021, 9, 1),
        what="Met the company's regional policy lead without the focal person.",
    )  # fmt: skip


def fresh(session: Session, record):
    """The same record, as this session sees it now (a copy from another session may be stale)."""
    return session.get(type(record), record.id)
