"""/api/v1/companies and /api/v1/contacts: the same services as the pages, in JSON."""

from __future__ import annotations

from datetime import timedelta

import pytest

from crm.accounts.models import Role
from crm.companies.models import AccessStatus, Company, Health, Priority
from crm.companies.services import change_access_status, today
from crm.contacts.models import Contact
from crm.organisations.queries import get_by_short_name
from tests.companies.factories import appoint_focal_person, make_company, make_contact, make_keeper, make_service


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert error["code"] == code
    assert error["message"]
    return error


@pytest.fixture
def meta(db):
    def seed(s):
        keeper = make_keeper(s)
        company = make_company(s, actor=keeper, name="Meta", priority=Priority.HIGH, health=Health.RED)
        service = make_service(s, actor=keeper, company=company, name="Facebook", since=today() - timedelta(days=9))
        change_access_status(
            s,
            actor=keeper,
            service_id=service.id,
            version=service.version,
            status=AccessStatus.THROTTLED,
            started_on=today(),
            reason="PTA order 5",
        )
        make_contact(s, actor=keeper, company=company, name="Sara Ahmed", email="sara@example.com")
        make_contact(s, actor=keeper, company=company, name="Old Hand", valid_to=today() - timedelta(days=1))
        make_company(s, actor=keeper, name="TikTok", priority=Priority.LOW, health=Health.GREEN)
        return company

    return db(seed)


def test_the_openapi_document_describes_both_resources(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]

    assert {"/api/v1/companies", "/api/v1/companies/{company_id}", "/api/v1/contacts"} <= set(paths)


def test_anyone_with_a_token_lists_companies_with_filters(client, bearer, meta):
    _, headers = bearer(Role.OBSERVER, org="PMO")

    everything = client.get("/api/v1/companies", headers=headers).get_json()
    high = client.get("/api/v1/companies?priority=high", headers=headers).get_json()
    green = client.get("/api/v1/companies?health=green", headers=headers).get_json()

    assert set(everything) == {"items", "next_cursor"}
    assert [c["name"] for c in high["items"]] == ["Meta"]
    assert [c["name"] for c in green["items"]] == ["TikTok"]
    assert high["items"][0]["priority"] == "high"
    assert "legal_name" in high["items"][0]


