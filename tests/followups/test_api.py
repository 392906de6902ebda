"""API: creating, editing (with version), cancelling, reopening, taking, and the new filters."""

from __future__ import annotations

from datetime import timedelta

import pytest

from crm.db import utcnow
from crm.followups.models import FollowUp, FollowUpPriority
from crm.formatting import local
from tests.channel.conftest import assert_error
from tests.channel.factories import fresh
from tests.followups.factories import new_follow_up

BASE = "/api/v1/follow-ups"


@pytest.fixture
def headers(web_world, bearer):
    names = ("chair", "secretariat", "focal", "member", "colleague", "outsider", "observer")
    return {name: bearer(getattr(web_world, name)) for name in names}


@pytest.fixture
def items(seed, web_world):
    w, today = web_world, local(utcnow()).date()

    def build(s):
        chair = fresh(s, w.chair)
        return {
            "late": new_follow_up(s, actor=chair, assignee_id=w.member.id, due_date=today - timedelta(days=1),
                                  priority=FollowUpPriority.HIGH, commitment_id=w.commitment.id),
            "queue": new_follow_up(s, actor=chair, assignee_organisation_id=w.member.organisation_id, due_date=today),
            "other": new_follow_up(s, actor=chair, assignee_id=w.outsider.id),
        }  # fmt: skip

    return seed(build)


def ids(response) -> list[int]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return [item["id"] for item in response.get_json()["items"]]


def test_create_returns_201_with_the_new_fields(client, web_world, headers, rows):
    before = rows(FollowUp)
    response = client.post(BASE, headers=headers["chair"], json={
        "title": "Chase the liaison office", "assignee_id": web_world.member.id, "due_date": "2026-06-30",
        "priority": "high", "commitment_id": web_world.commitment.id, "thread_id": web_world.thread.id})  # fmt: skip
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert (body["priority"], body["commitment_id"], body["company_id"], body["version"]) == (
        "high", web_world.commitment.id, web_world.company.id, 1)  # fmt: skip
    assert rows(FollowUp) == (before[0] + 1, before[1] + 1)


@pytest.mark.parametrize(
    ("who", "payload", "status", "code"),
    [
        ("member", {"title": "x", "assignee_id": "colleague"}, 403, "assignee_not_allowed"),
        ("observer", {"title": "x", "assignee_id": "observer"}, 403, "not_permitted"),
        ("chair", {"title": "", "assignee_id": "member"}, 422, "validation_failed"),
        ("chair", {"assignee_id": "member"}, 422, "validation_failed"),
        ("chair", {"title": "x", "assignee_id": "member", "priority": "urgent"}, 422, "validation_failed"),
        ("chair", {"title": "x", "assignee_id": "member", "company_id": 987654}, 422, "validation_failed"),
        ("chair", {"title": "x", "assignee_id": "member", "is_outbound_action": True}, 422, "validation_failed"),
        ("chair", {"title": "x", "assignee_id": 2**40}, 422, "validation_failed"),
        ("chair", {"title": "x"}, 422, "validation_failed"),
    ],
)
def test_refused_creations_write_nothing(client, web_world, headers, rows, who, payload, status, code):
    payload = dict(payload)
    if isinstance(payload.get("assignee_id"), str):
        payload["assignee_id"] = getattr(web_world, payload["assignee_id"]).id
    before = rows(FollowUp)
    error = assert_error(client.post(BASE, headers=headers[who], json=payload), status, code)
    if status == 422:
        assert error["fields"]
    assert rows(FollowUp) == before


def test_patch_changes_what_it_names_and_a_stale_version_is_409(client, web_world, headers, items, rows):
    path = f"{BASE}/{items['late'].id}"
    response = client.patch(path, headers=headers["chair"], json={
        "version": 1, "priority": "low", "assignee_organisation_id": web_world.outsider.organisation_id})  # fmt: skip
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert (body["priority"], body["assignee_id"], body["assignee_organisation_id"], body["version"]) == (
        "low", None, web_world.outsider.organisation_id, 2)  # fmt: skip
    assert body["title"] == items["late"].title

    before = rows(FollowUp)
    assert_error(client.patch(path, headers=headers["chair"], json={"version": 1, "title": "x"}), 409,
                 "version_conflict")  # fmt: skip
    assert_error(client.patch(path, headers=headers["chair"], json={"title": "x"}), 422, "validation_failed")
    assert_error(client.patch(path, headers=headers["chair"], json={"version": 2, "due_date": "1-1-1"}), 422,
                 "validation_failed")  # fmt: skip
    assert rows(FollowUp) == before


