"""`flask --app app demo --scale large`: DESIGN.md §4's large data set, in minutes.

First the small data set is built through the services (users, designations, the five seed
companies, threads, engagements, commitments, follow-ups, WG work). Then the register is
widened through the services (95 more companies, three threads each), and the bulk is written
with Core statements by `crm.demo.bulk` (COPY on PostgreSQL), one committed batch at a time:
users (1,000 in all), contacts (10,000), engagements (1,000,000) with their participants,
organisations and contacts, the R4 follow-ups of inbound contacts, commitments (200,000),
other follow-ups (300,000 follow-ups in all) and notifications.

The services are bypassed for the bulk, so the generator itself keeps their rules:
- R2: every outbound engagement is logged by the focal person, whose designation began before
  the first engagement (a year of history, as in the small set);
- R4: every inbound engagement not marked "needs no response" gets its follow-up
  "Respond through the focal person: <subject>", due 7 days later, assigned to the focal
  person as an outbound action; those older than 21 days are done, as in the small set;
- an engagement's thread is one of its company's threads, its contacts are its company's,
  and its classification never exceeds its logger's clearance;
- a commitment is made in an engagement and carries that engagement's company and thread; a
  government promise names its delivering organisation; every closed one has a status note;
- follow-ups chasing a commitment carry its company and thread; outbound actions belong to
  the focal person only;
- the commitment tallies get each batch's counts, as the flush listener would add them;
- search documents are written by the index's own builders, and the audit chain gets one
  `demo.bulk_load` event per batch (see bulk.py): `audit verify` passes afterwards.

Deterministic for a seed and a day (dates are relative to today, as in the small set).
"""

from __future__ import annotations

import random
import time
from bisect import bisect
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate
from typing import Any, cast

import click
from sqlalchemy import Engine, Table, func, select, text
from sqlalchemy.orm import Session

from crm.accounts.models import Clearance, Role, User
from crm.accounts.passwords import hash_password
from crm.accounts.services import new_nonce
from crm.commitments import tallies
from crm.commitments.models import Commitment, CommitmentDirection, CommitmentStatus
from crm.companies.models import Company, Health, LocalPresence, Priority
from crm.companies.services import CompanyInput, create_company
from crm.contacts.models import Contact
from crm.db import utcnow
from crm.demo import data
from crm.demo.bulk import BulkWriter, Row
from crm.demo.cli import ANSWERED_AFTER_DAYS, HISTORY_DAYS, INBOUND_KINDS, MET_KINDS, OUTBOUND_KINDS, Demo, build
from crm.engagements.models import (
    Direction,
    Engagement,
    engagement_contacts,
    engagement_organisations,
    engagement_users,
)
from crm.engagements.services import RESPONSE_DAYS
from crm.followups.models import FollowUp, FollowUpStatus
from crm.notifications.models import Notification
from crm.threads.models import Stage, Thread, thread_companies
from crm.threads.services import ThreadInput, create_thread

SEED = 2027
BATCH = 20_000
CLEARANCE_WEIGHTS = {Clearance.UNCLASSIFIED: 25, Clearance.RESTRICTED: 45, Clearance.CONFIDENTIAL: 22,
                     Clearance.SECRET: 8}  # fmt: skip
THREAD_STAGES = (Stage.OUTREACH, Stage.NEGOTIATING, Stage.AGREEMENT_IN_PRINCIPLE, Stage.IMPLEMENTING, Stage.STALLED)
CLOSED_OUTCOMES = (CommitmentStatus.FULFILLED, CommitmentStatus.PARTIALLY_FULFILLED, CommitmentStatus.BREACHED,
                   CommitmentStatus.WITHDRAWN)  # fmt: skip
PROMISES = ("share transparency data for Pakistan", "name a resident compliance officer",
            "answer takedown requests within 48 hours", "register with PTA", "open a local grievance desk",
            "send a written position on the draft rules", "brief the working group on moderation in Urdu",
            "provide a point of contact for law-enforcement requests")  # fmt: skip
