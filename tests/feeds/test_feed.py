"""The calendar feed: made behind a token shown once (only its digest kept), parsed back with
the icalendar library, free of classified text and of other people's data, revocable, and
re-checked at every fetch."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from crm.accounts.models import Clearance
from crm.accounts.services import set_user_active
from crm.audit.models import AuditEvent
from crm.db import get_session, utcnow
from crm.designations.services import end_designation
from crm.errors import Forbidden, NotFound
from crm.feeds.models import CalendarFeed
from crm.feeds.services import create_calendar_feed, note_feed_use, revoke_calendar_feed
from crm.followups.models import FollowUp
from crm.formatting import local
from tests.channel.conftest import page_csrf
from tests.channel.factories import fresh
from tests.followups.factories import make_commitment, make_engagement, new_follow_up

SECRET_SUBJECT = "Zebra ultimatum on takedowns"
SECRET_MINUTES = "Walrus clause agreed in private"
FEED_URL = re.compile(r'value="(http[^"]+/calendar/([A-Za-z0-9_-]+)\.ics)"')


def html(response) -> str:
    return response.get_data(as_text=True)


def make_feed_url(client) -> tuple[str, str]:
    """Make a feed on the page, as a user would: the address (and token) shown once."""
    response = client.post("/calendar/new", data={"csrf_token": page_csrf(client, "/calendar")})
    assert response.status_code == 200
    match = FEED_URL.search(html(response))
    assert match, html(response)
    return match.group(1), match.group(2)


def live_feed_of(user) -> CalendarFeed:
    """The user's live feed (call inside an app context)."""
    query = select(CalendarFeed).where(CalendarFeed.revoked_at.is_(None), CalendarFeed.user_id == user.id)
    return get_session().scalar(query)


def fetch(app, token: str):
    return app.test_client().get(f"/calendar/{token}.ics")  # no session: calendar apps have none


def events(response) -> dict[str, object]:
    assert response.status_code == 200, response.status_code
    calendar = Calendar.from_ical(response.get_data())
    return {str(event["uid"]): event for event in calendar.walk("VEVENT")}


@pytest.fixture
def data(seed, web_world):
    """For the member (MoFA): a follow-up of theirs, one of their queue, one of someone else's;
    a commitment MoFA must deliver and one of PTA's; an unclassified and a confidential
    engagement they attended, and one they did not."""
    w, today = web_world, local(utcnow()).date()

    def build(s):
        chair, member = fresh(s, w.chair), fresh(s, w.member)
        company = fresh(s, w.company)
        return {
            "mine": new_follow_up(s, actor=chair, title=f"Reply: {SECRET_SUBJECT}", assignee_id=member.id,
                                  due_date=today + timedelta(days=3)),
            "queue": new_follow_up(s, actor=chair, assignee_organisation_id=member.organisation_id,
                                   due_date=today + timedelta(days=5)),
            "theirs": new_follow_up(s, actor=chair, assignee_id=w.outsider.id, due_date=today + timedelta(days=4)),
            "undated": new_follow_up(s, actor=chair, assignee_id=member.id),
            "mofa": make_commitment(s, company=company, organisation="MoFA", due=today + timedelta(days=7)),
            "pta": make_commitment(s, company=company, organisation="PTA", due=today + timedelta(days=8)),
            "open_meeting": make_engagement(s, actor=chair, company=company, subject="Quarterly review",
                                            classification=Clearance.UNCLASSIFIED, participants=[member], days_ago=2),
            "secret_meeting": make_engagement(s, actor=chair, company=company, subject=SECRET_SUBJECT,
                                              minutes=SECRET_MINUTES, classification=Clearance.CONFIDENTIAL,
                                              participants=[member], days_ago=3),
            "not_attended": make_engagement(s, actor=chair, company=company, subject="Other people's meeting",
                                            classification=Clearance.UNCLASSIFIED, participants=[chair]),
            "long_ago": make_engagement(s, actor=chair, company=company, subject="Old meeting",
                                        classification=Clearance.UNCLASSIFIED, participants=[member], days_ago=45),
        }  # fmt: skip

    return seed(build)


# Making and revoking.


