"""Designation pages: history for everyone; the chair records and ends with real forms."""

from __future__ import annotations

import re

import pytest

from crm.accounts.models import Role
from crm.designations.models import Designation
from crm.followups.models import FollowUp
from tests.channel.conftest import page_csrf
from tests.channel.factories import APPROVAL, appoint, make_chair, make_follow_up
from tests.factories import make_user


@pytest.fixture
def people(seed):
    def build(s):
        chair = make_chair(s, username="nsa.chair")
        old = make_user(s, username="old.focal")
        new = make_user(s, org="MoIB", username="new.focal")
        observer = make_user(s, role=Role.OBSERVER, org="PMO", username="pmo.observer")
        designation = appoint(s, chair=chair, user=old)
        outbound = make_follow_up(s, assignee=old, outbound=True, title="Raise with Google: liaison office")
        internal = make_follow_up(s, assignee=old, title="Brief the minister")
        return {"chair": chair, "old": old, "new": new, "observer": observer, "designation": designation,
                "outbound": outbound, "internal": internal}  # fmt: skip

    return seed(build)


def option_value(page: str, label_start: str) -> str:
    match = re.search(r'<option[^>]*value="(\d+)"[^>]*>' + re.escape(label_start), page)
    assert match, label_start
    return match.group(1)


@pytest.mark.parametrize("who", ["observer", "old", "chair"])
def test_everyone_signed_in_sees_the_holders_and_history(login, people, who):
    page = login(people[who]).get("/designations").get_data(as_text=True)

    assert "<h1>Designations</h1>" in page
    assert "Old Focal" in page
    assert APPROVAL in page
    assert "In force" in page
    assert "Nsa Chair" in page  # recorded by
    assert ("Record a designation" in page) is (who == "chair")


@pytest.mark.parametrize("path", ["/designations/new", "/designations/{id}/end"])
def test_only_the_chair_reaches_the_forms(login, people, path):
    client = login(people["old"])
    response = client.get(path.format(id=people["designation"].id))
    assert response.status_code == 403


def test_the_chair_records_a_new_focal_person_with_the_form(login, people, rows, app):
    client = login(people["chair"])
    form_page = client.get("/designations/new").get_data(as_text=True)
    before = rows(Designation)

    response = client.post("/designations/new", data={
        "kind": "focal_person", "user_id": option_value(form_page, "New Focal"),
        "approval_ref": "PM Office letter 2021/77", "effective_from": "",
        "csrf_token": page_csrf(client, "/designations/new"),
    })  # fmt: skip

    assert response.status_code == 302
    assert response.headers["Location"] == "/designations"
    after = rows(Designation)
    assert after[0] == before[0] + 1
    assert after[1] >= before[1] + 3  # ended, recorded, follow-up transferred
    page = client.get("/designations").get_data(as_text=True)
    assert "The focal person designation is recorded." in page
    assert "PM Office letter 2021/77" in page
    with app.app_context():
        from crm.db import get_session

        session = get_session()
        assert session.get(FollowUp, people["outbound"].id).assignee_id == people["new"].id
        assert session.get(FollowUp, people["internal"].id).assignee_id == people["old"].id
        assert session.get(Designation, people["designation"].id).ended_at is not None


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("approval_ref", "", "Give the approval reference"),
        ("approval_ref", "x" * 201, "Field cannot be longer than 200 characters"),
        ("user_id", "abc", "could not coerce"),
        ("user_id", "999999", "Not a valid choice"),
        ("kind", "overlord", "Not a valid choice"),
        ("effective_from", "yesterday", "Not a valid datetime value"),
        ("effective_from", "2099-01-01T10:00", "cannot take effect in the future"),
        ("effective_from", "2001-01-01T10:00", "before the current holder"),
    ],
)
def test_bad_designation_forms_are_reshown_and_write_nothing(login, people, rows, field, value, message):
    client = login(people["chair"])
    form_page = client.get("/designations/new").get_data(as_text=True)
    data = {"kind": "focal_person", "user_id": option_value(form_page, "New Focal"), "approval_ref": "Ref 1",
            "effective_from": "", "csrf_token": page_csrf(client, "/designations/new")}  # fmt: skip
    data[field] = value
    before = rows(Designation)

    response = client.post("/designations/new", data=data)

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is a problem" in page
    assert message in page
    assert rows(Designation) == before


def test_the_chair_ends_a_designation_after_confirming(login, people, rows):
    client = login(people["chair"])
    designation = people["designation"]
    confirm = client.get(f"/designations/{designation.id}/end").get_data(as_text=True)
    assert "leaves the post of focal person vacant" in confirm

    response = client.post(f"/designations/{designation.id}/end", data={
        "version": str(designation.version), "confirm": "1", "csrf_token": page_csrf(client, "/designations"),
    })  # fmt: skip

    assert response.status_code == 302
    page = client.get("/designations").get_data(as_text=True)
    assert "The focal person post is now vacant." in page
    assert "Vacant" in page
    assert "Old Focal" in page  # the history keeps the ended designation


def test_ending_with_a_stale_version_is_a_409_conflict_page(login, people, rows):
    client = login(people["chair"])
    designation = people["designation"]
    before = rows(Designation)

    response = client.post(f"/designations/{designation.id}/end", data={
        "version": str(designation.version + 5), "confirm": "1", "csrf_token": page_csrf(client, "/designations"),
    })  # fmt: skip

    assert response.status_code == 409
    assert "Someone else changed this record" in response.get_data(as_text=True)
    assert rows(Designation) == before


def test_ending_an_unknown_designation_is_404(login, people):
    assert login(people["chair"]).get("/designations/987654/end").status_code == 404


def test_the_chairs_home_page_links_to_designations(login, people):
    page = login(people["chair"]).get("/").get_data(as_text=True)
    assert 'href="/designations/new"' in page
    assert 'href="/exceptions?status=open"' in page


def test_a_members_home_page_links_to_requests_exceptions_and_follow_ups(login, people, seed):
    member = seed(lambda s: make_user(s, org="MoLJ", username="law.member"))
    page = login(member).get("/").get_data(as_text=True)
    assert 'href="/requests/new"' in page
    assert 'href="/exceptions/new"' in page
    assert 'href="/follow-ups"' in page


def test_the_focal_persons_home_page_points_to_decisions(login, people):
    page = login(people["old"]).get("/").get_data(as_text=True)
    assert 'href="/requests?view=to_decide"' in page
    assert 'href="/requests/new"' not in page