def test_the_cursor_walks_every_company_once(client, bearer, meta, db):
    _, headers = bearer(Role.MEMBER)
    seen, cursor = [], None
    for _ in range(10):
        query = {"limit": 1} | ({"cursor": cursor} if cursor else {})
        body = client.get("/api/v1/companies", headers=headers, query_string=query).get_json()
        seen += [c["id"] for c in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break

    assert seen == sorted(seen)
    assert len(seen) == db(lambda s: s.query(Company).count())


@pytest.mark.parametrize(
    ("query", "field"),
    [("priority=urgent", "priority"), ("health=blue", "health"), ("limit=0", "limit"), ("cursor=!!", "cursor")],
)
def test_bad_list_arguments_are_422(client, bearer, query, field):
    _, headers = bearer(Role.MEMBER)

    error = assert_error(client.get(f"/api/v1/companies?{query}", headers=headers), 422, "validation_failed")

    assert field in error["fields"]


def test_one_company_carries_its_services_and_their_access_history(client, bearer, meta):
    _, headers = bearer(Role.MEMBER)

    body = client.get(f"/api/v1/companies/{meta.id}", headers=headers).get_json()

    assert (body["name"], body["priority"], body["health"], body["version"]) == ("Meta", "high", "red", 1)
    [facebook] = body["services"]
    assert facebook["access_status"] == "throttled"
    assert [h["status"] for h in facebook["access_history"]] == ["throttled", "available"]
    assert facebook["access_history"][1]["ended_on"] == today().isoformat()
    assert facebook["access_history"][0]["reason"] == "PTA order 5"


@pytest.mark.parametrize("company_id", ["987654", "99999999999999999999", "abc", "-1"])
def test_an_unknown_company_is_a_json_404(client, bearer, company_id):
    _, headers = bearer(Role.MEMBER)

    assert_error(client.get(f"/api/v1/companies/{company_id}", headers=headers), 404, "not_found")
    assert_error(
        client.patch(f"/api/v1/companies/{company_id}", headers=headers, json={"version": 1}), 404, "not_found"
    )


@pytest.mark.parametrize("role", [Role.SECRETARIAT, Role.CHAIR, "focal_person"])
def test_keepers_add_a_company(client, bearer, db, snapshot_counts, role):
    user, headers = bearer(Role.MEMBER if role == "focal_person" else role)
    if role == "focal_person":
        db(lambda s: appoint_focal_person(s, s.get(type(user), user.id)))
    before = snapshot_counts(Company)
    body = {"name": "Telegram", "priority": "high", "presence": "none", "pta_verified_on": today().isoformat()}

    response = client.post("/api/v1/companies", headers=headers, json=body)

    assert response.status_code == 201, response.get_data(as_text=True)
    created = response.get_json()
    assert (created["name"], created["priority"], created["health"], created["services"]) == (
        "Telegram",
        "high",
        "amber",
        [],
    )
    assert snapshot_counts(Company) == (before[0] + 1, before[1] + 1)


@pytest.mark.parametrize("role", [Role.MEMBER, Role.OBSERVER, Role.ADMIN])
def test_others_are_refused_with_not_permitted_and_nothing_is_written(client, bearer, meta, snapshot_counts, role):
    _, headers = bearer(role)
    before = snapshot_counts(Company)

    assert_error(client.post("/api/v1/companies", headers=headers, json={"name": "X"}), 403, "not_permitted")
    patched = client.patch(f"/api/v1/companies/{meta.id}", headers=headers, json={"version": 1, "notes": "x"})
    assert_error(patched, 403, "not_permitted")
    assert snapshot_counts(Company) == before


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, {"name"}),
        ({"name": ""}, {"name"}),
        ({"name": "X", "priority": "urgent"}, {"priority"}),
        ({"name": "X", "tax_verified_on": "31-12-2024"}, {"tax_verified_on"}),
        ({"name": "X", "tax_verified_on": (today() + timedelta(days=5)).isoformat()}, {"tax_verified_on"}),
        ({"name": "X" * 121}, {"name"}),
        ({"name": "meta"}, {"name"}),
        ({"name": "X", "presence": "branch"}, {"presence_city"}),
        ({"name": "X", "colour": "blue"}, {"colour"}),
        ({"name": None}, {"name"}),
    ],
)
def test_bad_company_bodies_are_422_with_fields_and_write_nothing(client, bearer, meta, snapshot_counts, body, fields):
    _, headers = bearer(Role.SECRETARIAT)
    before = snapshot_counts(Company)

    error = assert_error(client.post("/api/v1/companies", headers=headers, json=body), 422, "validation_failed")

    assert fields <= set(error["fields"])
    assert snapshot_counts(Company) == before


def test_patch_changes_the_given_fields_and_a_stale_version_is_409(client, bearer, meta):
    _, headers = bearer(Role.SECRETARIAT)
    path = f"/api/v1/companies/{meta.id}"

    changed = client.patch(path, headers=headers, json={"version": 1, "health": "amber", "health_reason": "Better"})
    stale = client.patch(path, headers=headers, json={"version": 1, "health": "green"})

    assert changed.status_code == 200
    assert (changed.get_json()["health"], changed.get_json()["version"], changed.get_json()["priority"]) == (
        "amber",
        2,
        "high",
    )
    assert_error(stale, 409, "version_conflict")
    assert client.get(path, headers=headers).get_json()["health"] == "amber"


@pytest.mark.parametrize("body", [{}, {"health": "green"}, {"version": "x"}, {"version": 0}])
def test_patch_needs_a_version(client, bearer, meta, body):
    _, headers = bearer(Role.SECRETARIAT)

    error = assert_error(
        client.patch(f"/api/v1/companies/{meta.id}", headers=headers, json=body), 422, "validation_failed"
    )
    assert "version" in error["fields"]


# Contacts.


def test_contacts_are_listed_by_company_and_currency(client, bearer, meta):
    _, headers = bearer(Role.MEMBER)

    of_meta = client.get(f"/api/v1/contacts?company_id={meta.id}", headers=headers).get_json()
    current = client.get(f"/api/v1/contacts?company_id={meta.id}&current=true", headers=headers).get_json()

    assert {c["name"] for c in of_meta["items"]} == {"Sara Ahmed", "Old Hand"}
    assert [c["name"] for c in current["items"]] == ["Sara Ahmed"]
    assert current["items"][0]["is_current"] is True
    assert current["items"][0]["company_id"] == meta.id