GOVERNMENT_ORGS = ("MoIT", "PTA", "MoLJ", "MoIB", "FBR")
USER_ORGS = ("MoIT", "MoIB", "MoLJ", "MoFA", "MoC", "FPDM", "PTA", "DMW", "NSD", "PMO", "SBP", "FBR", "PEMRA")

Progress = Callable[[str, int], None]  # (what, rows written) after each batch


@dataclass(frozen=True)
class Scale:
    """Totals to reach (rows of the small set count towards them)."""

    companies: int = 100
    contacts: int = 10_000
    users: int = 1_000
    engagements: int = 1_000_000
    commitments: int = 200_000
    follow_ups: int = 300_000
    notifications_per_user: int = 20
    notifications_for_leads: int = 5_000  # the chair's and the focal person's


LARGE = Scale()
# The large set's shape (companies, users, contacts) with a hundredth of its history: what
# `make bench` compares the large set with, so that a page shows as much at both sizes and
# only the volume of data differs.
MEDIUM = Scale(engagements=10_000, commitments=2_000, follow_ups=3_000, notifications_for_leads=100)
SCALES = {"medium": MEDIUM, "large": LARGE}


@dataclass
class World:
    """The ids the bulk rows refer to, and where they stand."""

    demo: Demo
    now: datetime
    focal: User
    chair: User
    users: list[tuple[int, int, Clearance]] = field(default_factory=list)  # (id, organisation, clearance)
    loggers: list[tuple[int, int, Clearance]] = field(default_factory=list)  # inbound loggers
    company_ids: list[int] = field(default_factory=list)
    company_weights: list[float] = field(default_factory=list)
    company_names: dict[int, str] = field(default_factory=dict)
    threads_of: dict[int, list[int]] = field(default_factory=dict)  # company → its threads
    thread_lead: dict[int, int] = field(default_factory=dict)
    contacts_of: dict[int, list[int]] = field(default_factory=dict)
    subjects_of: dict[int | None, tuple[str, ...]] = field(default_factory=dict)
    organisations: dict[str, int] = field(default_factory=dict)
    commitments: list[tuple[int, int, int | None, str]] = field(default_factory=list)  # id, company, thread, text

    def pick_company(self, rng: random.Random) -> int:
        return self.company_ids[bisect(self.company_weights, rng.random() * self.company_weights[-1])]


def build_large(session: Session, *, password: str, scale: Scale = LARGE, progress: Progress | None = None,
                commit: Callable[[], None] | None = None) -> dict[str, int]:  # fmt: skip
    """Build the large set; `commit` is called after every batch (the CLI commits there)."""
    done = commit or session.flush
    report = progress or (lambda _what, _rows: None)
    demo = build(session, password=password, engagements=min(300, scale.engagements))
    done()
    world = World(demo, utcnow(), demo.users[data.FOCAL_PERSON], demo.chair)
    rng = random.Random(SEED)  # noqa: S311 (demo data, not secrets)
    writer = BulkWriter(session)
    _widen_register(world, rng, scale)
    done()
    _load_world(world, session)
    _add_users(world, writer, rng, scale, password)
    _add_contacts(world, writer, rng, scale)
    done()
    for written in _add_engagements(world, writer, rng, scale):
        done()
        report("engagements", written)
    for written in _add_follow_ups(world, writer, rng, scale):
        done()
        report("follow-ups", written)
    _add_notifications(world, writer, rng, scale)
    writer.finish()
    done()
    return _counts(session)