def test_patch_of_an_invisible_or_unknown_follow_up_is_404(client, headers, items, rows):
    before = rows(FollowUp)
    assert_error(client.patch(f"{BASE}/{items['late'].id}", headers=headers["outsider"], json={"version": 1}), 404,
                 "not_found")  # fmt: skip
    assert_error(client.patch(f"{BASE}/987654", headers=headers["chair"], json={"version": 1}), 404, "not_found")
    assert_error(client.get(f"{BASE}/{items['late'].id}", headers=headers["colleague"]), 404, "not_found")
    assert rows(FollowUp) == before


def test_a_member_may_not_reassign_to_a_colleague(client, web_world, headers, items, rows):
    before = rows(FollowUp)
    assert_error(client.patch(f"{BASE}/{items['late'].id}", headers=headers["member"], json={
        "version": 1, "assignee_id": web_world.colleague.id}), 403, "assignee_not_allowed")  # fmt: skip
    assert rows(FollowUp) == before


def test_filters_priority_overdue_organisation_and_commitment(client, web_world, headers, items):
    chair = headers["chair"]
    late, queue, other = items["late"].id, items["queue"].id, items["other"].id
    assert late in ids(client.get(f"{BASE}?priority=high", headers=chair))
    assert queue not in ids(client.get(f"{BASE}?priority=high", headers=chair))
    overdue = ids(client.get(f"{BASE}?overdue=true", headers=chair))
    assert late in overdue
    assert queue not in overdue
    mofa = ids(client.get(f"{BASE}?organisation_id={web_world.member.organisation_id}", headers=chair))
    assert {late, queue} <= set(mofa)
    assert other not in mofa
    assert ids(client.get(f"{BASE}?commitment_id={web_world.commitment.id}", headers=chair)) == [late]
    assert ids(client.get(f"{BASE}?overdue=true", headers=headers["outsider"])) == []
    for bad in ("priority=urgent", "overdue=maybe", "organisation_id=0", "commitment_id=abc"):
        assert_error(client.get(f"{BASE}?{bad}", headers=chair), 422, "validation_failed")


def test_cancel_reopen_and_take(client, web_world, headers, items, rows):
    late, queue = items["late"].id, items["queue"].id
    assert_error(client.post(f"{BASE}/{late}/cancel", headers=headers["member"], json={"version": 1}), 422,
                 "validation_failed")  # fmt: skip
    cancelled = client.post(f"{BASE}/{late}/cancel", headers=headers["member"], json={"version": 1, "note": "Moot"})
    assert cancelled.get_json()["status"] == "cancelled"
    assert_error(client.post(f"{BASE}/{late}/reopen", headers=headers["member"], json={"version": 2}), 403,
                 "not_permitted")  # fmt: skip
    assert_error(client.post(f"{BASE}/{late}/reopen", headers=headers["outsider"], json={"version": 2}), 404,
                 "not_found")  # fmt: skip
    reopened = client.post(f"{BASE}/{late}/reopen", headers=headers["focal"], json={"version": 2})
    assert reopened.get_json()["status"] == "open"

    assert_error(client.post(f"{BASE}/{queue}/take", headers=headers["outsider"], json={"version": 1}), 404,
                 "not_found")  # fmt: skip
    taken = client.post(f"{BASE}/{queue}/take", headers=headers["colleague"], json={"version": 1})
    assert taken.get_json()["assignee_id"] == web_world.colleague.id
    assert_error(
        client.post(f"{BASE}/{queue}/take", headers=headers["member"], json={"version": 2}), 404, "not_found"
    )  # now the colleague's: the member no longer sees it


def test_the_openapi_document_lists_the_new_operations(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "patch" in paths["/api/v1/follow-ups/{follow_up_id}"]
    assert "post" in paths["/api/v1/follow-ups"]
    assert {"/api/v1/follow-ups/{follow_up_id}/cancel", "/api/v1/follow-ups/{follow_up_id}/reopen",
            "/api/v1/follow-ups/{follow_up_id}/take"} <= set(paths)  # fmt: skip
