"""Follow-up pages: creating, editing (409 keeps the input), cancelling, reopening, the queue
with "take it", the keepers' list with filters and an audited CSV; garbage never gives a 500."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from crm.audit.models import AuditEvent
from crm.db import get_session, utcnow
from crm.followups.models import FollowUp, FollowUpPriority, FollowUpStatus
from crm.formatting import local
from tests.channel.conftest import page_csrf
from tests.channel.factories import fresh
from tests.followups.factories import new_follow_up


def html(response) -> str:
    return response.get_data(as_text=True)


def load(app, follow_up_id) -> FollowUp:
    with app.app_context():
        return get_session().get(FollowUp, follow_up_id)


def last_event(app) -> AuditEvent:
    with app.app_context():
        return get_session().scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()


@pytest.fixture
def items(seed, web_world):
    w, today = web_world, local(utcnow()).date()

    def build(s):
        chair = fresh(s, w.chair)
        return {
            "mine": new_follow_up(s, actor=chair, title="Send the agenda", assignee_id=w.member.id,
                                  due_date=today - timedelta(days=2), priority=FollowUpPriority.HIGH,
                                  commitment_id=w.commitment.id),
            "queue": new_follow_up(s, actor=chair, title="Queue item for MoFA",
                                   assignee_organisation_id=w.member.organisation_id, due_date=today),
            "theirs": new_follow_up(s, actor=chair, title="Outsider's item", assignee_id=w.outsider.id),
        }  # fmt: skip

    return seed(build)


def form_for(client, path, **values):
    data = {"csrf_token": page_csrf(client, path), "title": "Draft the reply to Meta", "details": "",
            "assignee_id": "", "assignee_organisation_id": "", "due_date": "2026-07-01", "priority": "high",
            "company_id": "", "thread_id": "", "engagement_id": "", "commitment_id": ""}  # fmt: skip
    data.update(values)
    return data


# My follow-ups, the queue.


def test_mine_shows_priority_links_overdue_in_words_and_the_new_button(app, login, web_world, items):
    page = html(login(web_world.member).get("/follow-ups"))
    assert "Overdue by 2 days" in page
    assert 'High<span class="visually-hidden"> priority</span>' in page
    assert f"Commitment #{web_world.commitment.id}" in page
    if "commitments.detail" in app.view_functions:
        assert f'href="/commitments/{web_world.commitment.id}"' in page
    assert 'href="/follow-ups/new"' in page
    assert 'href="/calendar"' in page
    assert f'href="/follow-ups/{items["mine"].id}"' in page


def test_observers_get_no_new_button_and_cannot_open_the_form(login, web_world, items):
    client = login(web_world.observer)
    assert 'href="/follow-ups/new"' not in html(client.get("/follow-ups"))
    assert client.get("/follow-ups/new").status_code == 403


def test_the_queue_page_lists_unassigned_items_and_a_member_takes_one(app, login, web_world, items, rows):
    client = login(web_world.member)
    page = html(client.get("/follow-ups/organisation"))
    assert "Queue item for MoFA" in page
    assert "Send the agenda" not in page  # assigned to a person
    assert "Take it" in page

    queue = items["queue"]
    response = client.post(f"/follow-ups/{queue.id}/take", data={
        "version": str(queue.version), "csrf_token": page_csrf(client, "/follow-ups/organisation")})  # fmt: skip

    assert response.status_code == 302
    taken = load(app, queue.id)
    assert (taken.assignee_id, taken.assignee_organisation_id) == (web_world.member.id, None)
    assert "Queue item for MoFA" not in html(client.get("/follow-ups/organisation"))


def test_another_organisation_cannot_take_a_queue_item(login, web_world, items, rows):
    client = login(web_world.outsider)
    before = rows(FollowUp)
    response = client.post(f"/follow-ups/{items['queue'].id}/take", data={
        "version": "1", "csrf_token": page_csrf(client, "/follow-ups")})  # fmt: skip
    assert response.status_code == 404
    assert rows(FollowUp) == before


# Creating.


def test_a_member_creates_a_follow_up_for_themselves(app, login, web_world, rows):
    client = login(web_world.member)
    page = html(client.get("/follow-ups/new"))
    assert web_world.colleague.full_name not in page  # the choices offer only themselves and their queue
    before = rows(FollowUp)

    response = client.post("/follow-ups/new", data=form_for(
        client, "/follow-ups/new", assignee_id=str(web_world.member.id), company_id=str(web_world.company.id),
        commitment_id=str(web_world.commitment.id)))  # fmt: skip

    assert response.status_code == 302
    assert rows(FollowUp) == (before[0] + 1, before[1] + 1)
    detail = html(client.get(response.headers["Location"]))
    assert "Draft the reply to Meta" in detail
    assert "High" in detail
    assert f"Commitment #{web_world.commitment.id}" in detail
    assert "Created" in detail


def test_a_member_assigning_to_a_colleague_sees_the_form_again_and_nothing_is_written(login, web_world, rows):
    client = login(web_world.member)
    before = rows(FollowUp)
    response = client.post("/follow-ups/new", data=form_for(
        client, "/follow-ups/new", assignee_id=str(web_world.colleague.id), details="Keep my words"))  # fmt: skip
    assert response.status_code == 200
    page = html(response)
    assert "You can assign a follow-up to yourself" in page
    assert "Keep my words" in page
    assert "Draft the reply to Meta" in page
    assert rows(FollowUp) == before


def test_invalid_links_and_owners_are_shown_beside_the_fields(login, web_world, rows):
    client = login(web_world.chair)
    before = rows(FollowUp)
    response = client.post("/follow-ups/new", data=form_for(
        client, "/follow-ups/new", assignee_id=str(web_world.member.id),
        assignee_organisation_id=str(web_world.member.organisation_id), engagement_id="987654"))  # fmt: skip
    page = html(response)
    assert response.status_code == 200
    assert "not both" in page
    assert "There is no such record" in page
    assert 'value="987654"' in page
    assert rows(FollowUp) == before


def test_the_chair_creates_an_outbound_action_only_for_the_focal_person(login, web_world, rows):
    client = login(web_world.chair)
    before = rows(FollowUp)
    refused = client.post("/follow-ups/new", data=form_for(
        client, "/follow-ups/new", assignee_id=str(web_world.member.id), is_outbound_action="y"))  # fmt: skip
    assert "stays with the focal person" in html(refused)
    assert rows(FollowUp) == before
    made = client.post("/follow-ups/new", data=form_for(
        client, "/follow-ups/new", assignee_id=str(web_world.focal.id), is_outbound_action="y"))  # fmt: skip
    assert made.status_code == 302


# Editing, cancelling, reopening.


def test_editing_with_a_stale_version_is_a_409_with_the_input_kept(app, login, web_world, items, rows):
    client = login(web_world.chair)
    follow_up = items["mine"]
    path = f"/follow-ups/{follow_up.id}/edit"
    assert "Send the agenda" in html(client.get(path))
    before = rows(FollowUp)

    response = client.post(path, data={
        "csrf_token": page_csrf(client, path), "version": str(follow_up.version + 3), "title": "My new words",
        "details": "", "assignee_id": str(web_world.member.id), "assignee_organisation_id": "",
        "due_date": "", "priority": "low"})  # fmt: skip

    assert response.status_code == 409
    assert "Someone else changed this record" in html(response)
    assert "My new words" in html(response)
    assert rows(FollowUp) == before


def test_the_chair_reassigns_from_the_edit_page(app, login, web_world, items):
    client = login(web_world.chair)
    follow_up = items["mine"]
    path = f"/follow-ups/{follow_up.id}/edit"
    response = client.post(path, data={
        "csrf_token": page_csrf(client, path), "version": str(follow_up.version), "title": "Send the agenda",
        "details": "", "assignee_id": "", "assignee_organisation_id": str(web_world.outsider.organisation_id),
        "due_date": "2026-08-01", "priority": "low"})  # fmt: skip
    assert response.status_code == 302
    saved = load(app, follow_up.id)
    assert (saved.assignee_id, saved.assignee_organisation_id, saved.priority) == (
        None, web_world.outsider.organisation_id, FollowUpPriority.LOW)  # fmt: skip
    assert last_event(app).action == "follow_up.update"


def test_someone_who_cannot_see_it_gets_404_and_an_observer_403(login, web_world, items):
    path = f"/follow-ups/{items['mine'].id}"
    assert login(web_world.outsider).get(path).status_code == 404
    assert login(web_world.outsider).get(path + "/edit").status_code == 404
    observer = login(web_world.observer)
    assert observer.get(path).status_code == 200
    assert observer.get(path + "/edit").status_code == 403


def test_cancel_needs_a_note_then_the_chair_reopens(app, login, web_world, items, rows):
    member, chair = login(web_world.member), login(web_world.chair)
    follow_up = items["mine"]
    path = f"/follow-ups/{follow_up.id}"
    before = rows(FollowUp)

    empty = member.post(path + "/cancel", data={"csrf_token": page_csrf(member, path), "version": "1", "note": ""})
    assert empty.status_code == 200
    assert "Say why the follow-up is cancelled." in html(empty)
    assert rows(FollowUp) == before

    member.post(path + "/cancel", data={"csrf_token": page_csrf(member, path), "version": "1", "note": "Not needed"})
    assert load(app, follow_up.id).status is FollowUpStatus.CANCELLED
    assert "Reopen" not in html(member.get(path))  # members do not reopen

    page = html(chair.get(path))
    assert "Not needed" in page
    chair.post(path + "/reopen", data={"csrf_token": page_csrf(chair, path), "version": "2", "note": "Needed"})
    reopened = load(app, follow_up.id)
    assert reopened.status is FollowUpStatus.OPEN
    history = html(chair.get(path))
    assert "Cancelled" in history
    assert "Reopened" in history


# The keepers' list.


def test_the_keepers_list_filters_and_exports_an_audited_csv(app, login, web_world, items, rows):
    client = login(web_world.secretariat)
    page = html(client.get(f"/follow-ups/all?priority=high&organisation_id={web_world.member.organisation_id}"))
    assert "Send the agenda" in page
    assert "Queue item for MoFA" not in page
    assert "Outsider&#39;s item" not in page
    overdue = html(client.get("/follow-ups/all?overdue=1"))
    assert "Send the agenda" in overdue
    assert "Queue item for MoFA" not in overdue

    before = rows(FollowUp)
    response = client.get("/follow-ups/all.csv?overdue=1")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    body = response.get_data(as_text=True)
    assert "Send the agenda" in body
    assert "Queue item for MoFA" not in body
    assert rows(FollowUp) == (before[0], before[1] + 1)
    event = last_event(app)
    assert (event.action, event.after["filters"], event.after["rows"]) == ("follow_up.export", {"overdue": True}, 1)


@pytest.mark.parametrize("who", ["member", "observer", "focal"])
def test_others_cannot_see_the_keepers_list_or_export_it(login, web_world, items, rows, who):
    client = login(getattr(web_world, who))
    before = rows(FollowUp)
    assert client.get("/follow-ups/all").status_code == 403
    assert client.get("/follow-ups/all.csv").status_code == 403
    assert rows(FollowUp) == before


@pytest.mark.parametrize("query", ["priority=urgent", "due_from=2021-13-45", "assignee_id=abc", "organisation_id=-1",
                                   "after=garbage", "due_to=99999-01-01", "overdue=maybe"])  # fmt: skip
def test_bad_filters_are_ignored(login, web_world, items, query):
    response = login(web_world.chair).get(f"/follow-ups/all?{query}")
    assert response.status_code == 200
    assert "Send the agenda" in html(response)


GARBAGE = [
    {},
    {"version": "abc", "note": "x", "title": "x", "assignee_id": "abc", "priority": "urgent", "due_date": "2021-13-45"},
    {"version": "-1", "company_id": "-5", "thread_id": "-5", "assignee_organisation_id": "-5", "engagement_id": "-1"},
    {"version": "99999999999999999999", "assignee_id": "99999999999999999999", "commitment_id": "9999999999999"},
    {"title": "ش" * 5000, "details": "\u202e" * 10, "note": "<script>alert(1)</script>", "version": "1"},
    {"assignee_id": ["1", "2"], "version": ["1", "2"], "priority": ["low", "high"], "is_outbound_action": "y"},
]


@pytest.mark.parametrize("payload", GARBAGE)
def test_garbage_posted_to_every_follow_up_form_never_gives_a_server_error(login, web_world, items, payload):
    client = login(web_world.chair)
    token = page_csrf(client, "/follow-ups")
    follow_up = items["mine"].id
    paths = [f"/follow-ups/{follow_up}/{action}" for action in ("edit", "cancel", "reopen", "take", "complete")]
    paths += ["/follow-ups/new", "/follow-ups/987654/edit", "/follow-ups/987654/cancel", "/follow-ups/987654/take"]
    for path in paths:
        response = client.post(path, data={**payload, "csrf_token": token})
        assert response.status_code < 500, (path, response.status_code)
        assert "<script>alert(1)</script>" not in html(response)