def test_the_token_is_shown_once_and_only_its_digest_is_stored(app, login, web_world, rows):
    client = login(web_world.member)
    assert "You have no calendar feed." in html(client.get("/calendar"))
    before = rows(CalendarFeed)

    url, token = make_feed_url(client)

    assert url == f"{app.config['PUBLIC_URL']}/calendar/{token}.ics"
    assert len(token) >= 43  # 256 bits, URL-safe
    assert rows(CalendarFeed) == (before[0] + 1, before[1] + 1)
    with app.app_context():
        feed = get_session().scalars(select(CalendarFeed).order_by(CalendarFeed.id.desc())).first()
        assert feed.token_digest == hashlib.sha256(token.encode()).hexdigest()
        stored = [str(value) for value in get_session().execute(select(CalendarFeed.__table__)).one()]
        event = get_session().scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
    assert token not in " ".join(stored)
    assert (event.action, token in str(event.after)) == ("calendar_feed.create", False)
    page = html(client.get("/calendar"))
    assert token not in page
    assert "Revoke this feed" in page


def test_a_new_feed_revokes_the_previous_one(app, login, web_world):
    client = login(web_world.member)
    _, first = make_feed_url(client)
    _, second = make_feed_url(client)
    assert fetch(app, first).status_code == 404
    assert fetch(app, second).status_code == 200
    with app.app_context():
        live = get_session().scalar(select(func.count()).select_from(CalendarFeed).where(
            CalendarFeed.user_id == web_world.member.id, CalendarFeed.revoked_at.is_(None)))  # fmt: skip
    assert live == 1


def test_a_revoked_or_unknown_token_is_404(app, login, web_world):
    client = login(web_world.member)
    _, token = make_feed_url(client)
    with app.app_context():
        feed_id = live_feed_of(web_world.member).id
    response = client.post(f"/calendar/{feed_id}/revoke", data={"csrf_token": page_csrf(client, "/calendar")})
    assert response.status_code == 302
    assert fetch(app, token).status_code == 404
    assert fetch(app, token[:-1] + ("A" if token[-1] != "A" else "B")).status_code == 404
    assert fetch(app, "x" * 500).status_code == 404
    assert "You have no calendar feed." in html(client.get("/calendar"))


def test_a_deactivated_users_feed_is_404(app, login, seed, web_world):
    _, token = make_feed_url(login(web_world.member))
    seed(lambda s: set_user_active(s, actor=None, user_id=web_world.member.id, active=False))
    assert fetch(app, token).status_code == 404


def test_one_cannot_revoke_another_users_feed_and_nothing_is_written(session, web_world):
    member, outsider = fresh(session, web_world.member), fresh(session, web_world.outsider)
    feed, _ = create_calendar_feed(session, actor=member)
    before = session.scalar(select(func.count()).select_from(AuditEvent))
    with pytest.raises(NotFound):
        revoke_calendar_feed(session, actor=outsider, feed_id=feed.id)
    assert feed.revoked_at is None
    assert session.scalar(select(func.count()).select_from(AuditEvent)) == before
    revoke_calendar_feed(session, actor=member, feed_id=feed.id)
    assert feed.revoked_at is not None


def test_admins_have_no_feed(session, login, web_world):
    admin = fresh(session, web_world.admin)
    with pytest.raises(Forbidden):
        create_calendar_feed(session, actor=admin)
    assert login(web_world.admin).get("/calendar").status_code == 403


def test_the_settings_page_needs_a_sign_in(client):
    response = client.get("/calendar")
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]


# The feed itself.


def test_the_feed_parses_back_with_uids_dates_and_urls(app, login, web_world, data):
    _, token = make_feed_url(login(web_world.member))
    response = fetch(app, token)

    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Cache-Control"] == "private, no-store"
    found = events(response)
    base = app.config["PUBLIC_URL"]
    mine, queue, mofa = data["mine"], data["queue"], data["mofa"]
    meetings = {f"engagement-{data['open_meeting'].id}@rabta", f"engagement-{data['secret_meeting'].id}@rabta"}
    dues = {f"followup-{mine.id}@rabta", f"followup-{queue.id}@rabta", f"commitment-{mofa.id}@rabta"}
    assert set(found) == meetings | dues

    follow_up = found[f"followup-{mine.id}@rabta"]
    assert str(follow_up["summary"]) == f"Follow-up due (#{mine.id})"
    assert follow_up.decoded("dtstart") == mine.due_date
    assert follow_up.decoded("dtend") == mine.due_date + timedelta(days=1)
    assert str(follow_up["url"]) == f"{base}/follow-ups/{mine.id}"
    assert isinstance(follow_up.decoded("dtstamp"), datetime)

    commitment = found[f"commitment-{mofa.id}@rabta"]
    assert str(commitment["summary"]) == f"Commitment due: {web_world.company.name} (#{mofa.id})"
    assert commitment.decoded("dtstart") == mofa.due_date
    assert str(commitment["url"]).startswith(f"{base}/commitments")

    meeting = found[f"engagement-{data['open_meeting'].id}@rabta"]
    assert str(meeting["summary"]) == f"Engagement with {web_world.company.name}: Quarterly review"
    start = meeting.decoded("dtstart")
    assert start == data["open_meeting"].occurred_at.replace(microsecond=0)
    assert start.utcoffset() == timedelta(0)
    assert str(meeting["url"]) == f"{base}/engagements/{data['open_meeting'].id}"


