"""Company register services: every write validates, audits, and a refusal leaves nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from crm.accounts.models import Role
from crm.audit.models import AuditEvent
from crm.companies.models import (
    AccessStatus,
    Company,
    Health,
    LocalPresence,
    OfficerStatus,
    Priority,
    Service,
    ServiceAccessPeriod,
)
from crm.companies.services import (
    CompanyInput,
    ServiceInput,
    add_service,
    change_access_status,
    create_company,
    record_export,
    today,
    update_company,
    update_service,
)
from crm.contacts.models import Contact
from crm.contacts.services import ContactInput, create_contact, update_contact
from crm.errors import Conflict, Forbidden, Invalid, NotFound
from crm.organisations.queries import get_by_short_name
from tests.companies.factories import make_company, make_contact, make_keeper, make_service
from tests.factories import make_user


def rows(session, *models) -> tuple[int, ...]:
    return tuple(session.scalar(select(func.count()).select_from(m)) for m in (*models, AuditEvent))


def last_event(session) -> AuditEvent:
    return session.scalar(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1))


@pytest.fixture
def keeper(session):
    return make_keeper(session)


@pytest.fixture
def meta(session, keeper):
    return make_company(session, actor=keeper, name="Meta")


# Companies.


def test_secretariat_adds_a_company_with_its_compliance_profile_and_it_is_audited(session, keeper):
    before = rows(session, Company)
    data = CompanyInput(
        name="  Alphabet / Google ",
        legal_name="Google LLC",
        priority=Priority.HIGH,
        health=Health.RED,
        health_reason="No liaison office yet",
        presence=LocalPresence.REPRESENTATIVE,
        presence_city="Islamabad",
        officer_status=OfficerStatus.NAMED,
        officer_name="A. Rahman",
        officer_is_resident=True,
        pta_verified_on=today(),
    )

    company = create_company(session, actor=keeper, data=data)

    assert company.name == "Alphabet / Google"
    assert (company.priority, company.health, company.officer_is_resident) == (Priority.HIGH, Health.RED, True)
    assert rows(session, Company) == (before[0] + 1, before[1] + 1)
    event = last_event(session)
    assert (event.action, event.target_id, event.actor_id) == ("company.create", str(company.id), keeper.id)
    assert event.after["presence"] == "representative"
    assert event.after["pta_verified_on"] == today().isoformat()


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"name": "   "}, "name"),
        ({"name": "x" * 121}, "name"),
        ({"legal_name": "x" * 201}, "legal_name"),
        ({"health_reason": "x" * 501}, "health_reason"),
        ({"website": "javascript:alert(1)"}, "website"),
        ({"presence": LocalPresence.LIAISON_OFFICE}, "presence_city"),
        ({"officer_status": OfficerStatus.NAMED}, "officer_name"),
        ({"tax_verified_on": today() + timedelta(days=2)}, "tax_verified_on"),
        ({"notes": "x" * 20_001}, "notes"),
    ],
)
def test_invalid_company_is_refused_with_field_errors_and_writes_nothing(session, keeper, values, field):
    before = rows(session, Company)

    with pytest.raises(Invalid) as refused:
        create_company(session, actor=keeper, data=CompanyInput(**{"name": "TikTok", **values}))

    assert field in refused.value.fields
    assert rows(session, Company) == before


def test_company_names_are_unique_regardless_of_case(session, keeper, meta):
    before = rows(session, Company)

    with pytest.raises(Invalid) as refused:
        create_company(session, actor=keeper, data=CompanyInput(name="META"))

    assert "already in the register" in refused.value.fields["name"][0]
    assert rows(session, Company) == before


@pytest.mark.parametrize("role", [Role.MEMBER, Role.OBSERVER, Role.ADMIN])
def test_non_keepers_cannot_add_a_company_and_nothing_is_written(session, role):
    outsider = make_user(session, role=role)
    before = rows(session, Company)

    with pytest.raises(Forbidden) as refused:
        create_company(session, actor=outsider, data=CompanyInput(name="X Corp"))

    assert refused.value.code == "not_permitted"
    assert rows(session, Company) == before


def test_update_audits_only_the_changed_fields(session, keeper, meta):
    data = CompanyInput.of(meta)
    changed = CompanyInput(**{**data.__dict__, "health": Health.GREEN, "health_reason": "Responsive"})

    update_company(session, actor=keeper, company_id=meta.id, version=meta.version, data=changed)

    event = last_event(session)
    assert event.action == "company.update"
    assert event.before == {"health": "amber", "health_reason": ""}
    assert event.after == {"health": "green", "health_reason": "Responsive"}
    assert meta.version == 2


def test_an_unchanged_update_writes_nothing(session, keeper, meta):
    before = rows(session, Company)

    update_company(session, actor=keeper, company_id=meta.id, version=meta.version, data=CompanyInput.of(meta))

    assert rows(session, Company) == before
    assert meta.version == 1


def test_a_stale_version_is_a_conflict_and_changes_nothing(session, keeper, meta):
    update_company(session, actor=keeper, company_id=meta.id, version=1, data=CompanyInput(name="Meta", parent="X"))
    before = rows(session, Company)

    with pytest.raises(Conflict):
        update_company(session, actor=keeper, company_id=meta.id, version=1, data=CompanyInput(name="Meta"))

    assert meta.parent == "X"
    assert rows(session, Company) == before


def test_renaming_onto_another_company_is_refused(session, keeper, meta):
    other = make_company(session, actor=keeper, name="ByteDance")

    with pytest.raises(Invalid) as refused:
        update_company(session, actor=keeper, company_id=other.id, version=1, data=CompanyInput(name="meta"))

    assert "name" in refused.value.fields


def test_updating_an_unknown_company_is_not_found(session, keeper):
    with pytest.raises(NotFound):
        update_company(session, actor=keeper, company_id=987654, version=1, data=CompanyInput(name="Ghost"))


# Services and their access history.


def periods(session, service: Service) -> list[ServiceAccessPeriod]:
    query = select(ServiceAccessPeriod).where(ServiceAccessPeriod.service_id == service.id)
    return list(session.scalars(query.order_by(ServiceAccessPeriod.id)))


def test_adding_a_service_opens_its_access_history(session, keeper, meta):
    since = today() - timedelta(days=30)
    service = make_service(
        session,
        actor=keeper,
        company=meta,
        name="Facebook",
        since=since,
        estimated_users=48_000_000,
        users_source="PTA annual report",
        users_as_of=today(),
    )

    [period] = periods(session, service)
    assert (period.status, period.started_on, period.ended_on, period.recorded_by_id) == (
        AccessStatus.AVAILABLE,
        since,
        None,
        keeper.id,
    )
    assert last_event(session).action == "service.create"


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"name": ""}, "name"),
        ({"estimated_users": 1_000}, "users_source"),
        ({"estimated_users": 1_000, "users_source": "PTA"}, "users_as_of"),
        ({"estimated_users": -5, "users_source": "PTA", "users_as_of": today()}, "estimated_users"),
        ({"users_as_of": today() + timedelta(days=1)}, "users_as_of"),
        ({"users_source": "x" * 301}, "users_source"),
    ],
)
def test_invalid_service_is_refused_and_writes_nothing(session, keeper, meta, values, field):
    before = rows(session, Service, ServiceAccessPeriod)

    with pytest.raises(Invalid) as refused:
        add_service(session, actor=keeper, company_id=meta.id, data=ServiceInput(**{"name": "Instagram", **values}))

    assert field in refused.value.fields
    assert rows(session, Service, ServiceAccessPeriod) == before


def test_a_company_cannot_have_two_services_of_the_same_name(session, keeper, meta):
    make_service(session, actor=keeper, company=meta, name="WhatsApp")

    with pytest.raises(Invalid) as refused:
        add_service(session, actor=keeper, company_id=meta.id, data=ServiceInput(name="whatsapp"))

    assert "name" in refused.value.fields


def test_changing_access_closes_the_open_period_and_opens_a_new_one(session, keeper, meta):
    service = make_service(session, actor=keeper, company=meta, name="Facebook", since=today() - timedelta(days=10))
    blocked_on = today() - timedelta(days=3)

    change_access_status(
        session,
        actor=keeper,
        service_id=service.id,
        version=service.version,
        status=AccessStatus.BLOCKED,
        started_on=blocked_on,
        reason="PTA order 123",
    )

    first, second = periods(session, service)
    assert (first.status, first.ended_on) == (AccessStatus.AVAILABLE, blocked_on)
    assert (second.status, second.started_on, second.ended_on, second.reason) == (
        AccessStatus.BLOCKED,
        blocked_on,
        None,
        "PTA order 123",
    )
    assert service.access_status is AccessStatus.BLOCKED
    event = last_event(session)
    assert (event.action, event.before, event.after["access_status"]) == (
        "service.access_change",
        {"access_status": "available"},
        "blocked",
    )


@pytest.mark.parametrize(
    ("status", "days_ago", "reason", "field"),
    [
        (AccessStatus.AVAILABLE, 1, "why", "status"),
        (AccessStatus.BLOCKED, -1, "why", "started_on"),
        (AccessStatus.BLOCKED, 20, "why", "started_on"),
        (AccessStatus.THROTTLED, 1, "  ", "reason"),
        (AccessStatus.THROTTLED, 1, "x" * 501, "reason"),
    ],
)
def test_invalid_access_change_is_refused_and_keeps_the_history(session, keeper, meta, status, days_ago, reason, field):
    service = make_service(session, actor=keeper, company=meta, since=today() - timedelta(days=10))
    before = rows(session, ServiceAccessPeriod)

    with pytest.raises(Invalid) as refused:
        change_access_status(
            session,
            actor=keeper,
            service_id=service.id,
            version=service.version,
            status=status,
            started_on=today() - timedelta(days=days_ago),
            reason=reason,
        )

    assert field in refused.value.fields
    assert rows(session, ServiceAccessPeriod) == before
    assert [p.ended_on for p in periods(session, service)] == [None]


def test_access_change_by_a_member_is_refused_and_writes_nothing(session, keeper, meta):
    service = make_service(session, actor=keeper, company=meta)
    member = make_user(session)
    before = rows(session, ServiceAccessPeriod)

    with pytest.raises(Forbidden):
        change_access_status(
            session,
            actor=member,
            service_id=service.id,
            version=1,
            status=AccessStatus.BLOCKED,
            started_on=today(),
            reason="no",
        )

    assert rows(session, ServiceAccessPeriod) == before
    assert service.access_status is AccessStatus.AVAILABLE


def test_stale_access_change_is_a_conflict(session, keeper, meta):
    service = make_service(session, actor=keeper, company=meta, since=today() - timedelta(days=5))
    update_service(session, actor=keeper, service_id=service.id, version=1, data=ServiceInput(name="Renamed"))

    with pytest.raises(Conflict):
        change_access_status(
            session,
            actor=keeper,
            service_id=service.id,
            version=1,
            status=AccessStatus.BLOCKED,
            started_on=today(),
            reason="order",
        )


def test_update_service_changes_the_estimate_and_audits(session, keeper, meta):
    service = make_service(session, actor=keeper, company=meta, name="YouTube")
    data = ServiceInput(name="YouTube", estimated_users=71_700_000, users_source="DataReportal", users_as_of=today())

    update_service(session, actor=keeper, service_id=service.id, version=service.version, data=data)

    assert service.estimated_users == 71_700_000
    event = last_event(session)
    assert (event.action, event.after["estimated_users"]) == ("service.update", 71_700_000)


# Contacts.


def test_a_contact_works_for_a_company_or_a_government_body(session, keeper, meta):
    pta = get_by_short_name(session, "PTA")

    at_company = make_contact(session, actor=keeper, company=meta, name="Sara Ahmed", email="sara@example.com")
    official = make_contact(session, actor=keeper, organisation_id=pta.id, name="Bilal Khan")

    assert (at_company.company_id, at_company.organisation_id) == (meta.id, None)
    assert (official.company_id, official.organisation_id) == (None, pta.id)
    assert last_event(session).action == "contact.create"


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"company_id": None}, "company_id"),
        ({"organisation_id": "both"}, "company_id"),
        ({"company_id": 987654}, "company_id"),
        ({"name": " "}, "name"),
        ({"email": "not-an-email"}, "email"),
        ({"phone": "call me maybe"}, "phone"),
        ({"valid_from": today(), "valid_to": today() - timedelta(days=1)}, "valid_to"),
        ({"title": "x" * 201}, "title"),
    ],
)
def test_invalid_contact_is_refused_and_writes_nothing(session, keeper, meta, values, field):
    if values.get("organisation_id") == "both":
        values = {"organisation_id": get_by_short_name(session, "PTA").id}
    before = rows(session, Contact)

    with pytest.raises(Invalid) as refused:
        create_contact(session, actor=keeper, data=ContactInput(**{"name": "Sara", "company_id": meta.id, **values}))

    assert field in refused.value.fields
    assert rows(session, Contact) == before


def test_contact_update_with_a_stale_version_is_a_conflict(session, keeper, meta):
    contact = make_contact(session, actor=keeper, company=meta, name="Sara")
    update_contact(
        session,
        actor=keeper,
        contact_id=contact.id,
        version=1,
        data=ContactInput(name="Sara", company_id=meta.id, title="Head of Policy"),
    )
    before = rows(session, Contact)

    with pytest.raises(Conflict):
        update_contact(
            session, actor=keeper, contact_id=contact.id, version=1, data=ContactInput(name="Sara", company_id=meta.id)
        )

    assert contact.title == "Head of Policy"
    assert rows(session, Contact) == before


def test_member_cannot_add_or_change_a_contact(session, keeper, meta):
    contact = make_contact(session, actor=keeper, company=meta)
    member = make_user(session)
    before = rows(session, Contact)

    with pytest.raises(Forbidden):
        create_contact(session, actor=member, data=ContactInput(name="X", company_id=meta.id))
    with pytest.raises(Forbidden):
        update_contact(
            session, actor=member, contact_id=contact.id, version=1, data=ContactInput(name="X", company_id=meta.id)
        )

    assert rows(session, Contact) == before


def test_exports_are_audited_with_their_filters(session, keeper):
    record_export(session, actor=keeper, register="companies", filters={"priority": Priority.HIGH}, rows=3)

    event = last_event(session)
    assert (event.action, event.after) == ("companies.export", {"filters": {"priority": "high"}, "rows": 3})
