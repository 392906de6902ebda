"""Factories for thread tests: plain functions going through the real services.

Companies are the one exception: their services belong to another feature, so a company is
added directly here (tests only; the architecture rule covers crm/).
"""

from __future__ import annotations

import itertools
from datetime import date, datetime

from sqlalchemy.orm import Session

from crm.accounts.models import Clearance, Role, User
from crm.companies.models import Company
from crm.designations.models import DesignationKind
from crm.designations.services import designate
from crm.engagements.models import Direction, Engagement, EngagementKind
from crm.engagements.services import EngagementInput, log_engagement
from crm.followups.models import FollowUp
from crm.followups.services import create_follow_up
from crm.threads.models import Stage, Thread
from crm.threads.services import ThreadInput, create_thread
from tests.factories import make_user

_counter = itertools.count(1)
SECRET_MINUTES = "Minutes: the company's counsel conceded the office point privately."


def make_company(session: Session, name: str | None = None) -> Company:
    """A company with only its name (the defaults fill the compliance profile)."""
    company = Company(name=name or f"Platform {next(_counter)}")
    session.add(company)
    session.flush()
    return company


def make_thread(
    session: Session,
    *,
    actor: User,
    companies: list[Company],
    title: str | None = None,
    stage: Stage = Stage.IDENTIFIED,
    note: str = "",
    **fields: object,
) -> Thread:
    """A thread opened through create_thread (a note is added when the stage needs one)."""
    if stage in (Stage.CLOSED, Stage.ABANDONED) and not note:
        note = "Opened for the record."
    data = ThreadInput(title=title or f"Matter {next(_counter)}", company_ids=[c.id for c in companies], **fields)  # type: ignore[arg-type]
    return create_thread(session, actor=actor, data=data, stage=stage, note=note)


def make_focal_person(session: Session, *, role: Role = Role.MEMBER) -> User:
    """A user designated focal person by a fresh chair."""
    chair = make_user(session, role=Role.CHAIR, org="NSD")
    focal = make_user(session, role=role, clearance=Clearance.SECRET)
    designate(session, actor=chair, kind=DesignationKind.FOCAL_PERSON, user_id=focal.id, approval_ref="PM-1/2021")
    return focal


def make_engagement(
    session: Session,
    *,
    actor: User,
    thread: Thread,
    company: Company,
    occurred_at: datetime,
    subject: str = "Call on the liaison office",
    classification: Clearance = Clearance.CONFIDENTIAL,
) -> Engagement:
    """An inbound engagement of the thread (no channel follow-up), with secret-looking minutes."""
    data = EngagementInput(
        kind=EngagementKind.VIDEO_CALL,
        direction=Direction.INBOUND,
        occurred_at=occurred_at,
        company_id=company.id,
        thread_id=thread.id,
        subject=subject,
        minutes=SECRET_MINUTES,
        classification=classification,
        needs_no_response=True,
    )
    return log_engagement(session, actor=actor, data=data)


def make_follow_up(session: Session, *, actor: User, thread: Thread, title: str, due: date | None = None) -> FollowUp:
    return create_follow_up(session, actor=actor, title=title, assignee_id=actor.id, due_date=due, thread_id=thread.id)
