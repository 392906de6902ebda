"""The meeting pages issue the same number of queries whatever the number of rows; the demo
holds the press release's first meeting."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from crm.db import get_session
from crm.meetings.models import WGDecision, WGMeeting
from crm.meetings.services import ActionItemInput, add_action_item, add_decision
from tests.meetings.factories import HELD_AT, make_meeting
from tests.reviews.conftest import measure


def test_list_and_detail_issue_constant_queries(login, seed, cast, count_queries):
    client = login(cast.secretariat)
    orgs = [cast.moit.organisation_id, cast.pta.organisation_id]

    def one(s, n):
        meeting = make_meeting(
            s,
            by=cast.chair,
            held_at=HELD_AT + timedelta(days=n),
            organisation_ids=orgs,
            attendee_ids=[cast.chair.id, cast.moit.id],
        )
        chair = s.get(type(cast.chair), cast.chair.id)
        add_decision(s, actor=chair, meeting_id=meeting.id, text="A decision")
        add_action_item(
            s,
            actor=chair,
            meeting_id=meeting.id,
            data=ActionItemInput(title="Act", assignee_id=cast.moit.id, due_date=date(2021, 11, 1)),
        )
        return meeting.id

    first = seed(lambda s: one(s, 0))
    list_few, page_few = (
        measure(client, count_queries, "/meetings"),
        measure(client, count_queries, f"/meetings/{first}"),
    )
    seed(lambda s: [one(s, n) for n in range(1, 20)])
    list_many = measure(client, count_queries, "/meetings")
    last = seed(lambda s: one(s, 30))
    page_many = measure(client, count_queries, f"/meetings/{last}")

    assert len(list_few) == len(list_many), "\n".join(list_many)
    assert len(page_few) == len(page_many), "\n".join(page_many)


def test_the_demo_holds_the_first_meeting_of_the_press_release(app, runner):
    result = runner.invoke(args=["demo", "--scale", "small"])
    assert result.exit_code == 0, result.output

    with app.app_context():
        session = get_session()
        meeting = session.scalars(select(WGMeeting).where(WGMeeting.title.like("First meeting%"))).one()
        decisions = list(session.scalars(select(WGDecision.text).where(WGDecision.meeting_id == meeting.id)))
    assert "Moeed Yusuf" in meeting.chaired_by
    assert meeting.held_at.astimezone().weekday() == 2 or meeting.held_at.weekday() == 2  # a Wednesday
    assert any("State Bank of Pakistan and FBR" in text for text in decisions)
