"""`flask --app app demo --scale small`: a realistic, deterministic demo data set.

Everything is written through the services (the same rules, validation and audit events as
the pages), in one transaction committed at the end. A second run finds the data and stops.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import click
from flask.cli import with_appcontext
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.accounts import queries as account_queries
from crm.accounts.models import Clearance, User
from crm.accounts.passwords import one_time_password, password_problems
from crm.accounts.services import create_user
from crm.companies.models import AccessStatus, Company
from crm.companies.queries import companies_by_names
from crm.companies.services import CompanyInput, ServiceInput, add_service, change_access_status, create_company
from crm.contacts.services import ContactInput, create_contact
from crm.db import get_session, utcnow, write_intent
from crm.demo import data
from crm.demo.commitments import add_commitments, add_follow_ups
from crm.demo.governance_wg import add_wg_work
from crm.designations.models import DesignationKind
from crm.designations.services import designate
from crm.engagements.models import Direction, EngagementKind
from crm.engagements.services import EngagementInput, log_engagement
from crm.followups.models import FollowUp
from crm.followups.services import complete_follow_up
from crm.organisations import queries as organisation_queries
from crm.threads.models import Thread
from crm.threads.services import ThreadInput, change_stage, create_thread

SEED = 2021
SMALL_ENGAGEMENTS = 300
HISTORY_DAYS = 365
ANSWERED_AFTER_DAYS = 21  # inbound contacts older than this were answered (their follow-up done)
CLASSIFICATIONS = (Clearance.UNCLASSIFIED, Clearance.RESTRICTED, Clearance.CONFIDENTIAL, Clearance.SECRET)
CLASSIFICATION_WEIGHTS = (25, 45, 22, 8)
OUTBOUND_KINDS = (EngagementKind.MEETING, EngagementKind.VIDEO_CALL, EngagementKind.EMAIL, EngagementKind.LETTER,
                  EngagementKind.PHONE_CALL, EngagementKind.CONFERENCE_SIDELINES)  # fmt: skip
MET_KINDS = (EngagementKind.MEETING, EngagementKind.VIDEO_CALL)
INBOUND_KINDS = (EngagementKind.EMAIL, EngagementKind.LETTER, EngagementKind.PHONE_CALL, EngagementKind.MEETING)


@dataclass
class Demo:
    """What has been built so far, by name, for the later steps to refer to."""

    session: Session
    users: dict[str, User] = field(default_factory=dict)
    companies: dict[str, Company] = field(default_factory=dict)
    contacts: dict[str, list[int]] = field(default_factory=dict)
    threads: list[tuple[data.DemoThread, Thread]] = field(default_factory=list)
    organisations: dict[str, int] = field(default_factory=dict)

    @property
    def chair(self) -> User:
        return self.users[data.CHAIR]

    def organisation_id(self, short_name: str) -> int:
        if short_name not in self.organisations:
            organisation = organisation_queries.get_by_short_name(self.session, short_name)
            if organisation is None:
                raise click.ClickException(f"No organisation {short_name!r}: run `flask --app app setup` first.")
            self.organisations[short_name] = organisation.id
        return self.organisations[short_name]


@click.command("demo")
@click.option(
    "--scale",
    type=click.Choice(["small", "medium", "large"]),
    default="small",
    show_default=True,
    help="How much data: small (10 users, 5 companies, ~300 engagements), large (1,000 users, 100 companies, "
    "1,000,000 engagements: minutes, with a progress bar) or medium (large's users and companies, a hundredth "
    "of its history: what `make bench` compares large with).",
)
@with_appcontext
def demo_command(scale: str) -> None:
    """Load realistic demo data (run after `setup`; does nothing if demo data exists)."""
    with write_intent():
        session = get_session()
        if already_loaded(session):
            click.echo("Demo data is present already (the demo chair or the company Alphabet exists); nothing changed.")
            return
        password = demo_password()
        if scale != "small":
            from crm.demo.large import SCALES, run_large  # imported here: large.py builds on this module

            run_large(session, password=password, scale=SCALES[scale])
            return
        # A minute or more on a slow machine: show progress (one tick per engagement and step).
        with click.progressbar(length=SMALL_ENGAGEMENTS + BUILD_STEPS, label="Loading demo data") as bar:
            demo = build(session, password=password, engagements=SMALL_ENGAGEMENTS, advance=bar.update)
        session.commit()
    click.echo(f"Demo data ({scale}) loaded: {len(demo.users)} users, {len(demo.companies)} companies, "
               f"{len(demo.threads)} threads, {SMALL_ENGAGEMENTS} engagements.")  # fmt: skip
    click.echo("Demo users (all share one password, shown only now):")
    for user in demo.users.values():
        click.echo(f"  {user.username:<20} {user.full_name}")
    click.echo(f"Password: {password}")


def already_loaded(session: Session) -> bool:
    """The demo chair or the first demo company exists: loading again would duplicate data."""
    if account_queries.get_by_username(session, data.CHAIR) is not None:
        return True
    return bool(companies_by_names(session, [data.SENTINEL_COMPANY]))


def demo_password() -> str:
    """One random password for every demo user, acceptable to the password policy."""
    while True:
        password = one_time_password()
        if not any(password_problems(password, username=user.username) for user in data.USERS):
            return password


BUILD_STEPS = 7  # the steps of `build` besides the engagements, for the progress bar


def _no_progress(_: int) -> None:
    return None


def build(
    session: Session, *, password: str, engagements: int, advance: Callable[[int], object] = _no_progress
) -> Demo:
    """Create the whole data set in the caller's transaction (the caller commits).

    `advance(1)` is called after each step and each engagement (BUILD_STEPS + engagements).
    """
    demo = Demo(session)
    before: tuple[Callable[[], object], ...] = (lambda: add_users(demo, password), lambda: add_designations(demo),
                                                lambda: add_companies(demo), lambda: add_threads(demo))  # fmt: skip
    after: tuple[Callable[[], object], ...] = (lambda: add_commitments(demo), lambda: add_follow_ups(demo),
                                               lambda: add_wg_work(demo))  # fmt: skip
    for step in before:
        step()
        advance(1)
    add_engagements(demo, random.Random(SEED), engagements, advance)  # noqa: S311 (demo data, not secrets)
    for step in after:
        step()
        advance(1)
    return demo


def add_users(demo: Demo, password: str) -> None:
    for spec in data.USERS:
        user, _ = create_user(
            demo.session, actor=None, username=spec.username, full_name=spec.full_name, role=spec.role,
            organisation_id=demo.organisation_id(spec.organisation), clearance=spec.clearance, password=password,
        )  # fmt: skip
        demo.users[spec.username] = user


def add_designations(demo: Demo) -> None:
    since = utcnow() - timedelta(days=HISTORY_DAYS + 30)
    for kind, username, ref in (
        (DesignationKind.FOCAL_PERSON, data.FOCAL_PERSON, data.FOCAL_APPROVAL),
        (DesignationKind.SPOKESPERSON, data.SPOKESPERSON, data.SPOKESPERSON_APPROVAL),
    ):
        designate(demo.session, actor=demo.chair, kind=kind, user_id=demo.users[username].id, approval_ref=ref,
                  effective_from=since)  # fmt: skip


def _days_ago(days: int) -> date:
    return (utcnow() - timedelta(days=days)).date()


def company_input(spec: data.DemoCompany) -> CompanyInput:
    verified = _days_ago(40)
    evidence = "Demo record (invented for the demonstration)"
    return CompanyInput(
        name=spec.name, legal_name=spec.legal_name, parent=spec.parent, hq_jurisdiction=spec.hq,
        website=spec.website, priority=spec.priority, health=spec.health, health_reason=spec.health_reason,
        notes="Demo company profile: every figure and status here is invented.",
        presence=spec.presence, presence_city=spec.presence_city, presence_evidence=evidence,
        presence_verified_on=verified, pta_registration=spec.pta, pta_evidence=evidence, pta_verified_on=verified,
        officer_status=spec.officer, officer_name="Compliance officer (demo)" if spec.officer.value == "named" else "",
        officer_is_resident=False, officer_evidence=evidence, officer_verified_on=verified,
        tax_status=spec.tax, tax_evidence=evidence, tax_verified_on=verified,
    )  # fmt: skip


def add_companies(demo: Demo) -> None:
    for spec in data.COMPANIES:
        company = create_company(demo.session, actor=demo.chair, data=company_input(spec))
        demo.companies[spec.name] = company
        for service in spec.services:
            add_demo_service(demo, company, service)
        demo.contacts[spec.name] = [
            create_contact(
                demo.session,
                actor=demo.chair,
                data=ContactInput(
                    name=name,
                    company_id=company.id,
                    title=title,
                    valid_from=_days_ago(HISTORY_DAYS + 60),
                    notes="Demo contact (a role, not a real person).",
                ),
            ).id  # fmt: skip
            for name, title in spec.contacts
        ]


def add_demo_service(demo: Demo, company: Company, spec: data.DemoService) -> None:
    estimate = ServiceInput(name=spec.name, estimated_users=spec.users, users_source=data.DEMO_MARK,
                            users_as_of=_days_ago(90))  # fmt: skip
    service = add_service(demo.session, actor=demo.chair, company_id=company.id, data=estimate,
                          access_status=AccessStatus.AVAILABLE, status_since=_days_ago(HISTORY_DAYS + 30))  # fmt: skip
    for days, status, reason in spec.changes:
        change_access_status(demo.session, actor=demo.chair, service_id=service.id, version=None, status=status,
                             started_on=_days_ago(days), reason=reason)  # fmt: skip


def add_threads(demo: Demo) -> None:
    for spec in data.THREADS:
        thread_input = ThreadInput(
            title=spec.title, company_ids=[demo.companies[name].id for name in spec.companies],
            objective=spec.objective, our_ask=spec.our_ask, their_position=spec.their_position,
            priority=spec.priority, lead_organisation_id=demo.organisation_id(spec.lead),
            target_date=_days_ago(-120), next_step=spec.next_step, next_step_owner_id=demo.users[data.FOCAL_PERSON].id,
        )  # fmt: skip
        thread = create_thread(demo.session, actor=demo.chair, data=thread_input, stage=spec.stages[0],
                               note="Opened with the demo data.")  # fmt: skip
        for stage in spec.stages[1:]:
            change_stage(demo.session, actor=demo.chair, thread_id=thread.id, stage=stage, version=None,
                         note=f"Moved to {stage.label.lower()} (demo).")  # fmt: skip
        demo.threads.append((spec, thread))


def add_engagements(
    demo: Demo, rng: random.Random, count: int, advance: Callable[[int], object] = _no_progress
) -> None:
    """`count` engagements over the last year, oldest first: mostly the focal person's outbound
    contacts, some inbound contacts recorded by members (each creating the R4 follow-up)."""
    now = utcnow()
    times = sorted(_past_time(rng, now) for _ in range(count))
    for number, occurred_at in enumerate(times, start=1):
        engagement_input, logger = plan_engagement(demo, rng, occurred_at, number)
        engagement = log_engagement(demo.session, actor=logger, data=engagement_input)
        answered = now - occurred_at > timedelta(days=ANSWERED_AFTER_DAYS)
        if engagement.direction is Direction.INBOUND and not engagement.needs_no_response and answered:
            answer_follow_up(demo, engagement.id)
        advance(1)


def _past_time(rng: random.Random, now: datetime) -> datetime:
    """A working-hours time (Pakistan, UTC+5) one day to a year ago."""
    day = (now - timedelta(days=rng.randint(1, HISTORY_DAYS))).date()
    return datetime(day.year, day.month, day.day, rng.randint(4, 11), rng.choice((0, 15, 30, 45)), tzinfo=UTC)


def answer_follow_up(demo: Demo, engagement_id: int) -> None:
    focal = demo.users[data.FOCAL_PERSON]
    for follow_up_id in demo.session.scalars(select(FollowUp.id).where(FollowUp.engagement_id == engagement_id)):
        complete_follow_up(demo.session, actor=focal, follow_up_id=follow_up_id,
                           note="Answered through the focal person (demo).")  # fmt: skip


def plan_engagement(demo: Demo, rng: random.Random, occurred_at: datetime, number: int) -> tuple[EngagementInput, User]:
    """One engagement's input and who logs it, drawn from `rng` (deterministic for a seed)."""
    inbound = rng.random() < 0.25
    logger = demo.users[rng.choice(data.INBOUND_LOGGERS)] if inbound else demo.users[data.FOCAL_PERSON]
    spec, thread = rng.choice(demo.threads) if rng.random() < 0.7 else (None, None)
    company_name = rng.choice(spec.companies) if spec else rng.choice(data.COMPANIES).name
    subject = rng.choice(spec.subjects if spec and spec.subjects else data.GENERAL_SUBJECTS)
    kind = rng.choice(INBOUND_KINDS if inbound else OUTBOUND_KINDS)
    contacts = rng.sample(demo.contacts[company_name], k=rng.randint(1, len(demo.contacts[company_name])))
    classification = _classification(rng, logger)
    participants = sorted({logger.id, demo.users[data.FOCAL_PERSON].id} | _extra_participants(demo, rng, spec))
    organisations = {logger.organisation_id} | ({demo.organisation_id(spec.lead)} if spec else set())
    outcome = rng.choice(data.OUTCOMES)
    engagement = EngagementInput(
        kind=kind, direction=Direction.INBOUND if inbound else Direction.OUTBOUND, occurred_at=occurred_at,
        company_id=demo.companies[company_name].id, subject=subject, thread_id=thread.id if thread else None,
        location=rng.choice(data.LOCATIONS) if kind in MET_KINDS else "",
        summary=f"{kind.label} with {company_name} on {subject.lower()}. {outcome}",
        minutes=_minutes(subject, company_name, outcome, rng), classification=classification,
        our_ref=f"NSMCWG/DEMO/{number:04d}" if not inbound else "",
        their_ref=f"{company_name[:3].upper()}-DEMO-{number:04d}" if inbound else "",
        diary_no=f"D-DEMO-{number:04d}" if inbound and kind is EngagementKind.LETTER else "",
        needs_no_response=inbound and rng.random() < 0.3, participant_ids=participants,
        organisation_ids=sorted(organisations), contact_ids=sorted(contacts),
    )  # fmt: skip
    return engagement, logger


def _classification(rng: random.Random, logger: User) -> Clearance:
    """A weighted classification, never above what the logger may classify."""
    chosen = rng.choices(CLASSIFICATIONS, weights=CLASSIFICATION_WEIGHTS)[0]
    return chosen if logger.clearance.covers(chosen) else logger.clearance


def _extra_participants(demo: Demo, rng: random.Random, spec: data.DemoThread | None) -> set[int]:
    """The chair joins the Google talks he leads (direction 7); members join some meetings."""
    extra: set[int] = set()
    if spec is not None and spec.title == data.GOOGLE_THREAD and rng.random() < 0.6:
        extra.add(demo.chair.id)
    if rng.random() < 0.3:
        extra.add(demo.users[rng.choice(data.INBOUND_LOGGERS)].id)
    return extra


def _minutes(subject: str, company: str, outcome: str, rng: random.Random) -> str:
    points = rng.sample(data.MINUTE_POINTS, k=2)
    return (
        f"## {subject}\n\n"
        f"Demo minutes of an engagement with **{company}**.\n\n"
        f"- {points[0]}\n- {points[1]}\n\n"
        f"**Outcome:** {outcome}\n"
    )
