"""API: /api/v1/channel-exceptions."""

from __future__ import annotations

import pytest

from crm.accounts.models import Role
from crm.exceptions.models import ChannelException
from tests.channel.conftest import assert_error
from tests.channel.factories import make_chair, make_company, make_exception
from tests.factories import make_user

BASE = "/api/v1/channel-exceptions"


@pytest.fixture
def world(seed):
    def build(s):
        member = make_user(s, org="MoIB", username="api.member")
        company = make_company(s, "X Corp")
        return {"chair": make_chair(s, username="api.chair"), "member": member, "company": company,
                "other": make_user(s, org="MoC", username="api.other"),
                "secretariat": make_user(s, role=Role.SECRETARIAT, username="api.sec"),
                "observer": make_user(s, role=Role.OBSERVER, org="PMO", username="api.obs"),
                "report": make_exception(s, by=member, company=company)}  # fmt: skip

    return seed(build)


@pytest.fixture
def headers(world, bearer):
    return {name: bearer(world[name]) for name in ("chair", "member", "other", "secretariat", "observer")}


def test_a_member_reports(client, world, headers, rows):
    before = rows(ChannelException)
    body = {"company_id": world["company"].id, "who": "A provincial department", "occurred_on": "2021-10-02",
            "what": "Asked the company to remove content directly.", "organisation_id": None}  # fmt: skip

    response = client.post(BASE, headers=headers["member"], json=body)

    assert response.status_code == 201, response.get_data(as_text=True)
    created = response.get_json()
    assert {k: created[k] for k in body} == body
    assert (created["status"], created["reported_by_id"], created["reviewed_at"]) == ("open", world["member"].id, None)
    assert rows(ChannelException) == (before[0] + 1, before[1] + 1)


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, {"company_id", "who", "occurred_on", "what"}),
        ({"occurred_on": "02-10-2021"}, {"occurred_on"}),
        ({"occurred_on": "2999-01-01"}, {"occurred_on"}),
        ({"company_id": 987654}, {"company_id"}),
        ({"organisation_id": 987654}, {"organisation_id"}),
        ({"who": "w" * 301}, {"who"}),
        ({"what": "   "}, {"what"}),
    ],
)
def test_bad_reports_are_422_and_write_nothing(client, world, headers, rows, body, fields):
    full = {"company_id": world["company"].id, "who": "x", "occurred_on": "2021-10-02", "what": "y"}
    payload = {} if body == {} else full | body
    before = rows(ChannelException)
    error = assert_error(client.post(BASE, headers=headers["member"], json=payload), 422, "validation_failed")
    assert fields <= set(error["fields"])
    assert rows(ChannelException) == before


def test_an_observer_cannot_report(client, world, headers, rows):
    body = {"company_id": world["company"].id, "who": "x", "occurred_on": "2021-10-02", "what": "y"}
    before = rows(ChannelException)
    assert_error(client.post(BASE, headers=headers["observer"], json=body), 403, "not_permitted")
    assert rows(ChannelException) == before


def test_only_the_chair_reviews(client, world, headers, rows):
    path = f"{BASE}/{world['report'].id}/review"
    before = rows(ChannelException)
    for who in ("member", "secretariat", "observer"):
        assert_error(client.post(path, headers=headers[who], json={"version": 1, "note": "ok"}), 403, "not_chair")
    assert rows(ChannelException) == before

    response = client.post(path, headers=headers["chair"], json={"version": 1, "note": "Ministry reminded."})

    assert response.status_code == 200
    body = response.get_json()
    assert (body["status"], body["review_note"], body["reviewed_by_id"]) == (
        "reviewed", "Ministry reminded.", world["chair"].id)  # fmt: skip
    assert_error(client.post(path, headers=headers["chair"], json={"version": body["version"], "note": "again"}),
                 409, "version_conflict")  # fmt: skip


def test_a_review_needs_a_note_and_a_version(client, world, headers):
    path = f"{BASE}/{world['report'].id}/review"
    for body in ({}, {"version": 1}, {"note": "x"}, {"version": 1, "note": "  "}, {"version": "x", "note": "y"}):
        assert_error(client.post(path, headers=headers["chair"], json=body), 422, "validation_failed")
    assert_error(client.post(path, headers=headers["chair"], json={"version": 7, "note": "y"}), 409,
                 "version_conflict")  # fmt: skip


def test_lists_and_items_by_who_may_see(client, world, headers):
    report_id = world["report"].id
    assert [r["id"] for r in client.get(BASE, headers=headers["member"]).get_json()["items"]] == [report_id]
    assert client.get(BASE, headers=headers["other"]).get_json()["items"] == []
    assert report_id in [r["id"] for r in client.get(BASE, headers=headers["secretariat"]).get_json()["items"]]
    assert client.get(f"{BASE}?status=reviewed", headers=headers["chair"]).get_json()["items"] == []
    assert client.get(f"{BASE}/{report_id}", headers=headers["chair"]).get_json()["what"].startswith("Met")
    assert_error(client.get(f"{BASE}/{report_id}", headers=headers["other"]), 404, "not_found")
    assert_error(client.get(f"{BASE}/987654", headers=headers["chair"]), 404, "not_found")
