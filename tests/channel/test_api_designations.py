"""API: /api/v1/designations."""

from __future__ import annotations

import pytest

from crm.accounts.models import Role
from crm.db import utcnow
from crm.designations.models import Designation, DesignationKind
from crm.followups.models import FollowUp
from crm.formatting import local
from tests.channel.conftest import assert_error
from tests.channel.factories import APPROVAL, appoint, fresh, make_chair, make_follow_up
from tests.factories import make_user

SPOKESPERSON = DesignationKind.SPOKESPERSON


@pytest.fixture
def world(seed):
    def build(s):
        chair = make_chair(s, username="api.chair")
        holder = make_user(s, username="first.focal")
        return {"chair": chair, "holder": holder, "member": make_user(s, org="MoFA", username="api.member"),
                "designation": appoint(s, chair=chair, user=holder),
                "outbound": make_follow_up(s, assignee=holder, outbound=True)}  # fmt: skip

    return seed(build)


def test_anyone_lists_designations_with_filters(client, world, bearer, seed):
    seed(lambda s: appoint(s, chair=fresh(s, world["chair"]), user=fresh(s, world["member"]), kind=SPOKESPERSON))
    headers = bearer(world["member"])

    everything = client.get("/api/v1/designations", headers=headers).get_json()
    focal = client.get("/api/v1/designations?active=true&kind=focal_person", headers=headers).get_json()

    assert set(everything) == {"items", "next_cursor"}
    assert len(everything["items"]) == 2
    [item] = focal["items"]
    assert item == {
        "id": world["designation"].id, "kind": "focal_person", "user_id": world["holder"].id,
        "effective_from": item["effective_from"], "ended_at": None, "approval_ref": APPROVAL,
        "recorded_by_id": world["chair"].id, "is_active": True, "version": world["designation"].version,
    }  # fmt: skip
    assert item["effective_from"].endswith("+00:00")


def test_get_one_and_unknown_is_404(client, world, bearer):
    headers = bearer(world["member"])
    assert client.get(f"/api/v1/designations/{world['designation'].id}", headers=headers).get_json()["kind"] == (
        "focal_person"
    )
    assert_error(client.get("/api/v1/designations/987654", headers=headers), 404, "not_found")


def test_the_chair_designates_and_follow_ups_move(client, world, bearer, rows, app):
    headers = bearer(world["chair"])
    before = rows(Designation)

    response = client.post("/api/v1/designations", headers=headers, json={
        "kind": "focal_person", "user_id": world["member"].id, "approval_ref": "PM letter 88",
        "effective_from": local(utcnow()).isoformat(),
    })  # fmt: skip

    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert (body["user_id"], body["approval_ref"], body["is_active"]) == (world["member"].id, "PM letter 88", True)
    assert body["effective_from"].endswith("+00:00")  # stored and answered in UTC
    assert rows(Designation)[0] == before[0] + 1
    old = client.get(f"/api/v1/designations/{world['designation'].id}", headers=headers).get_json()
    assert old["ended_at"] is not None
    with app.app_context():
        from crm.db import get_session

        assert get_session().get(FollowUp, world["outbound"].id).assignee_id == world["member"].id


@pytest.mark.parametrize("role", [Role.MEMBER, Role.SECRETARIAT, Role.OBSERVER, Role.ADMIN])
def test_only_the_chair_designates(client, world, bearer, seed, rows, role):
    user = seed(lambda s: make_user(s, role=role))
    headers = bearer(user)
    before = rows(Designation)

    response = client.post("/api/v1/designations", headers=headers, json={
        "kind": "focal_person", "user_id": world["member"].id, "approval_ref": "x"})  # fmt: skip

    assert_error(response, 403, "not_chair")
    assert rows(Designation) == before


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, {"kind", "user_id", "approval_ref"}),
        ({"kind": "king", "user_id": 1, "approval_ref": "x"}, {"kind"}),
        ({"kind": "focal_person", "user_id": "abc", "approval_ref": "x"}, {"user_id"}),
        ({"kind": "focal_person", "user_id": 10**12, "approval_ref": "x"}, {"user_id"}),
        ({"kind": "focal_person", "user_id": 987654, "approval_ref": "x"}, {"user_id"}),
        ({"kind": "focal_person", "user_id": 1, "approval_ref": ""}, {"approval_ref"}),
        (
            {"kind": "focal_person", "user_id": 1, "approval_ref": "x", "effective_from": "2021-09-01T10:00:00"},
            {"effective_from"},
        ),
        (
            {"kind": "focal_person", "user_id": 1, "approval_ref": "x", "effective_from": "2099-09-01T10:00:00Z"},
            {"effective_from"},
        ),
        ({"kind": "focal_person", "user_id": 1, "approval_ref": "x", "extra": 1}, {"extra"}),
    ],
)
def test_bad_bodies_are_422_and_write_nothing(client, world, bearer, rows, body, fields):
    headers = bearer(world["chair"])
    before = rows(Designation)
    error = assert_error(client.post("/api/v1/designations", headers=headers, json=body), 422, "validation_failed")
    assert fields <= set(error["fields"])
    assert rows(Designation) == before


def test_ending_with_the_version_then_a_stale_version_is_409(client, world, bearer):
    headers = bearer(world["chair"])
    path = f"/api/v1/designations/{world['designation'].id}/end"

    ended = client.post(path, headers=headers, json={"version": world["designation"].version})
    assert ended.status_code == 200
    assert ended.get_json()["ended_at"] is not None
    assert client.get("/api/v1/designations?active=true", headers=headers).get_json()["items"] == []

    assert_error(client.post(path, headers=headers, json={"version": ended.get_json()["version"]}), 409,
                 "version_conflict")  # fmt: skip


def test_ending_needs_a_version_and_the_chair(client, world, bearer):
    path = f"/api/v1/designations/{world['designation'].id}/end"
    assert_error(client.post(path, headers=bearer(world["chair"]), json={}), 422, "validation_failed")
    assert_error(client.post(path, headers=bearer(world["member"]), json={"version": 1}), 403, "not_chair")
    assert_error(client.post(path, headers=bearer(world["chair"]), json={"version": 99}), 409, "version_conflict")


def test_bad_list_filters_are_422(client, world, bearer):
    headers = bearer(world["member"])
    for query in ("kind=king", "active=perhaps", "limit=0", "cursor=!!"):
        assert_error(client.get(f"/api/v1/designations?{query}", headers=headers), 422, "validation_failed")
