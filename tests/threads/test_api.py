"""/api/v1/threads: list, one, create, patch (versions) and stage moves."""

from __future__ import annotations

import base64

import pytest

from crm.accounts.models import Role, User
from crm.companies.models import Company, Priority
from crm.db import get_session
from crm.organisations.queries import get_by_short_name
from crm.threads.models import Stage
from tests.api.test_api import assert_error
from tests.factories import make_token, make_user
from tests.threads.factories import make_company, make_focal_person, make_thread


@pytest.fixture
def api_user(seed):
    """A user of `role` and a bearer header carrying their new token."""

    def create(role=Role.MEMBER, **kwargs):
        def build(session):
            user = make_user(session, role=role, **kwargs)
            return user, {"Authorization": f"Bearer {make_token(session, user)}"}

        return seed(build)

    return create


@pytest.fixture
def chair(api_user):
    return api_user(Role.CHAIR, org="NSD")


@pytest.fixture
def companies(seed):
    return seed(lambda s: (make_company(s, "Google"), make_company(s, "Meta"), make_company(s, "TikTok")))


@pytest.fixture
def thread(seed, chair, companies):
    return seed(
        lambda s: make_thread(
            s,
            actor=s.get(User, chair[0].id),
            companies=[s.get(Company, companies[0].id)],
            title="Google liaison office in Pakistan",
        )
    )


def new_body(companies, **overrides):
    body = {
        "title": "Meta data localisation",
        "company_ids": [companies[1].id],
        "objective": "Local storage of users' data",
        "our_ask": "A timeline",
        "their_position": "Unclear",
        "priority": "high",
        "target_date": "2026-09-30",
        "next_step": "Ask for a meeting",
    }
    return body | overrides


# GET /threads


def test_the_list_is_a_page_of_threads_with_snake_case_fields(client, chair, thread):
    response = client.get("/api/v1/threads", headers=chair[1])

    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"items", "next_cursor"}
    item = next(i for i in body["items"] if i["id"] == thread.id)
    assert {
        "title",
        "objective",
        "our_ask",
        "their_position",
        "stage",
        "priority",
        "lead_organisation_id",
        "target_date",
        "next_step",
        "next_step_owner_id",
        "company_ids",
        "version",
    } <= set(item)
    assert (item["stage"], item["priority"], item["company_ids"]) == ("identified", "medium", [thread.companies[0].id])


def test_members_and_observers_may_read(client, api_user, thread):
    for role in (Role.MEMBER, Role.OBSERVER):
        _, headers = api_user(role)
        assert client.get("/api/v1/threads", headers=headers).status_code == 200
        assert client.get(f"/api/v1/threads/{thread.id}", headers=headers).status_code == 200


def test_cursor_pagination_walks_every_thread_once(client, chair, seed, companies):
    def build(session):
        actor, company = session.get(User, chair[0].id), session.get(Company, companies[0].id)
        return [make_thread(session, actor=actor, companies=[company]).id for _ in range(5)]

    made = seed(build)
    seen, cursor = [], None
    for _ in range(20):
        query = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        body = client.get("/api/v1/threads", headers=chair[1], query_string=query).get_json()
        assert len(body["items"]) <= 2
        seen += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break

    assert seen == sorted(seen) == sorted(set(seen))
    assert set(made) <= set(seen)


def test_the_list_filters_by_stage_company_and_priority(client, chair, seed, companies, thread):
    def build(session):
        actor = session.get(User, chair[0].id)
        meta, tiktok = session.get(Company, companies[1].id), session.get(Company, companies[2].id)
        return (
            make_thread(session, actor=actor, companies=[meta], priority=Priority.LOW).id,
            make_thread(session, actor=actor, companies=[tiktok], stage=Stage.STALLED).id,
        )

    low, stalled = seed(build)

    def ids(query):
        return [i["id"] for i in client.get(f"/api/v1/threads?{query}", headers=chair[1]).get_json()["items"]]

    assert ids(f"company_id={companies[1].id}") == [low]
    assert ids("priority=low") == [low]
    assert ids("stage=stalled") == [stalled]
    assert ids(f"stage=identified&company_id={companies[0].id}&priority=medium") == [thread.id]
    assert ids(f"stage=stalled&company_id={companies[0].id}") == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("stage=bogus", "stage"),
        ("priority=urgent", "priority"),
        ("company_id=abc", "company_id"),
        ("company_id=99999999999999999999", "company_id"),
        ("limit=0", "limit"),
        ("cursor=garbage!!", "cursor"),
        ("cursor=" + base64.urlsafe_b64encode(b"id:x").decode(), "cursor"),
    ],
)
def test_bad_list_arguments_are_422(client, chair, query, field):
    error = assert_error(client.get(f"/api/v1/threads?{query}", headers=chair[1]), 422, "validation_failed")

    assert field in error["fields"]


