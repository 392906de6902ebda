"""API: /api/v1/engagement-requests."""

from __future__ import annotations

import pytest

from crm.accounts.models import Role
from crm.designations.models import DesignationKind
from crm.designations.queries import active_designation
from crm.designations.services import end_designation
from crm.followups.models import FollowUp
from crm.requests.models import EngagementRequest
from tests.channel.conftest import assert_error
from tests.channel.factories import appoint, fresh, make_chair, make_company, make_request, make_thread
from tests.factories import make_user

BASE = "/api/v1/engagement-requests"


@pytest.fixture
def world(seed):
    def build(s):
        chair = make_chair(s, username="api.chair")
        focal = make_user(s, username="api.focal")
        appoint(s, chair=chair, user=focal)
        member = make_user(s, org="MoFA", username="api.member")
        company = make_company(s, "Meta Platforms")
        return {"chair": chair, "focal": focal, "member": member, "company": company,
                "thread": make_thread(s, company=company, created_by=chair),
                "other": make_user(s, org="MoC", username="api.other"),
                "pending": make_request(s, by=member, company=company)}  # fmt: skip

    return seed(build)


@pytest.fixture
def headers(world, bearer):
    return {name: bearer(world[name]) for name in ("chair", "focal", "member", "other")}


def test_a_member_files_a_request(client, world, headers, rows):
    before = rows(EngagementRequest)
    body = {"company_id": world["company"].id, "thread_id": world["thread"].id, "purpose": "Ask about takedowns.",
            "urgency": "soon"}  # fmt: skip

    response = client.post(BASE, headers=headers["member"], json=body)

    assert response.status_code == 201, response.get_data(as_text=True)
    created = response.get_json()
    assert {k: created[k] for k in body} == body
    assert (created["status"], created["requested_by_id"], created["follow_up_id"]) == (
        "pending", world["member"].id, None)  # fmt: skip
    assert created["version"] == 1
    assert rows(EngagementRequest) == (before[0] + 1, before[1] + 1)


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, {"company_id", "purpose"}),
        ({"company_id": 987654, "purpose": "x"}, {"company_id"}),
        ({"company_id": "abc", "purpose": "x"}, {"company_id"}),
        ({"company_id": 1, "purpose": "x", "urgency": "now"}, {"urgency"}),
        ({"company_id": 1, "purpose": "   "}, {"purpose"}),
        ({"company_id": 1, "purpose": "x" * 4001}, {"purpose"}),
        ({"company_id": 1, "purpose": "x", "thread_id": 10**15}, {"thread_id"}),
    ],
)
def test_bad_requests_are_422_and_write_nothing(client, world, headers, rows, body, fields):
    if body.get("company_id") == 1:
        body = body | {"company_id": world["company"].id}
    before = rows(EngagementRequest)
    error = assert_error(client.post(BASE, headers=headers["member"], json=body), 422, "validation_failed")
    assert fields <= set(error["fields"])
    assert rows(EngagementRequest) == before


def test_the_focal_person_gets_is_focal_person(client, world, headers):
    body = {"company_id": world["company"].id, "purpose": "x"}
    assert_error(client.post(BASE, headers=headers["focal"], json=body), 403, "is_focal_person")


def test_accept_creates_the_follow_up(client, world, headers, rows):
    pending = world["pending"]
    before = rows(FollowUp)

    response = client.post(f"{BASE}/{pending.id}/accept", headers=headers["focal"], json={"version": pending.version})

    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert (body["status"], body["decided_by_id"]) == ("accepted", world["focal"].id)
    assert rows(FollowUp)[0] == before[0] + 1
    follow_up = client.get(f"/api/v1/follow-ups/{body['follow_up_id']}", headers=headers["focal"]).get_json()
    assert (follow_up["assignee_id"], follow_up["is_outbound_action"]) == (world["focal"].id, True)
    assert follow_up["title"].startswith("Raise with Meta Platforms: ")
    again = client.post(f"{BASE}/{pending.id}/accept", headers=headers["chair"], json={"version": body["version"]})
    assert_error(again, 409, "version_conflict")


