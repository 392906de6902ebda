"""/api/v1/meetings: minutes under R5, keepers write, errors and pagination."""

from __future__ import annotations

from crm.meetings.models import WGDecision, WGMeeting
from tests.channel.conftest import assert_error
from tests.meetings.factories import make_meeting

API = "/api/v1/meetings"


def test_minutes_are_null_with_the_refusal_code_unless_r5_allows(client, seed, cast, bearer):
    meeting = seed(lambda s: make_meeting(s, by=cast.chair))

    member = client.get(f"{API}/{meeting.id}", headers=bearer(cast.moit)).get_json()
    low = client.get(f"{API}/{meeting.id}", headers=bearer(cast.low)).get_json()
    chair = client.get(f"{API}/{meeting.id}", headers=bearer(cast.chair)).get_json()

    assert member["minutes"] is None
    assert member["minutes_withheld"] == "no_grant"
    assert member["agenda"].startswith("1. Terms")
    assert low["minutes"] is None
    assert low["minutes_withheld"] == "insufficient_clearance"
    assert "emphasised" in chair["minutes"]
    assert chair["minutes_withheld"] is None
    listed = client.get(API, headers=bearer(cast.observer)).get_json()["items"]
    assert "minutes" not in listed[0]


def test_create_patch_and_refusals(client, cast, bearer, rows):
    keeper, member = bearer(cast.secretariat), bearer(cast.moit)
    body = {
        "title": "Second meeting",
        "held_at": "2021-10-27T15:30:00+05:00",
        "classification": "restricted",
        "organisation_ids": [cast.pta.organisation_id],
    }
    before = rows(WGMeeting)
    assert_error(client.post(API, json=body, headers=member), 403, "not_keeper")
    naive = assert_error(
        client.post(API, json={**body, "held_at": "2021-10-27T15:30:00"}, headers=keeper), 422, "validation_failed"
    )
    assert "held_at" in naive["fields"]
    assert_error(client.post(API, json={"title": ""}, headers=keeper), 422, "validation_failed")
    assert rows(WGMeeting) == before

    created = client.post(API, json=body, headers=keeper)
    assert created.status_code == 201
    item = created.get_json()
    assert item["held_at"].startswith("2021-10-27T10:30:00")
    url = f"{API}/{item['id']}"
    assert client.patch(url, json={"version": 1, "minutes": "Noted."}, headers=keeper).get_json()["minutes"] == "Noted."
    assert_error(client.patch(url, json={"version": 1, "title": "Old"}, headers=keeper), 409, "version_conflict")
    assert_error(client.patch(url, json={"version": 2, "title": "Mine"}, headers=member), 403, "not_keeper")
    assert_error(client.get(f"{API}/999999", headers=member), 404, "not_found")


def test_decisions_directives_and_action_items(client, seed, cast, bearer, rows):
    meeting = seed(lambda s: make_meeting(s, by=cast.chair))
    keeper, member = bearer(cast.chair), bearer(cast.moit)
    before = rows(WGDecision)
    assert_error(client.post(f"{API}/{meeting.id}/decisions", json={"text": "x"}, headers=member), 403, "not_keeper")
    assert_error(client.post(f"{API}/{meeting.id}/decisions", json={}, headers=keeper), 422, "validation_failed")
    assert rows(WGDecision) == before

    decision = client.post(f"{API}/{meeting.id}/decisions", json={"text": "Call SBP"}, headers=keeper).get_json()
    url = f"{API}/{meeting.id}/decisions/{decision['id']}/directive"
    made = client.post(url, json={"timeline_text": "Immediate"}, headers=keeper)
    assert made.status_code == 200
    assert made.get_json()["directive_id"]
    assert_error(client.post(url, json={}, headers=keeper), 409, "already_directive")

    action = client.post(
        f"{API}/{meeting.id}/action-items",
        json={"title": "Invite SBP", "assignee_id": cast.moit.id, "due_date": "2021-10-20"},
        headers=keeper,
    )
    assert action.status_code == 201
    assert action.get_json()["meeting_id"] == meeting.id
    bad = assert_error(
        client.post(f"{API}/{meeting.id}/action-items", json={"title": "x"}, headers=keeper), 422, "validation_failed"
    )
    assert "assignee_id" in bad["fields"]
    detail = client.get(f"{API}/{meeting.id}", headers=member).get_json()
    assert [a["title"] for a in detail["action_items"]] == ["Invite SBP"]
    assert detail["decisions"][0]["directive_id"] == made.get_json()["directive_id"]


def test_the_list_is_cursor_paginated(client, seed, cast, bearer):
    from datetime import timedelta

    from tests.meetings.factories import HELD_AT

    ids = seed(lambda s: [make_meeting(s, by=cast.chair, held_at=HELD_AT + timedelta(days=n)).id for n in range(3)])
    headers = bearer(cast.observer)

    first = client.get(f"{API}?limit=2", headers=headers).get_json()
    second = client.get(f"{API}?limit=2&cursor={first['next_cursor']}", headers=headers).get_json()

    assert [i["id"] for i in first["items"] + second["items"]] == list(reversed(ids))
    assert second["next_cursor"] is None
    assert_error(client.get(f"{API}?cursor=bad", headers=headers), 422, "validation_failed")