def _widen_register(world: World, rng: random.Random, scale: Scale) -> None:
    """More companies and threads, through the services (a few hundred calls)."""
    session, chair = world.demo.session, world.chair
    existing = session.scalar(select(func.count()).select_from(Company)) or 0
    for number in range(existing + 1, scale.companies + 1):
        name = f"Platform {number:03d} (demo)"
        presence = rng.choice(list(LocalPresence))
        company = create_company(session, actor=chair, data=CompanyInput(
            name=name, legal_name=f"Platform {number:03d} Holdings Ltd. (demo)", hq_jurisdiction="Demo jurisdiction",
            priority=rng.choice(list(Priority)), health=rng.choice(list(Health)),
            health_reason="Demo company profile: invented.", presence=presence,
            presence_city="" if presence is LocalPresence.NONE else "Islamabad",
            notes="Demo company profile: every figure and status here is invented.",
        ))  # fmt: skip
        for topic in ("Local presence", "Content escalations", "Tax registration")[: 1 + number % 3]:
            create_thread(session, actor=chair, stage=rng.choice(THREAD_STAGES), note="Opened with the demo data.",
                          data=ThreadInput(title=f"{name}: {topic.lower()}", company_ids=[company.id],
                                           objective=f"{topic} for {name}.", priority=company.priority,
                                           lead_organisation_id=world.demo.organisation_id("MoIT"),
                                           next_step="Follow up in writing (demo).",
                                           next_step_owner_id=world.focal.id))  # fmt: skip


def _load_world(world: World, session: Session) -> None:
    """Read back the ids the bulk rows will refer to."""
    names = dict(session.execute(select(Company.id, Company.name).order_by(Company.id)).all())
    seeds = {spec.name for spec in data.COMPANIES}
    world.company_names = {int(key): str(value) for key, value in names.items()}
    world.company_ids = list(world.company_names)
    # The seed companies are the busy ones: about a third of all engagements.
    weights = (10.0 if world.company_names[c] in seeds else 1.0 for c in world.company_ids)
    world.company_weights = list(accumulate(weights))
    for thread_id, company_id in session.execute(select(thread_companies.c.thread_id, thread_companies.c.company_id)):
        world.threads_of.setdefault(company_id, []).append(thread_id)
    for spec, thread in world.demo.threads:
        world.subjects_of[thread.id] = spec.subjects or data.GENERAL_SUBJECTS
    world.subjects_of[None] = data.GENERAL_SUBJECTS
    for thread_id, lead in session.execute(select(Thread.id, Thread.lead_organisation_id)):
        if lead is not None:
            world.thread_lead[thread_id] = lead
    for short_name in USER_ORGS:
        world.organisations[short_name] = world.demo.organisation_id(short_name)
    for contact_id, company_id in session.execute(select(Contact.id, Contact.company_id)):
        if company_id is not None:
            world.contacts_of.setdefault(company_id, []).append(contact_id)
    world.loggers = [(u.id, u.organisation_id, u.clearance) for u in world.demo.users.values()
                     if u.username in data.INBOUND_LOGGERS]  # fmt: skip


def _table(model: type[Any]) -> Table:
    return cast(Table, model.__table__)


def _add_users(world: World, writer: BulkWriter, rng: random.Random, scale: Scale, password: str) -> None:
    """Members, observers and secretariat officers across the organisations; one shared password."""
    table = _table(User)
    first = writer.next_id(table)
    password_hash = hash_password(password)  # once: argon2 a thousand times would take a minute
    rows: list[Row] = []
    for offset in range(max(0, scale.users - len(world.demo.users))):
        short_name = USER_ORGS[offset % len(USER_ORGS)]
        role = rng.choices((Role.MEMBER, Role.OBSERVER, Role.SECRETARIAT), weights=(85, 10, 5))[0]
        clearance = rng.choices(list(CLEARANCE_WEIGHTS), weights=list(CLEARANCE_WEIGHTS.values()))[0]
        rows.append({"id": first + offset, "username": f"demo.user{offset + 1:04d}",
                     "full_name": f"Officer {offset + 1}, {short_name} (demo)", "email": "",
                     "role": role, "organisation_id": world.organisations[short_name], "clearance": clearance,
                     "is_active": True, "password_hash": password_hash, "must_change_password": False,
                     "failed_sign_ins": 0, "session_nonce": new_nonce(), "totp_secret": "",
                     "created_at": world.now, "version": 1})  # fmt: skip
    writer.write(table, rows)
    if rows:
        writer.audit(table, first, first + len(rows) - 1)
    world.users = [(u.id, u.organisation_id, u.clearance) for u in world.demo.users.values()]
    world.users += [(row["id"], row["organisation_id"], row["clearance"]) for row in rows]
    # Members record the contacts companies make with them (R4); the focal person answers.
    members = [row for row in rows if row["role"] is Role.MEMBER]
    world.loggers += [(row["id"], row["organisation_id"], row["clearance"]) for row in members]


