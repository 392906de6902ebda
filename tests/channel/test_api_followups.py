"""API: /api/v1/follow-ups."""

from __future__ import annotations

from datetime import date

import pytest

from crm.accounts.models import Role
from crm.followups.models import FollowUp
from tests.channel.conftest import assert_error
from tests.channel.factories import make_company, make_follow_up
from tests.factories import make_user

BASE = "/api/v1/follow-ups"
FIELDS = {"id", "title", "details", "assignee_id", "assignee_organisation_id", "due_date", "status",
          "is_outbound_action", "company_id", "thread_id", "engagement_id", "completion_note", "completed_at",
          "created_at", "version", "priority", "commitment_id"}  # fmt: skip


@pytest.fixture
def world(seed):
    def build(s):
        member = make_user(s, org="MoFA", username="api.member")
        company = make_company(s, "Alphabet")
        return {"member": member, "other": make_user(s, org="MoC", username="api.other"),
                "secretariat": make_user(s, role=Role.SECRETARIAT, username="api.sec"),
                "mine": make_follow_up(s, assignee=member, due=date(2026, 1, 5), outbound=True, company=company),
                "queue": make_follow_up(s, organisation_id=member.organisation_id),
                "theirs": make_follow_up(s, assignee=make_user(s))}  # fmt: skip

    return seed(build)


@pytest.fixture
def headers(world, bearer):
    return {name: bearer(world[name]) for name in ("member", "other", "secretariat")}


def test_assignee_me_lists_mine_and_my_queue(client, world, headers):
    body = client.get(f"{BASE}?assignee=me&status=open", headers=headers["member"]).get_json()
    assert [f["id"] for f in body["items"]] == [world["mine"].id, world["queue"].id]
    item = body["items"][0]
    assert set(item) == FIELDS
    assert (item["due_date"], item["status"], item["is_outbound_action"]) == ("2026-01-05", "open", True)
    assert item["company_id"] is not None


def test_lists_respect_who_may_see(client, world, headers):
    assert client.get(BASE, headers=headers["other"]).get_json()["items"] == []
    everything = [f["id"] for f in client.get(BASE, headers=headers["secretariat"]).get_json()["items"]]
    assert {world["mine"].id, world["queue"].id, world["theirs"].id} <= set(everything)
    assert_error(client.get(f"{BASE}?assignee=you", headers=headers["member"]), 422, "validation_failed")
    assert_error(client.get(f"{BASE}?status=late", headers=headers["member"]), 422, "validation_failed")


def test_get_one(client, world, headers):
    assert client.get(f"{BASE}/{world['mine'].id}", headers=headers["member"]).get_json()["title"]
    assert_error(client.get(f"{BASE}/{world['mine'].id}", headers=headers["other"]), 404, "not_found")
    assert_error(client.get(f"{BASE}/987654", headers=headers["member"]), 404, "not_found")


def test_the_assignee_completes_and_a_second_time_is_409(client, world, headers, rows):
    path = f"{BASE}/{world['mine'].id}/complete"
    response = client.post(path, headers=headers["member"], json={"version": 1, "note": "Done by letter."})
    assert response.status_code == 200
    body = response.get_json()
    assert (body["status"], body["completion_note"]) == ("done", "Done by letter.")
    assert body["completed_at"] is not None
    assert_error(client.post(path, headers=headers["member"], json={"version": body["version"]}), 409,
                 "version_conflict")  # fmt: skip


def test_others_cannot_complete_and_nothing_is_written(client, world, headers, rows):
    path = f"{BASE}/{world['mine'].id}/complete"
    before = rows(FollowUp)
    # Someone who may not see it gets the 404 of an id that does not exist (ids reveal nothing).
    assert_error(client.post(path, headers=headers["other"], json={"version": 1}), 404, "not_found")
    assert_error(client.post(path, headers=headers["member"], json={}), 422, "validation_failed")
    assert_error(client.post(path, headers=headers["member"], json={"version": 1, "note": "n" * 4001}), 422,
                 "validation_failed")  # fmt: skip
    assert_error(client.post(path, headers=headers["member"], json={"version": 5}), 409, "version_conflict")
    assert_error(client.post(f"{BASE}/987654/complete", headers=headers["member"], json={"version": 1}), 404,
                 "not_found")  # fmt: skip
    assert rows(FollowUp) == before


def test_the_openapi_document_lists_the_channel_resources(client):
    paths = set(client.get("/api/v1/openapi.json").get_json()["paths"])
    assert {
        "/api/v1/designations", "/api/v1/designations/{designation_id}/end", "/api/v1/engagement-requests",
        "/api/v1/engagement-requests/{request_id}/accept", "/api/v1/engagement-requests/{request_id}/decline",
        "/api/v1/channel-exceptions", "/api/v1/channel-exceptions/{exception_id}/review", "/api/v1/follow-ups",
        "/api/v1/follow-ups/{follow_up_id}/complete",
    } <= paths  # fmt: skip
