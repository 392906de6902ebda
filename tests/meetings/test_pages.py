"""WG meeting pages: everyone sees the list and agenda; minutes under R5 (read audited); keepers
record meetings, decisions (and directives) and action items; bad input kept, never a 500."""

from __future__ import annotations

import pytest

from crm.followups.models import FollowUp
from crm.meetings.models import WGDecision, WGMeeting
from crm.meetings.services import add_decision
from tests.channel.conftest import page_csrf
from tests.meetings.factories import make_meeting


@pytest.fixture
def meeting(seed, cast):
    return seed(lambda s: make_meeting(s, by=cast.chair, organisation_ids=[cast.moit.organisation_id]))


def test_everyone_sees_the_list_and_the_agenda_but_only_r5_readers_the_minutes(login, cast, meeting, rows):
    member = login(cast.moit)
    assert "First meeting of the NSMCWG" in member.get("/meetings").get_data(as_text=True)
    before = rows()

    page = member.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "Terms of reference" in page
    assert "<script>" not in page
    assert 'data-testid="minutes-withheld"' in page
    assert "emphasised" not in page
    assert "11:00 PKT" in page
    assert "13-10-2021" in page
    assert rows() == before  # a refused read writes nothing

    chair_page = login(cast.secretariat).get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "<strong>emphasised</strong>" in chair_page
    assert "CONFIDENTIAL" in chair_page
    assert rows()[0] > before[0]  # the read is audited


def test_admins_do_not_see_meetings(login, cast):
    assert login(cast.admin).get("/meetings").status_code == 403


def test_the_secretariat_records_a_meeting_in_pakistan_time(login, cast, rows):
    client = login(cast.secretariat)
    token = page_csrf(client, "/meetings/new")

    response = client.post(
        "/meetings/new",
        data={
            "csrf_token": token,
            "title": "Second meeting",
            "held_on": "2021-10-27",
            "held_time": "15:30",
            "classification": "restricted",
            "organisation_ids": [str(cast.pta.organisation_id)],
        },
    )

    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "27-10-2021 15:30 PKT" in page


@pytest.mark.parametrize(
    "form",
    [
        {"title": "Kept title", "held_on": "27-27-2021", "held_time": "25:99", "classification": "restricted"},
        {
            "title": "Kept title",
            "held_on": "2021-10-27",
            "held_time": "10:00",
            "classification": "secret",
            "attendee_ids": ["abc"],
            "organisation_ids": ["999999"],
        },
        {"title": "Kept title", "held_on": "0001-01-01", "held_time": "00:00", "classification": "bogus"},
    ],
)
def test_garbage_is_reshown_with_the_input_kept(login, cast, rows, form):
    client = login(cast.secretariat)
    before = rows(WGMeeting)

    response = client.post("/meetings/new", data={"csrf_token": page_csrf(client, "/meetings/new"), **form})

    assert response.status_code == 200
    assert 'value="Kept title"' in response.get_data(as_text=True)
    assert rows(WGMeeting) == before


def test_members_get_no_form_and_cannot_post(login, cast, meeting, rows):
    client = login(cast.moit)
    token = page_csrf(client, "/meetings")
    before = rows(WGDecision, FollowUp)

    assert client.get("/meetings/new").status_code == 403
    assert client.post(f"/meetings/{meeting.id}/decisions", data={"csrf_token": token, "text": "x"}).status_code == 403
    assert client.get(f"/meetings/{meeting.id}/edit").status_code == 403
    assert rows(WGDecision, FollowUp) == before


def test_a_stale_edit_is_409_with_the_text_kept(login, seed, cast, meeting):
    client = login(cast.chair)
    path = f"/meetings/{meeting.id}/edit"
    token = page_csrf(client, path)
    form = {
        "csrf_token": token,
        "version": "1",
        "title": "Edited",
        "held_on": "2021-10-13",
        "held_time": "11:00",
        "classification": "confidential",
        "minutes": "New minutes",
    }
    assert client.post(path, data=form).status_code == 302

    stale = client.post(path, data={**form, "title": "Stale edit"})

    assert stale.status_code == 409
    assert 'value="Stale edit"' in stale.get_data(as_text=True)


def test_decisions_directives_and_action_items_through_the_page(login, seed, cast, meeting):
    client = login(cast.secretariat)
    path = f"/meetings/{meeting.id}"
    token = page_csrf(client, path)

    assert client.post(path + "/decisions", data={"csrf_token": token, "text": "Call SBP and FBR."}).status_code == 302
    empty = client.post(path + "/decisions", data={"csrf_token": token, "text": ""})
    assert empty.status_code == 200
    assert "There is a problem" in empty.get_data(as_text=True)
    decision = seed(
        lambda s: add_decision(
            s, actor=s.get(type(cast.chair), cast.chair.id), meeting_id=meeting.id, text="Draft a protocol."
        )
    )
    made = client.post(
        f"{path}/decisions/{decision.id}/directive", data={"csrf_token": token, "timeline_text": "1 month"}
    )
    assert made.status_code == 302
    again = client.post(f"{path}/decisions/{decision.id}/directive", data={"csrf_token": token})
    assert again.status_code == 409
    item = client.post(
        path + "/action-items",
        data={
            "csrf_token": token,
            "title": "Invite SBP",
            "assignee_organisation_id": str(cast.pta.organisation_id),
            "assignee_id": "",
            "due_date": "2021-10-20",
        },
    )
    assert item.status_code == 302
    bad = client.post(
        path + "/action-items",
        data={"csrf_token": token, "title": "Kept action", "assignee_id": "", "assignee_organisation_id": ""},
    )
    assert bad.status_code == 200
    assert 'value="Kept action"' in bad.get_data(as_text=True)
    page = client.get(path).get_data(as_text=True)
    assert "Call SBP and FBR." in page
    assert "Invite SBP" in page
    assert "Directive D" in page
    assert client.get("/meetings/999999").status_code == 404
