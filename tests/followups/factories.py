"""Follow-up test data: a world of people, companies, a thread, an engagement and a commitment.

Companies, threads and commitments are added directly (tests only: the architecture rule is
about crm/); engagements, designations and follow-ups go through the real services.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.orm import Session

from crm.accounts.models import Clearance, Role, User
from crm.commitments.models import Commitment, CommitmentDirection
from crm.companies.models import Company
from crm.db import utcnow
from crm.designations.models import Designation
from crm.engagements.models import Direction, Engagement, EngagementKind
from crm.engagements.services import EngagementInput, log_engagement
from crm.followups.models import FollowUp, FollowUpPriority
from crm.followups.services import FollowUpInput, add_follow_up
from crm.formatting import local
from crm.organisations.queries import get_by_short_name
from crm.threads.models import Thread
from tests.channel.factories import appoint, make_company, make_thread
from tests.factories import make_user

_counter = itertools.count(1)


def make_commitment(
    session: Session, *, company: Company, due: date | None = None, organisation: str | None = None,
    text: str = "Open a liaison office in Islamabad.",
) -> Commitment:  # fmt: skip
    organisation_id = get_by_short_name(session, organisation).id if organisation else None
    direction = CommitmentDirection.GOVERNMENT_TO_COMPANY if organisation else CommitmentDirection.COMPANY_TO_GOVERNMENT
    commitment = Commitment(
        direction=direction,
        company_id=company.id, party=company.name, organisation_id=organisation_id, text=text, due_date=due,
    )  # fmt: skip
    session.add(commitment)
    session.flush()
    return commitment


def make_engagement(
    session: Session, *, actor: User, company: Company, subject: str = "Data localisation", days_ago: int = 1,
    classification: Clearance = Clearance.RESTRICTED, participants: list[User] | None = None,
    minutes: str = "Minutes text.", thread: Thread | None = None,
) -> Engagement:  # fmt: skip
    return log_engagement(session, actor=actor, data=EngagementInput(
        kind=EngagementKind.MEETING, direction=Direction.INBOUND, occurred_at=utcnow() - timedelta(days=days_ago),
        company_id=company.id, subject=subject, minutes=minutes, classification=classification,
        needs_no_response=True, participant_ids=[u.id for u in participants or []],
        thread_id=thread.id if thread else None,
    ))  # fmt: skip


def new_follow_up(session: Session, *, actor: User, **values) -> FollowUp:
    values.setdefault("title", f"Follow-up {next(_counter)}")
    if "assignee_id" not in values and "assignee_organisation_id" not in values:
        values["assignee_id"] = actor.id
    return add_follow_up(session, actor=actor, data=FollowUpInput(**values))


@dataclass
class World:
    chair: User
    secretariat: User
    focal: User
    member: User
    colleague: User  # same organisation as member (MoFA)
    outsider: User  # another organisation (MoC)
    observer: User
    admin: User
    company: Company
    other_company: Company
    thread: Thread
    engagement: Engagement
    commitment: Commitment
    designation: Designation


def build_world(session: Session) -> World:
    chair = make_user(session, role=Role.CHAIR, org="NSD", clearance=Clearance.SECRET)
    focal = make_user(session, org="MoIT", clearance=Clearance.CONFIDENTIAL)
    designation = appoint(session, chair=chair, user=focal)
    company = make_company(session, f"Alphabet {next(_counter)}")
    thread = make_thread(session, company=company, created_by=chair, title="Google liaison office")
    return World(
        chair=chair, secretariat=make_user(session, role=Role.SECRETARIAT, org="DMW"), focal=focal,
        member=make_user(session, org="MoFA"), colleague=make_user(session, org="MoFA"),
        outsider=make_user(session, org="MoC"), observer=make_user(session, role=Role.OBSERVER, org="PMO"),
        admin=make_user(session, role=Role.ADMIN), company=company,
        other_company=make_company(session, f"Meta {next(_counter)}"), thread=thread,
        engagement=make_engagement(session, actor=chair, company=company, thread=thread),
        commitment=make_commitment(session, company=company, due=local(utcnow()).date() + timedelta(days=10)),
        designation=designation,
    )  # fmt: skip


PRIORITIES = list(FollowUpPriority)