def test_the_api_needs_a_token(client):
    assert_error(client.get("/api/v1/threads"), 401, "unauthorized")
    assert_error(client.post("/api/v1/threads", json={}), 401, "unauthorized")


# GET /threads/{id}


def test_one_thread_has_its_companies_and_stage_history(client, chair, thread, companies):
    body = client.get(f"/api/v1/threads/{thread.id}", headers=chair[1]).get_json()

    assert body["title"] == "Google liaison office in Pakistan"
    assert body["companies"] == [{"id": companies[0].id, "name": "Google"}]
    assert body["company_ids"] == [companies[0].id]
    assert [(h["from_stage"], h["to_stage"], h["changed_by_id"]) for h in body["stage_history"]] == [
        (None, "identified", chair[0].id)
    ]
    assert body["version"] == thread.version


@pytest.mark.parametrize("thread_id", ["987654", "99999999999999999999", "-1", "abc"])
def test_an_unknown_thread_is_a_json_404(client, chair, thread_id):
    assert_error(client.get(f"/api/v1/threads/{thread_id}", headers=chair[1]), 404, "not_found")
    assert_error(client.patch(f"/api/v1/threads/{thread_id}", headers=chair[1], json={"version": 1}), 404, "not_found")
    moved = client.post(
        f"/api/v1/threads/{thread_id}/stage", headers=chair[1], json={"stage": "outreach", "version": 1}
    )
    assert_error(moved, 404, "not_found")


# POST /threads


def test_the_chair_creates_a_thread(app, client, chair, companies, totals):
    before = totals()
    with app.app_context():
        moit = get_by_short_name(get_session(), "MoIT").id

    response = client.post(
        "/api/v1/threads",
        headers=chair[1],
        json=new_body(
            companies,
            company_ids=[companies[1].id, companies[2].id],
            lead_organisation_id=moit,
            next_step_owner_id=chair[0].id,
        ),
    )

    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert body["title"] == "Meta data localisation"
    assert sorted(body["company_ids"]) == [companies[1].id, companies[2].id]
    assert (body["priority"], body["target_date"], body["lead_organisation_id"]) == ("high", "2026-09-30", moit)
    assert body["next_step_owner_id"] == chair[0].id
    assert [(h["from_stage"], h["to_stage"]) for h in body["stage_history"]] == [(None, "identified")]
    assert totals() == (before[0] + 1, before[1] + 1, before[2] + 1)


def test_a_thread_may_be_created_at_a_stage_with_a_note(client, chair, companies):
    response = client.post(
        "/api/v1/threads", headers=chair[1], json=new_body(companies, stage="negotiating", note="Already under way")
    )

    assert response.status_code == 201
    assert response.get_json()["stage_history"][0]["note"] == "Already under way"


def test_the_focal_person_creates_a_thread(client, seed, companies):
    headers = seed(lambda s: {"Authorization": f"Bearer {make_token(s, make_focal_person(s))}"})

    assert client.post("/api/v1/threads", headers=headers, json=new_body(companies)).status_code == 201


@pytest.mark.parametrize("role", [Role.MEMBER, Role.OBSERVER, Role.ADMIN])
def test_others_cannot_create_and_nothing_is_written(client, api_user, companies, totals, role):
    _, headers = api_user(role)
    before = totals()

    assert_error(client.post("/api/v1/threads", headers=headers, json=new_body(companies)), 403, "not_permitted")
    assert totals() == before


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, {"title", "company_ids"}),
        ({"title": "   "}, {"title"}),
        ({"title": "x" * 201}, {"title"}),
        ({"company_ids": []}, {"company_ids"}),
        ({"company_ids": [987654]}, {"company_ids"}),
        ({"company_ids": [10**23]}, {"company_ids"}),
        ({"company_ids": "1"}, {"company_ids"}),
        ({"priority": "urgent"}, {"priority"}),
        ({"target_date": "31-12-2026"}, {"target_date"}),
        ({"lead_organisation_id": 987654}, {"lead_organisation_id"}),
        ({"next_step_owner_id": 987654}, {"next_step_owner_id"}),
        ({"next_step": "x" * 501}, {"next_step"}),
        ({"stage": "closed"}, {"note"}),
        ({"stage": "bogus"}, {"stage"}),
        ({"version": 3}, {"version"}),
        ({"unexpected": 1}, {"unexpected"}),
    ],
)
def test_bad_create_bodies_are_422_and_write_nothing(client, chair, companies, totals, body, fields):
    payload = body if body == {} else new_body(companies, **body)
    before = totals()

    error = assert_error(client.post("/api/v1/threads", headers=chair[1], json=payload), 422, "validation_failed")

    assert fields <= set(error["fields"])
    assert totals() == before