def _add_contacts(world: World, writer: BulkWriter, rng: random.Random, scale: Scale) -> None:
    """People at the companies, spread evenly (each company about a hundred)."""
    table = _table(Contact)
    first = writer.next_id(table)
    existing = sum(len(ids) for ids in world.contacts_of.values())
    since = (world.now - timedelta(days=HISTORY_DAYS + 60)).date()
    rows: list[Row] = []
    for offset in range(max(0, scale.contacts - existing)):
        company_id = world.company_ids[offset % len(world.company_ids)]
        rows.append({"id": first + offset, "company_id": company_id, "organisation_id": None,
                     "name": f"Contact {offset + 1} (demo)", "title": rng.choice(("Public Policy", "Legal",
                     "Trust & Safety", "Government Affairs", "Compliance")), "email": "", "phone": "",
                     "valid_from": since, "valid_to": None, "notes": "Demo contact (a role, not a real person).",
                     "created_at": world.now, "version": 1})  # fmt: skip
        world.contacts_of.setdefault(company_id, []).append(first + offset)
    writer.write(table, rows)
    if rows:
        writer.index(Contact, [row["id"] for row in rows])
        writer.audit(table, first, first + len(rows) - 1)


@dataclass
class Batch:
    """The rows of one batch of engagements."""

    engagements: list[Row] = field(default_factory=list)
    users: list[Row] = field(default_factory=list)
    organisations: list[Row] = field(default_factory=list)
    contacts: list[Row] = field(default_factory=list)
    follow_ups: list[Row] = field(default_factory=list)
    commitments: list[Row] = field(default_factory=list)


