"""Board test data through the real services: threads with a next step, commitments (some
overdue), follow-ups, requests, exceptions, directives and notes requests."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from crm.accounts.models import Clearance
from crm.commitments.models import CommitmentDirection
from crm.commitments.queries import today
from crm.companies.models import Company, Health
from crm.db import utcnow
from crm.directives.services import DirectiveInput, create_directive
from crm.exceptions.services import report_exception
from crm.followups.services import create_follow_up
from crm.notes.services import request_notes
from crm.requests.services import request_engagement
from crm.threads.models import Stage
from crm.threads.services import ThreadInput, create_thread
from tests.commitments.factories import make_commitment
from tests.engagements.factories import World, log, make_company

_counter = itertools.count(1)


@dataclass
class Seeded:
    company: Company
    thread_ids: list[int] = field(default_factory=list)


def seed_company(session: Session, world: World, name: str, *, size: int = 1, health: Health = Health.AMBER,
                 days_ago: int = 3) -> Seeded:  # fmt: skip
    """A company with `size` of everything the board counts: open threads with a next step and
    owner, an engagement, open and overdue commitments each way, a pending request, an overdue
    follow-up."""
    company = make_company(session, name)
    company.health = health
    seeded = Seeded(company)
    past = today() - timedelta(days=5)
    for n in range(size):
        data = ThreadInput(title=f"{name} negotiation {n}", company_ids=[company.id], next_step=f"{name} next step {n}",
                           next_step_owner_id=world.focal.id, target_date=today() + timedelta(days=30))  # fmt: skip
        seeded.thread_ids.append(create_thread(session, actor=world.chair, data=data, stage=Stage.NEGOTIATING).id)
        log(session, world.focal, company.id, subject=f"{name} meeting {n}", classification=Clearance.RESTRICTED,
            occurred_at=_days_ago(days_ago + n))  # fmt: skip
        make_commitment(session, actor=world.chair, company_id=company.id)
        make_commitment(session, actor=world.chair, company_id=company.id, due_date=past)
        make_commitment(session, actor=world.chair, company_id=company.id, due_date=past,
                        direction=CommitmentDirection.GOVERNMENT_TO_COMPANY, party="MoIT")  # fmt: skip
        request_engagement(session, actor=world.member, company_id=company.id, purpose=f"Raise takedowns {n}")
        create_follow_up(session, actor=world.chair, title=f"{name} chase {n}", assignee_id=world.secretariat.id,
                         due_date=past, company_id=company.id)  # fmt: skip
    return seeded


def _days_ago(days: int) -> datetime:
    return utcnow() - timedelta(days=days, hours=1)


def add_exception(session: Session, world: World, company: Company, who: str = "A ministry official") -> int:
    return report_exception(session, actor=world.member, company_id=company.id, who=who,
                            occurred_on=today() - timedelta(days=2), what="Met the company directly.").id  # fmt: skip


def add_late_directive(session: Session, world: World, text: str = "Engage the companies through one channel") -> int:
    """An 'Immediate' directive from a letter dated ten days ago: behind schedule."""
    data = DirectiveInput(source_ref=f"No. T-{next(_counter)}", source_date=today() - timedelta(days=10), serial="1",
                          text=text, timeline_text="Immediate")  # fmt: skip
    return create_directive(session, actor=world.chair, data=data).id


def add_notes_request(session: Session, world: World, engagement_id: int) -> int:
    return request_notes(session, actor=world.observer, justification="The PMO needs the exact words.",
                         engagement_id=engagement_id, thread_id=None).id  # fmt: skip


def upcoming_due(days: int) -> date:
    return today() + timedelta(days=days)