def test_decline_needs_a_reason_and_a_version(client, world, headers, rows):
    path = f"{BASE}/{world['pending'].id}/decline"
    before = rows(EngagementRequest)
    assert_error(client.post(path, headers=headers["focal"], json={"version": 1}), 422, "validation_failed")
    assert_error(client.post(path, headers=headers["focal"], json={"version": 1, "reason": "  "}), 422,
                 "validation_failed")  # fmt: skip
    assert_error(client.post(path, headers=headers["focal"], json={"reason": "x"}), 422, "validation_failed")
    assert rows(EngagementRequest) == before

    response = client.post(path, headers=headers["focal"], json={"version": 1, "reason": "Raised already."})
    assert response.status_code == 200
    assert (response.get_json()["status"], response.get_json()["decline_reason"]) == ("declined", "Raised already.")


def test_self_approval_is_403_and_writes_nothing(client, world, headers, seed, rows):
    own = seed(lambda s: make_request(s, by=fresh(s, world["chair"]), company=world["company"]))
    before = rows(EngagementRequest, FollowUp)
    response = client.post(f"{BASE}/{own.id}/accept", headers=headers["chair"], json={"version": own.version})
    assert_error(response, 403, "self_approval")
    assert rows(EngagementRequest, FollowUp) == before


def test_a_member_cannot_decide(client, world, headers):
    path = f"{BASE}/{world['pending'].id}/accept"
    # A member who did not file it cannot see it: the 404 of an id that does not exist.
    assert_error(client.post(path, headers=headers["other"], json={"version": 1}), 404, "not_found")


def test_no_focal_person_refuses_accept(client, world, headers, seed, rows):
    def vacate(s):
        current = active_designation(s, DesignationKind.FOCAL_PERSON)
        end_designation(s, actor=fresh(s, world["chair"]), designation_id=current.id)

    seed(vacate)
    before = rows(EngagementRequest, FollowUp)
    response = client.post(f"{BASE}/{world['pending'].id}/accept", headers=headers["chair"], json={"version": 1})
    error = assert_error(response, 403, "no_focal_person")
    assert "No focal person" in error["message"]
    assert rows(EngagementRequest, FollowUp) == before


def test_visibility_of_lists_and_items(client, world, headers, seed):
    pending = world["pending"]
    mine = client.get(BASE, headers=headers["member"]).get_json()["items"]
    others = client.get(BASE, headers=headers["other"]).get_json()["items"]
    chair_all = client.get(BASE, headers=headers["chair"]).get_json()["items"]

    assert [r["id"] for r in mine] == [pending.id]
    assert others == []
    assert pending.id in [r["id"] for r in chair_all]
    assert client.get(f"{BASE}/{pending.id}", headers=headers["member"]).status_code == 200
    assert_error(client.get(f"{BASE}/{pending.id}", headers=headers["other"]), 404, "not_found")
    assert_error(client.get(f"{BASE}/987654", headers=headers["chair"]), 404, "not_found")


def test_list_filters_and_pagination(client, world, headers, seed):
    seed(lambda s: [make_request(s, by=fresh(s, world["member"]), company=world["company"]) for _ in range(3)])
    seen, cursor = [], None
    for _ in range(10):
        query = {"limit": 2, "status": "pending"} | ({"cursor": cursor} if cursor else {})
        body = client.get(BASE, headers=headers["focal"], query_string=query).get_json()
        seen += [r["id"] for r in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == 4
    assert seen == sorted(seen)
    to_decide = client.get(f"{BASE}?scope=to_decide", headers=headers["focal"]).get_json()["items"]
    assert len(to_decide) == 4
    assert_error(client.get(f"{BASE}?status=maybe", headers=headers["chair"]), 422, "validation_failed")


@pytest.mark.parametrize("role", [Role.OBSERVER, Role.ADMIN])
def test_observers_and_admins_cannot_file(client, world, bearer, seed, role):
    user = seed(lambda s: make_user(s, role=role))
    body = {"company_id": world["company"].id, "purpose": "x"}
    assert_error(client.post(BASE, headers=bearer(user), json=body), 403, "not_permitted")
