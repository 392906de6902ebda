"""Garbage posted to every engagement form never gives a 500 (and writes nothing)."""

from __future__ import annotations

import io

import pytest

from crm.engagements.models import Engagement, EngagementRevision
from tests.conftest import sign_in
from tests.engagements.factories import log, page_csrf

GARBAGE = [
    {"company_id": "abc"},
    {"company_id": "99999999999999999999"},
    {"company_id": "-5"},
    {"company_id": ""},
    {"direction": "sideways"},
    {"kind": "<script>"},
    {"occurred_on": "2026-13-45"},
    {"occurred_on": "0001-01-01"},
    {"occurred_on": "9999-12-31"},
    {"occurred_on": ""},
    {"occurred_time": "25:99"},
    {"occurred_time": "noon"},
    {"thread_id": "x"},
    {"thread_id": "2147483647"},
    {"subject": "x" * 5000},
    {"subject": "   "},
    {"location": "y" * 1000},
    {"classification": "cosmic"},
    {"participant_ids": ["abc", "1"]},
    {"participant_ids": ["99999999999"]},
    {"organisation_ids": ["-1"]},
    {"contact_ids": ["2147483647"]},
    {"needs_no_response": "maybe"},
    {"minutes": "\U0001f600" * 10000},
    {"version": "old"},
    {"reason": "r" * 600},
]


def base_form(token, company_id):
    return {
        "csrf_token": token, "company_id": str(company_id), "direction": "inbound", "kind": "meeting",
        "occurred_on": "2026-01-10", "occurred_time": "10:00", "subject": "Garbage test",
        "classification": "restricted", "reason": "Because", "version": "1",
    }  # fmt: skip


@pytest.mark.parametrize("garbage", GARBAGE)
def test_garbage_to_the_new_form_is_reshown_never_a_500(client, web_world, rows, garbage):
    sign_in(client, web_world.member.username)
    token = page_csrf(client, f"/engagements/new?company_id={web_world.company.id}")

    response = client.post("/engagements/new", data={**base_form(token, web_world.company.id), **garbage})

    assert response.status_code in (200, 302, 400, 403), response.status_code
    if response.status_code != 302:
        assert rows(Engagement) == 0


@pytest.mark.parametrize("garbage", GARBAGE)
def test_garbage_to_the_correction_form_is_reshown_never_a_500(client, web_world, in_app, rows, garbage):
    engagement_id = in_app(lambda s: log(s, s.merge(web_world.focal), web_world.company.id).id)
    sign_in(client, web_world.focal.username)
    token = page_csrf(client, f"/engagements/{engagement_id}/correct")

    response = client.post(
        f"/engagements/{engagement_id}/correct", data={**base_form(token, web_world.company.id), **garbage}
    )

    assert response.status_code in (200, 302, 400, 409), response.status_code


def test_a_post_without_csrf_is_refused(client, web_world, rows):
    sign_in(client, web_world.member.username)

    response = client.post("/engagements/new", data={"company_id": str(web_world.company.id), "subject": "x"})

    assert response.status_code in (200, 400)
    assert rows(Engagement) == 0


def test_nul_bytes_are_refused(client, web_world):
    sign_in(client, web_world.member.username)
    token = page_csrf(client, "/engagements")

    response = client.post("/engagements/new", data={**base_form(token, web_world.company.id), "subject": "a\x00b"})

    assert response.status_code == 400


@pytest.mark.parametrize(
    "files",
    [{}, {"file": (io.BytesIO(b""), "")}, {"file": (io.BytesIO(b"\x00\x01"), "a.txt")}, {"file": "not a file"}],
)
def test_garbage_uploads_are_never_a_500(client, web_world, in_app, store, rows, files):
    engagement_id = in_app(lambda s: log(s, s.merge(web_world.focal), web_world.company.id).id)
    sign_in(client, web_world.focal.username)
    token = page_csrf(client, f"/engagements/{engagement_id}")

    response = client.post(
        f"/engagements/{engagement_id}/attachments", data={"csrf_token": token, **files},
        content_type="multipart/form-data",
    )  # fmt: skip

    assert response.status_code in (200, 400)
    assert rows(EngagementRevision) == 0