@pytest.mark.parametrize("payload", ["not json", "[1, 2]", "null"])
def test_malformed_json_is_a_client_error(client, chair, payload):
    response = client.post("/api/v1/threads", headers=chair[1], data=payload, content_type="application/json")

    assert 400 <= response.status_code < 500


# PATCH /threads/{id}


def test_patch_changes_only_what_is_sent(client, chair, thread, companies):
    response = client.patch(
        f"/api/v1/threads/{thread.id}",
        headers=chair[1],
        json={
            "version": thread.version,
            "their_position": "Will open in 2027",
            "company_ids": [companies[0].id, companies[2].id],
            "target_date": None,
        },
    )

    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["their_position"] == "Will open in 2027"
    assert sorted(body["company_ids"]) == [companies[0].id, companies[2].id]
    assert body["title"] == "Google liaison office in Pakistan"
    assert (body["stage"], body["version"]) == ("identified", thread.version + 1)


def test_a_stale_patch_is_409_and_changes_nothing(client, chair, thread):
    client.patch(f"/api/v1/threads/{thread.id}", headers=chair[1], json={"version": thread.version, "title": "First"})
    current = client.get(f"/api/v1/threads/{thread.id}", headers=chair[1]).get_json()

    response = client.patch(
        f"/api/v1/threads/{thread.id}", headers=chair[1], json={"version": thread.version, "title": "Second"}
    )

    assert_error(response, 409, "version_conflict")
    assert client.get(f"/api/v1/threads/{thread.id}", headers=chair[1]).get_json() == current


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "No version"}, "version"),
        ({"version": "x"}, "version"),
        ({"version": 1, "stage": "closed"}, "stage"),
        ({"version": 1, "company_ids": []}, "company_ids"),
        ({"version": 1, "title": ""}, "title"),
        ({"version": 1, "priority": "urgent"}, "priority"),
    ],
)
def test_bad_patches_are_422(client, chair, thread, totals, body, field):
    before = totals()

    error = assert_error(
        client.patch(f"/api/v1/threads/{thread.id}", headers=chair[1], json=body), 422, "validation_failed"
    )

    assert field in error["fields"]
    assert totals() == before


def test_a_member_cannot_patch(client, api_user, thread, totals):
    _, headers = api_user(Role.MEMBER)
    before = totals()

    response = client.patch(f"/api/v1/threads/{thread.id}", headers=headers, json={"version": 1, "title": "Mine"})

    assert_error(response, 403, "not_permitted")
    assert totals() == before


# POST /threads/{id}/stage


def test_the_chair_moves_a_thread_to_another_stage(client, chair, thread):
    response = client.post(
        f"/api/v1/threads/{thread.id}/stage",
        headers=chair[1],
        json={"stage": "agreement_in_principle", "note": "MoU agreed", "version": thread.version},
    )

    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert (body["stage"], body["version"]) == ("agreement_in_principle", thread.version + 1)
    last = body["stage_history"][-1]
    assert (last["from_stage"], last["to_stage"], last["note"]) == (
        "identified",
        "agreement_in_principle",
        "MoU agreed",
    )
    assert last["changed_by_id"] == chair[0].id
    assert last["changed_at"]


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ({"stage": "identified"}, 422, "validation_failed", "stage"),
        ({"stage": "abandoned", "note": " "}, 422, "validation_failed", "note"),
        ({"stage": "closed"}, 422, "validation_failed", "note"),
        ({"stage": "bogus"}, 422, "validation_failed", "stage"),
        ({"stage": "outreach", "note": "x" * 501}, 422, "validation_failed", "note"),
        ({"stage": "outreach", "version": None}, 422, "validation_failed", "version"),
        ({"stage": "outreach", "version": 0}, 409, "version_conflict", None),
    ],
)
def test_bad_stage_moves_are_refused_and_write_nothing(client, chair, thread, totals, body, status, code, field):
    before = totals()

    error = assert_error(
        client.post(f"/api/v1/threads/{thread.id}/stage", headers=chair[1], json={"version": thread.version} | body),
        status,
        code,
    )

    if field:
        assert field in error["fields"]
    assert totals() == before


@pytest.mark.parametrize("role", [Role.MEMBER, Role.OBSERVER, Role.ADMIN])
def test_others_cannot_move_a_thread(client, api_user, thread, totals, role):
    _, headers = api_user(role)
    before = totals()

    response = client.post(
        f"/api/v1/threads/{thread.id}/stage", headers=headers, json={"stage": "outreach", "version": thread.version}
    )

    assert_error(response, 403, "not_permitted")
    assert totals() == before


def test_the_openapi_document_describes_the_threads_resource(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]

    assert {"/api/v1/threads", "/api/v1/threads/{thread_id}", "/api/v1/threads/{thread_id}/stage"} <= set(paths)
