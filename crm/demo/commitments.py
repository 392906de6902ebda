"""Demo commitments and follow-ups: promises on the demo threads, some met, some overdue.

Written through the commitment and follow-up services (the same rules and audit events as the
pages). Due dates are relative to today, so reminders and escalations show up as soon as the
scheduler runs: one Google promise is due yesterday, others in one and three days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from crm.commitments.models import CommitmentDirection, CommitmentStatus
from crm.commitments.services import CommitmentInput, record_commitment, set_commitment_status, verify_commitment
from crm.db import utcnow
from crm.demo import data
from crm.followups.models import FollowUpPriority
from crm.followups.services import create_follow_up
from crm.formatting import local
from crm.threads.models import Thread

if TYPE_CHECKING:
    from crm.demo.cli import Demo

COMPANY = CommitmentDirection.COMPANY_TO_GOVERNMENT
GOVERNMENT = CommitmentDirection.GOVERNMENT_TO_COMPANY


@dataclass(frozen=True)
class DemoCommitment:
    thread: str
    company: str
    direction: CommitmentDirection
    party: str
    text: str
    due_in_days: int  # negative: already past
    outcome: CommitmentStatus = CommitmentStatus.OPEN
    organisation: str = ""  # the delivering organisation of a government promise


COMMITMENTS = (
    DemoCommitment(data.GOOGLE_THREAD, "Alphabet", COMPANY, "Google (demo)",
                   "Send the draft terms of reference of the liaison office.", -1),
    DemoCommitment(data.GOOGLE_THREAD, "Alphabet", GOVERNMENT, "MoLJ",
                   "Vet the draft terms of the liaison office and return comments.", 3, organisation="MoLJ"),
    DemoCommitment(data.GOOGLE_THREAD, "Alphabet", COMPANY, "Google (demo)",
                   "Name the candidate cities for the office.", -30, CommitmentStatus.FULFILLED),
    DemoCommitment("Meta local compliance officer", "Meta", COMPANY, "Meta (demo)",
                   "Reply on a resident compliance officer.", -10),
    DemoCommitment("Meta local compliance officer", "Meta", GOVERNMENT, "MoIT",
                   "Share the legal basis for the residency requirement.", 1, organisation="MoIT"),
    DemoCommitment("TikTok content moderation assurances", "ByteDance", COMPANY, "TikTok (demo)",
                   "Give the quarter's moderation figures for Pakistan.", 14),
    DemoCommitment("TikTok content moderation assurances", "ByteDance", COMPANY, "TikTok (demo)",
                   "Staff an Urdu-language moderation team.", -60, CommitmentStatus.PARTIALLY_FULFILLED),
    DemoCommitment("PTA registration of social media companies", "Meta", GOVERNMENT, "PTA",
                   "Circulate the registration checklist to the companies.", 7, organisation="PTA"),
    DemoCommitment("X escalation channel", "X Corp", COMPANY, "X Corp (demo)",
                   "Answer takedown requests within 48 hours.", -90, CommitmentStatus.BREACHED),
)  # fmt: skip


def add_commitments(demo: Demo) -> int:
    """Record the demo commitments (closing and verifying the past ones); how many."""
    today = local(utcnow()).date()
    threads = {spec.title: thread for spec, thread in demo.threads}
    focal = demo.users[data.FOCAL_PERSON]
    for spec in COMMITMENTS:
        commitment = record_commitment(demo.session, actor=focal, data=_input(demo, spec, threads, today))
        if spec.outcome is not CommitmentStatus.OPEN:
            set_commitment_status(demo.session, actor=focal, commitment_id=commitment.id, status=spec.outcome,
                                  note="Outcome recorded with the demo data.", version=None)  # fmt: skip
            verify_commitment(demo.session, actor=demo.chair, commitment_id=commitment.id, version=None)
    return len(COMMITMENTS)


def _input(demo: Demo, spec: DemoCommitment, threads: dict[str, Thread], today: date) -> CommitmentInput:
    return CommitmentInput(
        direction=spec.direction, company_id=demo.companies[spec.company].id, text=spec.text,
        due_date=today + timedelta(days=spec.due_in_days), party=spec.party,
        organisation_id=demo.organisation_id(spec.organisation) if spec.organisation else None,
        thread_id=threads[spec.thread].id,
    )  # fmt: skip


def add_follow_ups(demo: Demo) -> None:
    """A few action items beside the R4 ones: for the focal person, a member, and a queue."""
    today = local(utcnow()).date()
    focal, chair = demo.users[data.FOCAL_PERSON], demo.chair
    items = (
        ("Prepare the brief for the next Google round", focal.id, None, 2, FollowUpPriority.HIGH),
        ("Collect ministries' comments on the liaison-office terms", None, demo.organisation_id("MoIT"), 5,
         FollowUpPriority.MEDIUM),
        ("Update the PTA registration tracker", None, demo.organisation_id("PTA"), -2, FollowUpPriority.MEDIUM),
    )  # fmt: skip
    for title, user_id, organisation_id, days, priority in items:
        create_follow_up(demo.session, actor=chair, title=title, assignee_id=user_id,
                         assignee_organisation_id=organisation_id, due_date=today + timedelta(days=days),
                         priority=priority)  # fmt: skip
