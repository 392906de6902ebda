"""/api/v1/commitments: list (cursor, filters), create, read, patch (409 on stale), status,
verify; 422 with field errors, 404 for unknown ids, 403 with the rule's code."""

from __future__ import annotations

import pytest

from crm.commitments.models import Commitment, CommitmentStatus
from tests.channel.conftest import assert_error
from tests.commitments.factories import close, days, make_commitment

API = "/api/v1/commitments"


@pytest.fixture
def chair_api(client, web_world, bearer):
    headers = bearer(web_world.chair)  # the token is issued (and audited) before any counting
    return lambda method, path="", **kw: client.open(API + path, method=method, headers=headers, **kw)


def new_body(world, **overrides):
    body = {"company_id": world.company.id, "direction": "company_to_government", "text": "Open a liaison office",
            "due_date": days(20).isoformat(), "party": "Platform LLC"}  # fmt: skip
    body.update(overrides)
    return body


def test_create_then_read_a_commitment(chair_api, web_world):
    response = chair_api("POST", json=new_body(web_world, thread_id=web_world.thread.id))

    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert created["status"] == "open"
    assert created["is_overdue"] is False
    assert created["version"] == 1
    assert (created["thread_id"], created["due_date"]) == (web_world.thread.id, days(20).isoformat())
    assert chair_api("GET", f"/{created['id']}").get_json()["text"] == "Open a liaison office"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"direction": "sideways"}, "direction"),
        ({"text": ""}, "text"),
        ({"due_date": "13-10-2021"}, "due_date"),
        ({"due_date": "1800-01-01"}, "due_date"),
        ({"company_id": 0}, "company_id"),
        ({"company_id": 2_000_000_000}, "company_id"),
        ({"engagement_id": 2_000_000_000}, "engagement_id"),
        ({"party": "p" * 201}, "party"),
    ],
)
def test_bad_input_is_a_422_with_field_errors_and_writes_nothing(chair_api, web_world, counts, body, field):
    before = counts(Commitment)

    response = chair_api("POST", json=new_body(web_world, **body))

    error = assert_error(response, 422, "validation_failed")
    assert field in error["fields"]
    assert counts(Commitment) == before


def test_a_member_may_not_create(client, web_world, bearer, counts):
    headers = bearer(web_world.member)
    before = counts(Commitment)

    response = client.post(API, json=new_body(web_world), headers=headers)

    assert_error(response, 403, "not_permitted")
    assert counts(Commitment) == before


def test_unknown_ids_are_404(chair_api):
    for method, path, body in (("GET", "/2000000000", None), ("PATCH", "/2000000000", {"version": 1}),
                               ("POST", "/2000000000/status", {"status": "breached", "note": "n", "version": 1}),
                               ("POST", "/2000000000/verify", {"version": 1})):  # fmt: skip
        assert_error(chair_api(method, path, json=body), 404, "not_found")


def test_the_list_filters_and_pages_with_a_cursor(client, web_world, in_app, bearer):
    def build(s):
        rows = [make_commitment(s, actor=web_world.chair, company_id=web_world.company.id, due_date=days(n - 2),
                                thread_id=web_world.thread.id if n == 4 else None) for n in range(5)]  # fmt: skip
        close(s, actor=web_world.chair, commitment=rows[3], status=CommitmentStatus.WITHDRAWN)
        return [r.id for r in rows]

    ids = in_app(build)
    headers = bearer(web_world.observer)

    first = client.get(f"{API}?limit=2", headers=headers).get_json()
    second = client.get(f"{API}?limit=2&cursor={first['next_cursor']}", headers=headers).get_json()
    third = client.get(f"{API}?limit=2&cursor={second['next_cursor']}", headers=headers).get_json()
    assert [c["id"] for c in first["items"] + second["items"] + third["items"]] == ids
    assert third["next_cursor"] is None
    overdue = client.get(f"{API}?overdue=true", headers=headers).get_json()["items"]
    assert [c["id"] for c in overdue] == ids[:2]
    assert all(c["is_overdue"] for c in overdue)
    assert [c["id"] for c in client.get(f"{API}?status=withdrawn", headers=headers).get_json()["items"]] == [ids[3]]
    assert [
        c["id"] for c in client.get(f"{API}?thread_id={web_world.thread.id}", headers=headers).get_json()["items"]
    ] == [ids[4]]
    assert client.get(f"{API}?direction=government_to_company", headers=headers).get_json()["items"] == []
    assert_error(client.get(f"{API}?cursor=bogus", headers=headers), 422, "validation_failed")
    assert_error(client.get(f"{API}?direction=up", headers=headers), 422, "validation_failed")


def test_an_admin_may_not_read_the_register(client, web_world, bearer):
    assert_error(client.get(API, headers=bearer(web_world.admin)), 403, "not_permitted")


def test_patch_changes_fields_and_a_stale_version_is_409(chair_api, web_world, in_app, counts):
    commitment = in_app(lambda s: make_commitment(s, actor=web_world.chair, company_id=web_world.company.id))

    changed = chair_api("PATCH", f"/{commitment.id}", json={"version": 1, "text": "Revised", "due_date": None})
    assert changed.status_code == 200, changed.get_json()
    assert (changed.get_json()["text"], changed.get_json()["due_date"], changed.get_json()["version"]) == (
        "Revised", None, 2,
    )  # fmt: skip
    before = counts(Commitment)
    assert_error(chair_api("PATCH", f"/{commitment.id}", json={"version": 1, "text": "Stale"}), 409, "version_conflict")
    assert_error(chair_api("PATCH", f"/{commitment.id}", json={"text": "No version"}), 422, "validation_failed")
    assert counts(Commitment) == before


def test_status_then_verify(client, chair_api, web_world, in_app, bearer):
    commitment = in_app(lambda s: make_commitment(s, actor=web_world.chair, company_id=web_world.company.id))
    path = f"/{commitment.id}"

    assert_error(chair_api("POST", path + "/verify", json={"version": 1}), 422, "validation_failed")
    no_note = chair_api("POST", path + "/status", json={"status": "fulfilled", "version": 1})
    assert "note" in assert_error(no_note, 422, "validation_failed")["fields"]
    closed = chair_api("POST", path + "/status", json={"status": "fulfilled", "note": "Done", "version": 1})
    assert closed.status_code == 200
    assert closed.get_json()["status"] == "fulfilled"
    refused = client.post(API + path + "/verify", json={"version": 2}, headers=bearer(web_world.secretariat))
    assert_error(refused, 403, "not_verifier")
    verified = client.post(API + path + "/verify", json={"version": 2}, headers=bearer(web_world.focal)).get_json()
    assert verified["verified_by_id"] == web_world.focal.id
    assert verified["verified_at"]
    assert_error(chair_api("POST", path + "/verify", json={"version": 3}), 409, "version_conflict")
    assert_error(chair_api("POST", path + "/status", json={"status": "breached", "note": "x", "version": 1}), 409,
                 "version_conflict")  # fmt: skip


def test_a_member_may_not_change_the_status(client, web_world, in_app, bearer, counts):
    commitment = in_app(lambda s: make_commitment(s, actor=web_world.chair, company_id=web_world.company.id))
    headers = bearer(web_world.member)
    before = counts(Commitment)

    response = client.post(f"{API}/{commitment.id}/status", json={"status": "breached", "note": "n", "version": 1},
                           headers=headers)  # fmt: skip

    assert_error(response, 403, "not_permitted")
    assert counts(Commitment) == before


def test_the_spec_documents_the_resource(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]

    assert {"/api/v1/commitments", "/api/v1/commitments/{commitment_id}/verify"} <= set(paths)
