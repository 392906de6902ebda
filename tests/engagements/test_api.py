"""/api/v1/engagements: the same services as the pages (R2, R4, R5, R7), JSON errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from crm.accounts.models import Clearance
from crm.audit.models import AuditEvent
from crm.engagements.models import Engagement, EngagementRevision
from crm.followups.models import FollowUp
from tests.engagements.factories import log, make_company, make_thread

WHEN = (datetime.now(UTC) - timedelta(days=2)).isoformat()


def assert_error(response, status, code):
    assert response.status_code == status, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert error["code"] == code
    return error


def body(company_id, **overrides):
    data = {
        "company_id": company_id,
        "direction": "inbound",
        "kind": "video_call",
        "occurred_at": WHEN,
        "subject": "TikTok content moderation",
        "summary": "Abstract",
        "minutes": "Detailed **minutes**",
        "classification": "restricted",
    }
    data.update(overrides)
    return data


@pytest.fixture
def logged(in_app, web_world):
    def make(session):
        focal = session.merge(web_world.focal)
        return [
            log(session, focal, web_world.company.id, subject=f"E{i}", occurred_at=datetime.now(UTC) - timedelta(i)).id
            for i in range(1, 4)
        ]

    return in_app(make)


def test_the_openapi_document_describes_engagements(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]

    assert {"/api/v1/engagements", "/api/v1/engagements/{engagement_id}"} <= set(paths)


def test_the_list_is_newest_first_paginated_and_never_carries_minutes(client, web_world, bearer, logged):
    headers = bearer(web_world.observer)

    first = client.get("/api/v1/engagements?limit=2", headers=headers).get_json()
    second = client.get(f"/api/v1/engagements?limit=2&cursor={first['next_cursor']}", headers=headers).get_json()

    assert [item["subject"] for item in first["items"]] == ["E1", "E2"]
    assert [item["subject"] for item in second["items"]] == ["E3"]
    assert second["next_cursor"] is None
    assert all("minutes" not in item for item in first["items"] + second["items"])
    assert first["items"][0]["direction"] == "inbound"
    assert first["items"][0]["occurred_at"].endswith("+00:00")


def test_the_list_filters(client, web_world, bearer, logged, in_app):
    in_app(lambda s: log(s, s.merge(web_world.focal), make_company(s).id, direction="outbound", kind="email"))
    headers = bearer(web_world.member)

    def subjects(query):
        return [i["subject"] for i in client.get(f"/api/v1/engagements?{query}", headers=headers).get_json()["items"]]

    assert len(subjects(f"company_id={web_world.company.id}")) == 3
    assert subjects("direction=outbound") == ["Data localisation"]
    assert subjects("kind=email") == ["Data localisation"]
    assert subjects(f"thread_id={web_world.thread.id}") == []


@pytest.mark.parametrize(
    "query", ["cursor=garbage", "cursor=aWQ6MQ", "limit=0", "limit=100000", "direction=up", "company_id=0", "kind=x"]
)
def test_bad_list_arguments_are_422(client, web_world, bearer, query):
    assert_error(client.get(f"/api/v1/engagements?{query}", headers=bearer(web_world.member)), 422, "validation_failed")


def test_one_engagement_carries_the_minutes_when_r5_allows_and_the_read_is_audited(
    client, web_world, bearer, logged, rows
):
    response = client.get(f"/api/v1/engagements/{logged[0]}", headers=bearer(web_world.secretariat))

    item = response.get_json()
    assert response.status_code == 200
    assert item["minutes"] == "Google **agreed** to revert in two weeks."
    assert item["minutes_withheld"] is None
    assert item["participant_ids"] == []
    assert rows(AuditEvent, AuditEvent.action == "engagement.read_minutes") == 1


def test_minutes_are_withheld_with_r5s_code(client, web_world, bearer, in_app, logged, rows):
    secret = in_app(lambda s: log(s, s.merge(web_world.chair), web_world.company.id, classification=Clearance.SECRET))

    member = client.get(f"/api/v1/engagements/{logged[0]}", headers=bearer(web_world.member)).get_json()
    focal = client.get(f"/api/v1/engagements/{secret.id}", headers=bearer(web_world.focal)).get_json()

    assert (member["minutes"], member["minutes_withheld"]) == (None, "no_grant")
    assert (focal["minutes"], focal["minutes_withheld"]) == (None, "insufficient_clearance")
    assert rows(AuditEvent, AuditEvent.action == "engagement.read_minutes") == 0


def test_unknown_engagement_is_404(client, web_world, bearer):
    assert_error(client.get("/api/v1/engagements/999999", headers=bearer(web_world.member)), 404, "not_found")


def test_the_focal_person_posts_an_outbound_engagement(client, web_world, bearer, rows):
    payload = body(web_world.company.id, direction="outbound", thread_id=web_world.thread.id,
                   participant_ids=[web_world.member.id], contact_ids=[web_world.contact.id])  # fmt: skip

    response = client.post("/api/v1/engagements", json=payload, headers=bearer(web_world.focal))

    item = response.get_json()
    assert response.status_code == 201, item
    assert (item["direction"], item["kind"], item["thread_id"]) == ("outbound", "video_call", web_world.thread.id)
    assert item["logged_by_id"] == web_world.focal.id
    assert item["contact_ids"] == [web_world.contact.id]
    assert item["minutes"] == "Detailed **minutes**"
    assert item["version"] == 1
    assert rows(FollowUp) == 0


@pytest.mark.parametrize("who", ["member", "secretariat", "chair"])
def test_outbound_by_anyone_else_is_403_not_focal_person_and_writes_nothing(client, web_world, bearer, rows, who):
    headers = bearer(getattr(web_world, who))
    before = (rows(Engagement), rows(FollowUp), rows(AuditEvent))

    response = client.post(
        "/api/v1/engagements", json=body(web_world.company.id, direction="outbound"), headers=headers
    )

    assert_error(response, 403, "not_focal_person")
    assert (rows(Engagement), rows(FollowUp), rows(AuditEvent)) == before


def test_inbound_by_a_member_creates_the_channel_follow_up(client, web_world, bearer, rows):
    response = client.post("/api/v1/engagements", json=body(web_world.company.id), headers=bearer(web_world.member))

    assert response.status_code == 201
    assert response.get_json()["minutes_withheld"] == "no_grant"
    assert rows(FollowUp, FollowUp.assignee_id == web_world.focal.id) == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"occurred_at": "2026-01-01T10:00:00"}, "occurred_at"),
        ({"occurred_at": "yesterday"}, "occurred_at"),
        ({"occurred_at": "0001-01-01T00:00:00+05:00"}, "occurred_at"),
        ({"direction": "sideways"}, "direction"),
        ({"kind": "telepathy"}, "kind"),
        ({"classification": "top_secret"}, "classification"),
        ({"classification": "secret"}, "classification"),
        ({"subject": ""}, "subject"),
        ({"subject": "x" * 301}, "subject"),
        ({"company_id": 999999}, "company_id"),
        ({"company_id": "abc"}, "company_id"),
        ({"participant_ids": [999999]}, "participant_ids"),
        ({"participant_ids": ["x"]}, "participant_ids"),
        ({"contact_ids": 5}, "contact_ids"),
        ({"needs_no_response": "perhaps"}, "needs_no_response"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_bad_fields_are_422_with_field_errors_and_write_nothing(client, web_world, bearer, rows, overrides, field):
    response = client.post(
        "/api/v1/engagements", json=body(web_world.company.id) | overrides, headers=bearer(web_world.member)
    )

    error = assert_error(response, 422, "validation_failed")
    assert field in error["fields"]
    assert rows(Engagement) == 0


def test_a_thread_of_another_company_is_422(client, web_world, bearer, in_app):
    other = in_app(lambda s: make_thread(s, make_company(s), s.merge(web_world.chair)).id)

    response = client.post(
        "/api/v1/engagements", json=body(web_world.company.id, thread_id=other), headers=bearer(web_world.member)
    )

    assert "thread_id" in assert_error(response, 422, "validation_failed")["fields"]


def test_garbage_bodies_are_never_a_500(client, web_world, bearer):
    headers = bearer(web_world.member)
    for payload in ("not json", "[]", "null", '{"company_id": null}', "1e999", '{"subject": {"$ne": 1}}'):
        response = client.post("/api/v1/engagements", data=payload, headers=headers, content_type="application/json")
        assert 400 <= response.status_code < 500, payload


# PATCH: corrections.


def test_patch_corrects_with_the_version_and_keeps_a_revision(client, web_world, bearer, logged, rows):
    headers = bearer(web_world.focal)

    response = client.patch(
        f"/api/v1/engagements/{logged[0]}",
        json={"version": 1, "reason": "Typo", "subject": "E1 corrected", "participant_ids": [web_world.chair.id]},
        headers=headers,
    )

    item = response.get_json()
    assert response.status_code == 200, item
    assert (item["subject"], item["version"], item["participant_ids"]) == ("E1 corrected", 2, [web_world.chair.id])
    assert item["minutes"] == "Google **agreed** to revert in two weeks."  # untouched fields keep their values
    assert rows(EngagementRevision) == 1


def test_patch_with_a_stale_version_is_409(client, web_world, bearer, logged, rows):
    headers = bearer(web_world.focal)
    url = f"/api/v1/engagements/{logged[0]}"
    assert client.patch(url, json={"version": 1, "reason": "First", "subject": "A"}, headers=headers).status_code == 200

    response = client.patch(url, json={"version": 1, "reason": "Second", "subject": "B"}, headers=headers)

    assert_error(response, 409, "version_conflict")
    assert rows(EngagementRevision) == 1


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"reason": "No version"}, "version"),
        ({"version": 1}, "reason"),
        ({"version": 1, "reason": "Turn it around", "direction": "outbound"}, "direction"),
        ({"version": 1, "reason": " ", "subject": "x"}, "reason"),
        ({"version": 1, "reason": "x", "occurred_at": "2026-01-01"}, "occurred_at"),
    ],
)
def test_bad_patches_are_422(client, web_world, bearer, logged, payload, field):
    response = client.patch(f"/api/v1/engagements/{logged[0]}", json=payload, headers=bearer(web_world.focal))

    assert field in assert_error(response, 422, "validation_failed")["fields"]


def test_a_member_cannot_patch(client, web_world, bearer, logged):
    response = client.patch(
        f"/api/v1/engagements/{logged[0]}", json={"version": 1, "reason": "Mine"}, headers=bearer(web_world.member)
    )

    assert_error(response, 403, "no_grant")


def test_the_api_needs_a_token(client):
    assert_error(client.get("/api/v1/engagements"), 401, "unauthorized")
