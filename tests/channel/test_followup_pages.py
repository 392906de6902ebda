"""My follow-ups page: overdue first in words, links to records, completing with a real form."""

from __future__ import annotations

from datetime import timedelta

import pytest

from crm.db import utcnow
from crm.followups.models import FollowUp, FollowUpStatus
from crm.formatting import local
from tests.channel.conftest import page_csrf
from tests.channel.factories import fresh, make_company, make_follow_up
from tests.factories import make_user


@pytest.fixture
def world(seed):
    today = local(utcnow()).date()

    def build(s):
        member = make_user(s, org="MoFA", username="mofa.member")
        company = make_company(s, "Meta Platforms")
        return {
            "member": member,
            "other": make_user(s, org="MoC", username="moc.member"),
            "company": company,
            "later": make_follow_up(s, assignee=member, due=today + timedelta(days=4), title="Send the agenda"),
            "overdue": make_follow_up(
                s, assignee=member, due=today - timedelta(days=3), title="Reply to Meta", company=company
            ),  # fmt: skip
            "queue": make_follow_up(s, organisation_id=member.organisation_id, due=today, title="Queue item"),
            "today": today,
        }

    return seed(build)


def test_mine_lists_overdue_first_in_words(login, world):
    page = login(world["member"]).get("/follow-ups").get_data(as_text=True)

    assert page.index("Reply to Meta") < page.index("Queue item") < page.index("Send the agenda")
    assert "Overdue by 3 days" in page
    assert "Due today" in page
    assert "Due in 4 days" in page
    assert "MoFA queue" in page


def test_mine_links_to_the_company_when_its_page_exists(app, login, world):
    page = login(world["member"]).get("/follow-ups").get_data(as_text=True)
    if "companies.profile" in app.view_functions:
        assert f'<a href="/companies/{world["company"].id}">Meta Platforms</a>' in page
    else:
        assert "Meta Platforms" in page


def test_others_do_not_see_my_follow_ups(login, world):
    page = login(world["other"]).get("/follow-ups").get_data(as_text=True)
    assert "Reply to Meta" not in page
    assert "Nothing open" in page


def test_the_assignee_completes_from_the_list(login, world, rows, app):
    client = login(world["member"])
    overdue = world["overdue"]
    before = rows(FollowUp)

    form = {"version": str(overdue.version), "note": "Replied by letter no. 7."}
    form["csrf_token"] = page_csrf(client, "/follow-ups")
    response = client.post(f"/follow-ups/{overdue.id}/complete", data=form)

    assert response.status_code == 302
    assert rows(FollowUp) == (before[0], before[1] + 1)
    page = client.get("/follow-ups").get_data(as_text=True)
    assert "Marked as done." in page
    assert "Reply to Meta" not in page
    with app.app_context():
        from crm.db import get_session

        done = get_session().get(FollowUp, overdue.id)
        assert (done.status, done.completion_note) == (FollowUpStatus.DONE, "Replied by letter no. 7.")


def test_someone_else_cannot_complete_and_nothing_is_written(login, world, rows):
    client = login(world["other"])
    overdue = world["overdue"]
    before = rows(FollowUp)

    response = client.post(f"/follow-ups/{overdue.id}/complete", data={
        "version": str(overdue.version), "note": "", "csrf_token": page_csrf(client, "/follow-ups"),
    })  # fmt: skip

    assert response.status_code == 404  # as for the form: ids of records one may not see reveal nothing
    assert rows(FollowUp) == before
    assert client.get(f"/follow-ups/{overdue.id}/complete").status_code == 404


def test_a_stale_completion_is_a_409_with_the_note_kept(login, world):
    client = login(world["member"])
    overdue = world["overdue"]
    response = client.post(f"/follow-ups/{overdue.id}/complete", data={
        "version": str(overdue.version + 2), "note": "My words", "csrf_token": page_csrf(client, "/follow-ups"),
    })  # fmt: skip
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Someone else changed this record" in page
    assert "My words" in page


def test_the_completion_page_shows_the_follow_up_and_refuses_long_notes(login, world, rows):
    client = login(world["member"])
    path = f"/follow-ups/{world['later'].id}/complete"
    assert "Send the agenda" in client.get(path).get_data(as_text=True)
    before = rows(FollowUp)

    response = client.post(path, data={"version": "1", "note": "n" * 4001, "csrf_token": page_csrf(client, path)})

    assert response.status_code == 200
    assert "Field cannot be longer than 4000 characters" in response.get_data(as_text=True)
    assert rows(FollowUp) == before


def test_pages_of_follow_ups_continue_with_a_cursor(login, world, seed):
    member = world["member"]
    seed(lambda s: [make_follow_up(s, assignee=fresh(s, member), due=world["today"]) for _ in range(55)])
    client = login(member)
    first = client.get("/follow-ups").get_data(as_text=True)
    assert "More follow-ups" in first
    cursor = first.split('href="/follow-ups?after=')[1].split('"')[0]
    second = client.get(f"/follow-ups?after={cursor}").get_data(as_text=True)
    assert "Send the agenda" in second
    assert "Reply to Meta" not in second


@pytest.mark.parametrize("cursor", ["garbage", "none.abc", "2021-13-40.5", "none.99999999999999999999", "."])
def test_a_bad_cursor_shows_the_first_page(login, world, cursor):
    response = login(world["member"]).get(f"/follow-ups?after={cursor}")
    assert response.status_code == 200
    assert "Reply to Meta" in response.get_data(as_text=True)
