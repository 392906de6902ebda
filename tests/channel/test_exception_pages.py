"""Channel exception pages with real forms: report, list, the chair's review."""

from __future__ import annotations

import pytest

from crm.accounts.models import Role
from crm.exceptions.models import ChannelException
from tests.channel.conftest import page_csrf
from tests.channel.factories import make_chair, make_company, make_exception
from tests.factories import make_user


@pytest.fixture
def world(seed):
    def build(s):
        company = make_company(s, "X Corp")
        member = make_user(s, org="MoIB", username="moib.member")
        return {"chair": make_chair(s, username="nsa.chair"), "member": member, "company": company,
                "other": make_user(s, org="MoC", username="moc.member"),
                "secretariat": make_user(s, role=Role.SECRETARIAT, username="sec.one"),
                "observer": make_user(s, role=Role.OBSERVER, org="PMO", username="pmo.obs"),
                "admin": make_user(s, role=Role.ADMIN, username="the.admin"),
                "report": make_exception(s, by=member, company=company)}  # fmt: skip

    return seed(build)


def report_form(client, world, **overrides):
    data = {"company_id": str(world["company"].id), "who": "Director General, a ministry", "organisation_id": "",
            "occurred_on": "2021-09-10", "what": "Called the company's office in Singapore.",
            "csrf_token": page_csrf(client, "/exceptions/new")}  # fmt: skip
    return data | overrides


def test_a_member_reports_and_sees_their_report(login, world, rows):
    client = login(world["member"])
    before = rows(ChannelException)

    response = client.post("/exceptions/new", data=report_form(client, world))

    assert response.status_code == 302
    assert rows(ChannelException) == (before[0] + 1, before[1] + 1)
    detail = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Waiting for review" in detail
    assert "10-09-2021" in detail
    listing = client.get("/exceptions").get_data(as_text=True)
    assert "Called the company&#39;s office in Singapore." in listing


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"who": ""}, "Say who engaged the company"),
        ({"what": ""}, "Say what happened"),
        ({"occurred_on": "2021-02-31"}, "Give a valid date for the contact."),
        ({"occurred_on": "2999-01-01"}, "cannot have happened in the future"),
        ({"company_id": "x"}, "could not coerce"),
        ({"organisation_id": "424242"}, "Not a valid choice"),
        ({"who": "w" * 301}, "Field cannot be longer than 300 characters"),
    ],
)
def test_bad_reports_are_reshown_and_write_nothing(login, world, rows, overrides, message):
    client = login(world["member"])
    before = rows(ChannelException)

    response = client.post("/exceptions/new", data=report_form(client, world, **overrides))

    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert rows(ChannelException) == before


@pytest.mark.parametrize("who", ["observer", "admin"])
def test_observers_and_admins_cannot_report(login, world, who):
    assert login(world[who]).get("/exceptions/new").status_code == 403


def test_reporters_see_only_their_own_and_the_secretariat_sees_all(login, world):
    assert "Called" not in login(world["other"]).get("/exceptions").get_data(as_text=True)
    assert login(world["other"]).get(f"/exceptions/{world['report'].id}").status_code == 404
    assert "Met the company" in login(world["secretariat"]).get("/exceptions").get_data(as_text=True)
    assert "Met the company" in login(world["member"]).get("/exceptions").get_data(as_text=True)


def test_the_chair_reviews_with_a_note(login, world, rows):
    chair = login(world["chair"])
    path = f"/exceptions/{world['report'].id}"
    assert "Mark as reviewed" in chair.get(path).get_data(as_text=True)
    assert "Met the company" in chair.get("/exceptions?status=open").get_data(as_text=True)

    empty = chair.post(f"{path}/review", data={"version": str(world["report"].version), "note": "",
                                               "csrf_token": page_csrf(chair, path)})  # fmt: skip
    assert empty.status_code == 200
    assert "Write the review note" in empty.get_data(as_text=True)

    done = chair.post(f"{path}/review", data={"version": str(world["report"].version), "note": "Ministry reminded.",
                                              "csrf_token": page_csrf(chair, path)})  # fmt: skip
    assert done.status_code == 302
    page = login(world["member"]).get(path).get_data(as_text=True)
    assert "Reviewed" in page
    assert "Ministry reminded." in page
    assert "Met the company" not in chair.get("/exceptions?status=open").get_data(as_text=True)


def test_a_member_cannot_review_even_their_own_report(login, world, rows):
    client = login(world["member"])
    path = f"/exceptions/{world['report'].id}"
    assert "Mark as reviewed" not in client.get(path).get_data(as_text=True)
    before = rows(ChannelException)

    response = client.post(
        f"{path}/review", data={"version": "1", "note": "fine", "csrf_token": page_csrf(client, path)}
    )

    assert response.status_code == 403
    assert rows(ChannelException) == before


def test_a_stale_review_is_a_409_with_the_note_kept(login, world):
    chair = login(world["chair"])
    path = f"/exceptions/{world['report'].id}"
    response = chair.post(f"{path}/review", data={"version": "99", "note": "My note",
                                                  "csrf_token": page_csrf(chair, path)})  # fmt: skip
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Someone else changed this record" in page
    assert "My note" in page
