"""/api/v1/directives, /nominations and /recommendations: the same services as the pages."""

from __future__ import annotations

from crm.directives.models import ProgressReport
from crm.governance.models import Nomination
from tests.channel.conftest import assert_error


def test_list_filters_and_cursor(world, client, bearer):
    headers = bearer(world.observer)
    first = client.get("/api/v1/directives?limit=5", headers=headers).get_json()
    rest = client.get(f"/api/v1/directives?limit=5&cursor={first['next_cursor']}", headers=headers).get_json()
    serials = [d["serial"] for d in first["items"] + rest["items"]]
    assert sorted(serials) == ["1", "2", "3", "4", "5", "6", "7", "B"]
    assert rest["next_cursor"] is None
    b = next(d for d in first["items"] + rest["items"] if d["serial"] == "B")
    assert b["due_date"] == "2021-11-04"
    assert b["timeline_text"] == "1 month"
    assert b["status"] == "not_started"
    overdue = client.get("/api/v1/directives?overdue=true", headers=headers).get_json()["items"]
    assert {d["serial"] for d in overdue} == {"1", "7", "B"}
    molj = world.law.organisation_id
    assert {
        d["serial"]
        for d in client.get(f"/api/v1/directives?organisation_id={molj}", headers=headers).get_json()["items"]
    } == {"6", "B"}
    assert_error(client.get("/api/v1/directives?status=nope", headers=headers), 422, "validation_failed")
    assert_error(client.get("/api/v1/directives/999999", headers=headers), 404, "not_found")


def test_patch_with_version_and_conflict(world, client, bearer):
    headers, b = bearer(world.law), world.directives["B"]
    assert_error(
        client.patch(
            f"/api/v1/directives/{b.id}", json={"version": b.version, "status": "behind_schedule"}, headers=headers
        ),
        422,
        "validation_failed",
    )
    ok = client.patch(
        f"/api/v1/directives/{b.id}",
        headers=headers,
        json={"version": b.version, "status": "behind_schedule", "delay_reason": "Consultation"},
    )
    assert ok.status_code == 200
    assert ok.get_json()["delay_reason"] == "Consultation"
    stale = client.patch(
        f"/api/v1/directives/{b.id}", json={"version": b.version, "status": "completed"}, headers=headers
    )
    assert_error(stale, 409, "version_conflict")
    assert_error(
        client.patch(
            f"/api/v1/directives/{b.id}", json={"version": ok.get_json()["version"], "text": "x"}, headers=headers
        ),
        403,
        "not_permitted",
    )


def test_create_is_for_keepers(world, client, bearer):
    body = {
        "source_ref": "No. 9/2022",
        "source_date": "2022-01-10",
        "serial": "1",
        "text": "T",
        "timeline_text": "15 days",
    }
    assert_error(client.post("/api/v1/directives", json=body, headers=bearer(world.law)), 403, "not_permitted")
    created = client.post("/api/v1/directives", json=body, headers=bearer(world.secretariat))
    assert created.status_code == 201
    assert created.get_json()["due_date"] == "2022-01-25"
    assert_error(
        client.post("/api/v1/directives", json={"serial": 1}, headers=bearer(world.secretariat)),
        422,
        "validation_failed",
    )


def test_progress_get_and_post(world, client, bearer, rows):
    b, moit = world.directives["B"], bearer(world.moit)
    before = rows(ProgressReport)
    refused = client.post(
        f"/api/v1/directives/{b.id}/progress",
        headers=moit,
        json={"organisation_id": world.moit.organisation_id, "text": "x"},
    )
    assert_error(refused, 403, "not_action_by")
    assert rows(ProgressReport) == before
    made = client.post(
        f"/api/v1/directives/{b.id}/progress",
        headers=bearer(world.law),
        json={"organisation_id": world.law.organisation_id, "text": "Bill drafted"},
    )
    assert made.status_code == 201
    items = client.get(f"/api/v1/directives/{b.id}/progress", headers=bearer(world.observer)).get_json()["items"]
    assert [i["text"] for i in items] == ["Bill drafted"]


def test_nomination_path_through_the_api(world, client, bearer, rows):
    made = client.post("/api/v1/nominations", json={"nominee_id": world.moit.id}, headers=bearer(world.secretariat))
    assert made.status_code == 201
    n = made.get_json()
    rec = client.post(
        f"/api/v1/nominations/{n['id']}/recommend",
        headers=bearer(world.secretariat),
        json={"version": n["version"], "recommended_on": "2021-11-01", "consensus_note": "Consensus"},
    )
    assert rec.status_code == 200
    secretariat = bearer(world.secretariat)
    before = rows(Nomination)
    refused = client.post(
        f"/api/v1/nominations/{n['id']}/approve",
        headers=secretariat,
        json={"version": rec.get_json()["version"], "approval_ref": "PM 1", "approved_on": "2021-11-10"},
    )
    assert_error(refused, 403, "not_chair")
    assert rows(Nomination) == before
    approved = client.post(
        f"/api/v1/nominations/{n['id']}/approve",
        headers=bearer(world.chair),
        json={"version": rec.get_json()["version"], "approval_ref": "PM 1", "approved_on": "2021-11-10"},
    )
    assert approved.get_json()["status"] == "approved"
    assert approved.get_json()["designation_id"]
    again = client.post(
        f"/api/v1/nominations/{n['id']}/decline",
        headers=bearer(world.chair),
        json={"version": approved.get_json()["version"], "note": "late"},
    )
    assert_error(again, 409, "wrong_state")


def test_recommendations_through_the_api(world, client, bearer):
    made = client.post("/api/v1/recommendations", json={"title": "T", "text": "Do it"}, headers=bearer(world.chair))
    r = made.get_json()
    routed = client.post(
        f"/api/v1/recommendations/{r['id']}/route",
        headers=bearer(world.secretariat),
        json={"version": r["version"], "authority": "Federal Cabinet", "routed_on": "2021-11-20", "routing_ref": "S-1"},
    )
    assert routed.get_json()["status"] == "routed"
    decided = client.post(
        f"/api/v1/recommendations/{r['id']}/decision",
        headers=bearer(world.chair),
        json={
            "version": routed.get_json()["version"],
            "outcome": "accepted",
            "decision": "Approved",
            "decided_on": "2021-12-01",
        },
    )
    assert decided.get_json()["status"] == "accepted"
    assert_error(
        client.patch(
            f"/api/v1/recommendations/{r['id']}", json={"version": 1, "title": "x"}, headers=bearer(world.chair)
        ),
        409,
        "version_conflict",
    )
    listed = client.get("/api/v1/recommendations", headers=bearer(world.observer)).get_json()["items"]
    assert [i["id"] for i in listed] == [r["id"]]
    assert_error(client.get("/api/v1/recommendations", headers=bearer(world.admin)), 403, "not_permitted")
