"""Reading the company register. Loading is decided here: templates never trigger a query.

The profile is read in a fixed number of queries whatever the data size: one per section,
each bounded (the timeline by keyset pagination on (occurred_at, id), newest first).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.orm import Session, joinedload, load_only

from crm.accounts.models import User
from crm.companies.models import Company, Health, Priority, Service, ServiceAccessPeriod
from crm.contacts.models import Contact
from crm.engagements.models import Engagement
from crm.followups import queries as followup_queries
from crm.followups.models import FollowUp
from crm.organisations.models import Organisation
from crm.threads.models import Stage, Thread, thread_companies

LIST_LIMIT = 500  # the register of platform companies is small by nature (about a hundred)
TIMELINE_PAGE = 20
PROFILE_CONTACTS = 200
PROFILE_FOLLOW_UPS = 10  # the soonest due; a page that grew with the history would not stay fast
PROFILE_THREADS = 100
CHUNK = 500  # bounded IN lists, whatever the size of an import

PRIORITY_RANK = case((Company.priority == Priority.HIGH, 0), (Company.priority == Priority.MEDIUM, 1), else_=2)
HEALTH_RANK = case((Company.health == Health.RED, 0), (Company.health == Health.AMBER, 1), else_=2)
SORTS: dict[str, tuple[Any, ...]] = {
    "name": (func.lower(Company.name), Company.id),
    "priority": (PRIORITY_RANK, func.lower(Company.name), Company.id),
    "health": (HEALTH_RANK, func.lower(Company.name), Company.id),
}


def _filtered(query: Select[Any], priority: Priority | None, health: Health | None) -> Select[Any]:
    if priority is not None:
        query = query.where(Company.priority == priority)
    if health is not None:
        query = query.where(Company.health == health)
    return query


def list_companies(
    session: Session,
    *,
    sort: str = "name",
    priority: Priority | None = None,
    health: Health | None = None,
    limit: int = LIST_LIMIT,
) -> list[Company]:
    """Companies, filtered, sorted by name, priority (high first) or health (red first)."""
    query = _filtered(select(Company), priority, health).order_by(*SORTS.get(sort, SORTS["name"])).limit(limit)
    return list(session.scalars(query))


def page_companies(
    session: Session, *, after_id: int | None, limit: int, priority: Priority | None = None,
    health: Health | None = None,
) -> list[Company]:  # fmt: skip
    """Companies by id after `after_id` (the API's cursor pagination)."""
    query = _filtered(select(Company), priority, health).order_by(Company.id).limit(limit)
    if after_id is not None:
        query = query.where(Company.id > after_id)
    return list(session.scalars(query))


def get_company(session: Session, company_id: int) -> Company | None:
    """One company (its compliance profile is on the row itself), or None."""
    return session.get(Company, company_id)


def company_choices(session: Session) -> list[tuple[int, str]]:
    """(id, name) of every company, by name, for pick lists."""
    query = select(Company.id, Company.name).order_by(func.lower(Company.name)).limit(LIST_LIMIT)
    return [(row.id, row.name) for row in session.execute(query)]


def companies_by_names(session: Session, names: Sequence[str]) -> dict[str, Company]:
    """Companies whose name matches one of `names` regardless of case, keyed by lower-cased name."""
    keys = sorted({name.lower() for name in names if name})
    found: dict[str, Company] = {}
    for start in range(0, len(keys), CHUNK):
        query = select(Company).where(func.lower(Company.name).in_(keys[start : start + CHUNK]))
        found.update({company.name.lower(): company for company in session.scalars(query)})
    return found


@dataclass(frozen=True)
class AccessPeriodRow:
    period: ServiceAccessPeriod
    recorded_by: str


@dataclass
class ServiceRow:
    """A service with its access history, newest period first."""

    service: Service
    history: list[AccessPeriodRow] = field(default_factory=list)


def services_of(session: Session, company_id: int) -> list[ServiceRow]:
    """The company's services by name, each with its access history: one query, always
    (services outer-joined to their periods, so a service without history still shows)."""
    query = (
        select(Service, ServiceAccessPeriod, User.full_name)
        .outerjoin(ServiceAccessPeriod, ServiceAccessPeriod.service_id == Service.id)
        .outerjoin(User, User.id == ServiceAccessPeriod.recorded_by_id)
        .where(Service.company_id == company_id)
        .order_by(
            func.lower(Service.name), Service.id, ServiceAccessPeriod.started_on.desc(), ServiceAccessPeriod.id.desc()
        )  # fmt: skip
    )
    rows: dict[int, ServiceRow] = {}
    for service, period, recorded_by in session.execute(query):
        row = rows.setdefault(service.id, ServiceRow(service))
        if period is not None:
            row.history.append(AccessPeriodRow(period, recorded_by or "—"))
    return list(rows.values())


def get_service(session: Session, service_id: int) -> Service | None:
    """One service with its company loaded, or None."""
    return session.scalar(select(Service).options(joinedload(Service.company)).where(Service.id == service_id))


def contacts_of(session: Session, company_id: int, *, on: date, limit: int = PROFILE_CONTACTS) -> list[Contact]:
    """The company's contacts: current ones first, then past ones, each by name."""
    past = case((and_(Contact.valid_to.is_not(None), Contact.valid_to < on), 1), else_=0)
    query = (
        select(Contact)
        .where(Contact.company_id == company_id)
        .order_by(past, func.lower(Contact.name), Contact.id)
        .limit(limit)
    )
    return list(session.scalars(query))


def open_threads_of(session: Session, company_id: int) -> list[Thread]:
    """Negotiations with this company that are not closed or abandoned, soonest target first."""
    query = (
        select(Thread)
        .join(thread_companies, thread_companies.c.thread_id == Thread.id)
        .where(thread_companies.c.company_id == company_id, Thread.stage.not_in([Stage.CLOSED, Stage.ABANDONED]))
        .order_by(Thread.target_date.is_(None), Thread.target_date, Thread.id)
        .limit(PROFILE_THREADS)
    )
    return list(session.scalars(query))


# The timeline never loads minutes (R5): only what everyone signed in may see.
TIMELINE_COLUMNS = load_only(
    Engagement.id, Engagement.company_id, Engagement.occurred_at, Engagement.kind, Engagement.direction,
    Engagement.subject, Engagement.summary, Engagement.classification, raiseload=True,
)  # fmt: skip
Cursor = tuple[datetime, int]


def timeline(
    session: Session, company_id: int, *, before: Cursor | None = None, limit: int = TIMELINE_PAGE
) -> tuple[list[Engagement], Cursor | None]:
    """The company's engagements newest first, and the cursor of the next (older) page."""
    query = (
        select(Engagement)
        .options(TIMELINE_COLUMNS)
        .where(Engagement.company_id == company_id)
        .order_by(Engagement.occurred_at.desc(), Engagement.id.desc())
        .limit(limit + 1)
    )
    if before is not None:
        at, last_id = before
        query = query.where(
            or_(Engagement.occurred_at < at, and_(Engagement.occurred_at == at, Engagement.id < last_id))
        )
    rows = list(session.scalars(query))
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, ((rows[-1].occurred_at, rows[-1].id) if more else None)


def open_follow_ups_of(session: Session, company_id: int, *, limit: int = PROFILE_FOLLOW_UPS) -> list[FollowUp]:
    """Open follow-ups linked to the company, soonest due first, with their assignee loaded."""
    query = (
        select(FollowUp)
        .options(
            joinedload(FollowUp.assignee).load_only(User.full_name),
            joinedload(FollowUp.assignee_organisation).load_only(Organisation.short_name, Organisation.name),
        )
        # Two keyset ranges (dated, then undated) on ix_follow_ups_company_status_due: sorting
        # by `due_date IS NULL` read and sorted every open follow-up of the company.
        .where(FollowUp.id.in_(followup_queries.due_ranges([FollowUp.company_id == company_id], None, limit)))
        .order_by(FollowUp.due_date.is_(None), FollowUp.due_date, FollowUp.id)
        .limit(limit)
    )
    return list(session.scalars(query))


@dataclass
class CompanyProfile:
    company: Company
    services: list[ServiceRow]
    contacts: list[Contact]
    threads: list[Thread]
    engagements: list[Engagement]
    next_before: Cursor | None
    follow_ups: list[FollowUp]


def company_profile(
    session: Session, company_id: int, *, on: date, before: Cursor | None = None
) -> CompanyProfile | None:
    """Everything the profile page shows, in six queries whatever the data size."""
    company = get_company(session, company_id)
    if company is None:
        return None
    engagements, next_before = timeline(session, company_id, before=before)
    return CompanyProfile(
        company=company,
        services=services_of(session, company_id),
        contacts=contacts_of(session, company_id, on=on),
        threads=open_threads_of(session, company_id),
        engagements=engagements,
        next_before=next_before,
        follow_ups=open_follow_ups_of(session, company_id),
    )