@pytest.mark.parametrize(
    "query", ["company_id=abc", "company_id=0", "company_id=99999999999999999999", "current=maybe"]
)
def test_bad_contact_filters_are_422(client, bearer, query):
    _, headers = bearer(Role.MEMBER)

    assert_error(client.get(f"/api/v1/contacts?{query}", headers=headers), 422, "validation_failed")


def test_a_keeper_adds_and_changes_a_contact(client, bearer, meta, snapshot_counts):
    _, headers = bearer(Role.CHAIR)
    before = snapshot_counts(Contact)

    created = client.post(
        "/api/v1/contacts",
        headers=headers,
        json={
            "company_id": meta.id,
            "name": "Hamza Ali",
            "email": "hamza@example.com",
            "valid_from": "2024-07-01",
        },
    )
    contact = created.get_json()
    changed = client.patch(
        f"/api/v1/contacts/{contact['id']}", headers=headers, json={"version": contact["version"], "title": "Director"}
    )
    stale = client.patch(f"/api/v1/contacts/{contact['id']}", headers=headers, json={"version": 1, "title": "X"})

    assert created.status_code == 201
    assert (contact["valid_from"], contact["organisation_id"], contact["is_current"]) == ("2024-07-01", None, True)
    assert changed.status_code == 200
    assert (changed.get_json()["title"], changed.get_json()["version"]) == ("Director", 2)
    assert_error(stale, 409, "version_conflict")
    assert snapshot_counts(Contact) == (before[0] + 1, before[1] + 2)
    one = client.get(f"/api/v1/contacts/{contact['id']}", headers=headers).get_json()
    assert one["title"] == "Director"


def test_an_official_is_a_contact_of_a_government_body(client, bearer, db):
    _, headers = bearer(Role.SECRETARIAT)
    pta = db(lambda s: get_by_short_name(s, "PTA"))

    response = client.post("/api/v1/contacts", headers=headers, json={"organisation_id": pta.id, "name": "Asim"})

    assert response.status_code == 201
    assert (response.get_json()["organisation_id"], response.get_json()["company_id"]) == (pta.id, None)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "A"}, "company_id"),
        ({"name": "A", "company_id": 987654}, "company_id"),
        ({"name": "A", "company_id": 0}, "company_id"),
        ({"name": "A", "company_id": "MAKE", "organisation_id": "PTA"}, "company_id"),
        ({"name": "A", "company_id": "MAKE", "email": "nope"}, "email"),
        ({"name": "A", "company_id": "MAKE", "valid_from": "2024-02-30"}, "valid_from"),
        ({"company_id": "MAKE"}, "name"),
    ],
)
def test_bad_contact_bodies_are_422_and_write_nothing(client, bearer, meta, db, snapshot_counts, body, field):
    _, headers = bearer(Role.SECRETARIAT)
    pta = db(lambda s: get_by_short_name(s, "PTA"))
    payload = {k: {"MAKE": meta.id, "PTA": pta.id}.get(v, v) if isinstance(v, str) else v for k, v in body.items()}
    before = snapshot_counts(Contact)

    error = assert_error(client.post("/api/v1/contacts", headers=headers, json=payload), 422, "validation_failed")

    assert field in error["fields"]
    assert snapshot_counts(Contact) == before


def test_a_member_cannot_add_or_change_contacts(client, bearer, meta, db, snapshot_counts):
    _, headers = bearer(Role.MEMBER)
    sara = db(lambda s: s.query(Contact).filter_by(name="Sara Ahmed").one())
    before = snapshot_counts(Contact)

    created = client.post("/api/v1/contacts", headers=headers, json={"company_id": meta.id, "name": "X"})
    patched = client.patch(f"/api/v1/contacts/{sara.id}", headers=headers, json={"version": 1, "title": "X"})

    assert_error(created, 403, "not_permitted")
    assert_error(patched, 403, "not_permitted")
    assert snapshot_counts(Contact) == before


def test_an_unknown_contact_is_a_json_404(client, bearer):
    _, headers = bearer(Role.SECRETARIAT)

    assert_error(client.get("/api/v1/contacts/987654", headers=headers), 404, "not_found")
    assert_error(client.patch("/api/v1/contacts/987654", headers=headers, json={"version": 1}), 404, "not_found")


def test_the_api_needs_a_token(client, meta):
    assert_error(client.get("/api/v1/companies"), 401, "unauthorized")
    assert_error(client.get("/api/v1/contacts"), 401, "unauthorized")