def test_no_classified_text_and_no_follow_up_titles_in_the_feed(app, login, web_world, data):
    _, token = make_feed_url(login(web_world.member))
    body = fetch(app, token).get_data(as_text=True)
    unfolded = body.replace("\r\n ", "")
    assert SECRET_SUBJECT not in unfolded
    assert SECRET_MINUTES not in unfolded
    assert "Reply:" not in unfolded
    secret = events(fetch(app, token))[f"engagement-{data['secret_meeting'].id}@rabta"]
    assert str(secret["summary"]) == f"Engagement with {web_world.company.name} (Confidential — see Rabta)"
    assert "DESCRIPTION" not in body


def test_other_peoples_items_are_not_in_the_feed(app, login, web_world, data):
    _, token = make_feed_url(login(web_world.member))
    uids = set(events(fetch(app, token)))
    assert f"followup-{data['theirs'].id}@rabta" not in uids
    assert f"commitment-{data['pta'].id}@rabta" not in uids
    assert f"engagement-{data['not_attended'].id}@rabta" not in uids
    assert f"engagement-{data['long_ago'].id}@rabta" not in uids  # older than 30 days

    _, outsider_token = make_feed_url(login(web_world.outsider))
    outsider = set(events(fetch(app, outsider_token)))
    assert f"followup-{data['theirs'].id}@rabta" in outsider
    assert f"followup-{data['mine'].id}@rabta" not in outsider
    assert not any(uid.startswith("engagement-") for uid in outsider)


def test_the_focal_person_sees_every_open_commitment_until_the_designation_ends(app, login, seed, web_world, data):
    _, token = make_feed_url(login(web_world.focal))
    uids = set(events(fetch(app, token)))
    assert {f"commitment-{data['mofa'].id}@rabta", f"commitment-{data['pta'].id}@rabta"} <= uids

    seed(lambda s: end_designation(s, actor=fresh(s, web_world.chair), designation_id=web_world.designation.id))

    uids = set(events(fetch(app, token)))
    assert f"commitment-{data['mofa'].id}@rabta" not in uids  # MoFA's and PTA's, not the focal person's MoIT
    assert f"commitment-{data['pta'].id}@rabta" not in uids


def test_the_chair_sees_every_open_commitment(app, login, web_world, data):
    _, token = make_feed_url(login(web_world.chair))
    uids = set(events(fetch(app, token)))
    assert {f"commitment-{data['mofa'].id}@rabta", f"commitment-{data['pta'].id}@rabta"} <= uids


def test_last_use_is_noted_and_audited_at_most_once_an_hour(app, login, web_world, rows):
    _, token = make_feed_url(login(web_world.member))
    before = rows(CalendarFeed, FollowUp)
    fetch(app, token)
    fetch(app, token)
    fetch(app, token)
    assert rows(CalendarFeed, FollowUp) == (before[0], before[1], before[2] + 1)
    with app.app_context():
        feed = live_feed_of(web_world.member)
        assert feed.last_used_at is not None
        user = get_session().get(type(web_world.member), web_world.member.id)
        assert not note_feed_use(get_session(), feed=feed, user=user, now=feed.last_used_at + timedelta(minutes=59))
    assert "Last used" in html(login(web_world.member).get("/calendar"))


def test_a_fetch_after_an_hour_is_noted_again(session, web_world):
    member = fresh(session, web_world.member)
    feed, _ = create_calendar_feed(session, actor=member)
    start = datetime(2026, 3, 1, 9, tzinfo=local(utcnow()).tzinfo)
    assert note_feed_use(session, feed=feed, user=member, now=start)
    assert not note_feed_use(session, feed=feed, user=member, now=start + timedelta(minutes=30))
    assert note_feed_use(session, feed=feed, user=member, now=start + timedelta(hours=1))
    assert feed.last_used_at == start + timedelta(hours=1)


def test_the_my_follow_ups_page_links_to_the_calendar(login, web_world):
    assert 'href="/calendar"' in html(login(web_world.member).get("/follow-ups"))