def _add_engagements(world: World, writer: BulkWriter, rng: random.Random, scale: Scale) -> Iterator[int]:
    """The engagements, oldest first, in committed batches; yields the rows written per batch."""
    session = world.demo.session
    existing = session.scalar(select(func.count()).select_from(Engagement)) or 0
    count = max(0, scale.engagements - existing)
    commitments_left = max(0, scale.commitments - (session.scalar(select(func.count()).select_from(Commitment)) or 0))
    ids = {model: writer.next_id(_table(model)) for model in (Engagement, FollowUp, Commitment)}
    start = world.now - timedelta(days=HISTORY_DAYS)
    span = (HISTORY_DAYS - 1) * 86_400
    fractions = sorted(rng.random() for _ in range(count))
    for batch_start in range(0, count, BATCH):
        batch = Batch()
        for fraction in fractions[batch_start : batch_start + BATCH]:
            occurred_at = (start + timedelta(seconds=int(fraction * span) // 60 * 60)).replace(second=0)
            _engagement(world, rng, batch, ids, occurred_at)
            remaining = count - batch_start - len(batch.engagements) + 1
            if commitments_left and rng.random() < commitments_left / remaining:
                _commitment(world, rng, batch, ids, batch.engagements[-1])
                commitments_left -= 1
        yield _write_batch(world, writer, batch)


def _engagement(world: World, rng: random.Random, batch: Batch, ids: dict[type[Any], int], at: datetime) -> None:
    inbound = rng.random() < 0.25
    logger, organisation, clearance = rng.choice(world.loggers) if inbound else (
        world.focal.id, world.focal.organisation_id, world.focal.clearance)  # fmt: skip
    company_id = world.pick_company(rng)
    threads = world.threads_of.get(company_id, [])
    thread_id = rng.choice(threads) if threads and rng.random() < 0.7 else None
    subject = rng.choice(world.subjects_of.get(thread_id, data.GENERAL_SUBJECTS))
    kind = rng.choice(INBOUND_KINDS if inbound else OUTBOUND_KINDS)
    chosen = rng.choices(list(CLEARANCE_WEIGHTS), weights=list(CLEARANCE_WEIGHTS.values()))[0]
    company, outcome = world.company_names[company_id], rng.choice(data.OUTCOMES)
    engagement_id = ids[Engagement]
    ids[Engagement] += 1
    needs_no_response = inbound and rng.random() < 0.3
    batch.engagements.append({
        "id": engagement_id, "kind": kind, "direction": Direction.INBOUND if inbound else Direction.OUTBOUND,
        "occurred_at": at, "location": rng.choice(data.LOCATIONS) if kind in MET_KINDS else "",
        "company_id": company_id, "thread_id": thread_id, "subject": subject,
        "summary": f"{kind.label} with {company} on {subject.lower()}. {outcome}",
        "minutes": _minutes(rng, subject, company, outcome) if kind in MET_KINDS else "",
        "classification": chosen if clearance.covers(chosen) else clearance,
        "our_ref": "" if inbound else f"NSMCWG/DEMO/L{engagement_id}",
        "their_ref": f"{company[:3].upper()}-DEMO-L{engagement_id}" if inbound else "", "diary_no": "",
        "needs_no_response": needs_no_response, "logged_by_id": logger,
        "created_at": min(at + timedelta(hours=2), world.now), "updated_at": min(at + timedelta(hours=2), world.now),
        "version": 1,
    })  # fmt: skip
    _links(world, rng, batch, engagement_id, logger, organisation, company_id, thread_id)
    if inbound and not needs_no_response:
        _channel_follow_up(world, rng, batch, ids, batch.engagements[-1])


def _links(world: World, rng: random.Random, batch: Batch, engagement_id: int, logger: int, organisation: int,
           company_id: int, thread_id: int | None) -> None:  # fmt: skip
    participants = {logger, world.focal.id}
    if rng.random() < 0.1:
        participants.add(rng.choice(world.users)[0])
    organisations = {organisation} | ({world.thread_lead[thread_id]} if thread_id in world.thread_lead else set())
    contacts = world.contacts_of[company_id]
    batch.users += [{"engagement_id": engagement_id, "user_id": user_id} for user_id in sorted(participants)]
    batch.organisations += [{"engagement_id": engagement_id, "organisation_id": o} for o in sorted(organisations)]
    batch.contacts += [{"engagement_id": engagement_id, "contact_id": c}
                       for c in sorted(set(rng.sample(contacts, k=min(len(contacts), rng.randint(1, 2)))))]  # fmt: skip


def _minutes(rng: random.Random, subject: str, company: str, outcome: str) -> str:
    points = rng.sample(data.MINUTE_POINTS, k=2)
    return (f"## {subject}\n\nDemo minutes with **{company}**.\n\n- {points[0]}\n- {points[1]}\n\n"
            f"**Outcome:** {outcome}\n")  # fmt: skip


def _follow_up_row(follow_up_id: int, **values: Any) -> Row:
    row: Row = {"id": follow_up_id, "title": "", "details": "", "assignee_id": None, "assignee_organisation_id": None,
                "due_date": None, "status": FollowUpStatus.OPEN, "priority": "medium", "is_outbound_action": False,
                "company_id": None, "thread_id": None, "engagement_id": None, "commitment_id": None,
                "directive_id": None, "data_request_id": None, "meeting_id": None, "completion_note": "",
                "completed_at": None, "created_by_id": None, "created_at": None, "version": 1}  # fmt: skip
    row.update(values)
    return row


def _channel_follow_up(world: World, rng: random.Random, batch: Batch, ids: dict[type[Any], int], e: Row) -> None:
    """R4, as `log_engagement` does it: the focal person answers, within a week."""
    answered = world.now - e["occurred_at"] > timedelta(days=ANSWERED_AFTER_DAYS)
    completed = e["occurred_at"] + timedelta(days=rng.randint(1, RESPONSE_DAYS), hours=rng.randint(0, 8))
    batch.follow_ups.append(_follow_up_row(
        ids[FollowUp], title=f"Respond through the focal person: {e['subject']}"[:300], assignee_id=world.focal.id,
        due_date=(e["occurred_at"] + timedelta(days=RESPONSE_DAYS)).date(), is_outbound_action=True,
        company_id=e["company_id"], thread_id=e["thread_id"], engagement_id=e["id"], created_by_id=e["logged_by_id"],
        created_at=e["created_at"], status=FollowUpStatus.DONE if answered else FollowUpStatus.OPEN,
        completion_note="Answered through the focal person (demo)." if answered else "",
        completed_at=min(completed, world.now) if answered else None,
    ))  # fmt: skip
    ids[FollowUp] += 1


def _commitment(world: World, rng: random.Random, batch: Batch, ids: dict[type[Any], int], e: Row) -> None:
    """A promise made in engagement `e`: its company and thread; closed ones carry a note."""
    today = world.now.date()
    company_side = rng.random() < 0.6
    due = e["occurred_at"].date() + timedelta(days=rng.randint(14, 120))
    status = CommitmentStatus.OPEN
    if due < today and rng.random() > 0.05:  # about one past promise in twenty is left overdue
        status = rng.choices(CLOSED_OUTCOMES, weights=(60, 20, 12, 8))[0]
    organisation = None if company_side else world.organisations[rng.choice(GOVERNMENT_ORGS)]
    promise = rng.choice(PROMISES)
    text = f"{'The company will' if company_side else 'The government will'} {promise} (demo)."
    verified = status is not CommitmentStatus.OPEN and rng.random() < 0.5
    batch.commitments.append({
        "id": ids[Commitment], "direction": CommitmentDirection.COMPANY_TO_GOVERNMENT if company_side
        else CommitmentDirection.GOVERNMENT_TO_COMPANY, "company_id": e["company_id"],
        "party": world.company_names[e["company_id"]] if company_side else rng.choice(GOVERNMENT_ORGS),
        "organisation_id": organisation, "engagement_id": e["id"], "thread_id": e["thread_id"], "text": text,
        "due_date": due, "status": status, "status_note": "" if status is CommitmentStatus.OPEN
        else f"{status.label} (recorded with the demo data).", "evidence": "",
        "verified_by_id": world.focal.id if verified else None,
        "verified_at": min(_at(due) + timedelta(days=3), world.now) if verified else None,
        "created_by_id": world.focal.id, "created_at": e["created_at"], "updated_at": e["created_at"], "version": 1,
    })  # fmt: skip
    world.commitments.append((ids[Commitment], e["company_id"], e["thread_id"], text))
    ids[Commitment] += 1


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 7, tzinfo=UTC)


def _write_batch(world: World, writer: BulkWriter, batch: Batch) -> int:
    tables = ((Engagement, batch.engagements), (None, batch.users), (None, batch.organisations),
              (None, batch.contacts), (FollowUp, batch.follow_ups), (Commitment, batch.commitments))  # fmt: skip
    links = (engagement_users, engagement_organisations, engagement_contacts)
    link_tables = iter(links)
    for model, rows in tables:
        writer.write(_table(model) if model else next(link_tables), rows)
    documents = writer.index(Engagement, [row["id"] for row in batch.engagements])
    documents += writer.index(Commitment, [row["id"] for row in batch.commitments])
    tallies.add(writer.connection, tallies.count_rows(batch.commitments))  # what the flush listener would add
    for model, rows in ((Engagement, batch.engagements), (FollowUp, batch.follow_ups),
                        (Commitment, batch.commitments)):  # fmt: skip
        if rows:
            writer.audit(_table(model), rows[0]["id"], rows[-1]["id"],
                         **({"search_documents": documents} if model is Engagement else {}))  # fmt: skip
    return len(batch.engagements)


def _add_follow_ups(world: World, writer: BulkWriter, rng: random.Random, scale: Scale) -> Iterator[int]:
    """Follow-ups chasing commitments, shared round-robin by every user so each has some work."""
    session = world.demo.session
    table = _table(FollowUp)
    count = max(0, scale.follow_ups - (session.scalar(select(func.count()).select_from(FollowUp)) or 0))
    first = writer.next_id(table)
    today = world.now.date()
    for batch_start in range(0, count, BATCH):
        rows: list[Row] = []
        for offset in range(batch_start, min(count, batch_start + BATCH)):
            commitment_id, company_id, thread_id, text = rng.choice(world.commitments) if world.commitments else (
                None, None, None, "the demo promise")  # fmt: skip
            user_id = world.users[offset % len(world.users)][0]
            due = today + timedelta(days=rng.randint(-HISTORY_DAYS, 60))
            status = FollowUpStatus.OPEN
            if due < today - timedelta(days=14):
                status = FollowUpStatus.DONE if rng.random() < 0.9 else FollowUpStatus.CANCELLED
            created = _at(due - timedelta(days=rng.randint(7, 30)))
            rows.append(_follow_up_row(
                first + offset, title=f"Chase: {text}"[:300], assignee_id=user_id, due_date=due, status=status,
                priority=rng.choice(("low", "medium", "high")), company_id=company_id, thread_id=thread_id,
                commitment_id=commitment_id, created_by_id=world.focal.id, created_at=min(created, world.now),
                completion_note="" if status is FollowUpStatus.OPEN else "Closed with the demo data.",
                completed_at=None if status is FollowUpStatus.OPEN else min(_at(due), world.now),
            ))  # fmt: skip
        writer.write(table, rows)
        writer.audit(table, rows[0]["id"], rows[-1]["id"])
        yield len(rows)


def _add_notifications(world: World, writer: BulkWriter, rng: random.Random, scale: Scale) -> None:
    """Reminders in every user's notifications, many more for the chair and the focal person."""
    table = _table(Notification)
    first = writer.next_id(table)
    rows: list[Row] = []
    for user_id, _organisation, _clearance in world.users:
        lead = user_id in (world.chair.id, world.focal.id)
        for number in range(scale.notifications_for_leads if lead else scale.notifications_per_user):
            created = world.now - timedelta(minutes=rng.randint(1, HISTORY_DAYS * 1440))
            rows.append({"id": first + len(rows), "user_id": user_id, "key": f"demo-large:{number}",
                         "kind": "reminder", "title": f"Reminder {number + 1}: a follow-up is due soon (demo)",
                         "body": "", "link": "/follow-ups/mine", "created_at": created,
                         "read_at": None if number % 4 == 0 else created + timedelta(hours=1)})  # fmt: skip
    writer.write(table, rows)
    if rows:
        writer.audit(table, first, first + len(rows) - 1)


def _counts(session: Session) -> dict[str, int]:
    models = (User, Company, Contact, Engagement, Commitment, FollowUp, Notification)
    return {m.__tablename__: session.scalar(select(func.count()).select_from(m)) or 0 for m in models}


def _vacuum(session: Session) -> None:
    """PostgreSQL: rows written by COPY have no visibility map until a VACUUM, and without one
    the planner cannot use index-only scans (the board's counts). VACUUM runs outside a
    transaction, on a connection of its own."""
    engine = session.get_bind()
    if engine.dialect.name != "postgresql" or not isinstance(engine, Engine):
        return  # SQLite; or a connection the caller holds (a test's), whose transaction cannot VACUUM
    session.commit()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))


def run_large(session: Session, *, password: str, scale: Scale = LARGE) -> None:
    """The CLI's part: progress bar, a commit per batch, timing and the summary."""
    started = time.perf_counter()
    total = max(0, scale.engagements - 300) + max(0, scale.follow_ups)
    with click.progressbar(length=total, label="Demo data", show_eta=True, show_pos=True) as bar:
        counts = build_large(session, password=password, scale=scale, progress=lambda _what, rows: bar.update(rows),
                             commit=session.commit)  # fmt: skip
    _vacuum(session)
    minutes = (time.perf_counter() - started) / 60
    click.echo(f"Demo data loaded in {minutes:.1f} min: "
               + ", ".join(f"{count:,} {name}" for name, count in counts.items()) + ".")  # fmt: skip
    click.echo(f"Demo users (chair {data.CHAIR}, focal person {data.FOCAL_PERSON}, members demo.user0001...) "
               f"share one password, shown only now: {password}")  # fmt: skip
