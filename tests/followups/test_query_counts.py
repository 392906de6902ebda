"""Follow-up pages and the calendar feed send the same number of SQL statements whatever the
number of rows (loading is decided in queries.py)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event

from crm.accounts.models import Clearance
from crm.db import utcnow
from crm.formatting import local
from tests.channel.conftest import page_csrf
from tests.channel.factories import make_company, make_thread
from tests.followups.factories import build_world, make_commitment, make_engagement, new_follow_up

PAGES = [
    "/follow-ups",
    "/follow-ups/organisation",
    "/follow-ups/all",
    "/follow-ups/all?due_from=2000-01-01&priority=medium",
    "/follow-ups/all.csv",
    "/follow-ups/{first}",
    "/calendar",
    "FEED",
]


def populate(session, size: int):
    """A world and `size` follow-ups of every kind of owner and link, with commitments and
    engagements for the member's feed; returns the world and the first follow-up."""
    w = build_world(session)
    today = local(utcnow()).date()
    made = []
    for n in range(size):
        company = make_company(session)
        thread = make_thread(session, company=company, created_by=w.chair)
        commitment = make_commitment(session, company=company, organisation="MoFA", due=today + timedelta(days=n))
        level = Clearance.UNCLASSIFIED if n % 2 else Clearance.CONFIDENTIAL
        engagement = make_engagement(session, actor=w.chair, company=company, thread=thread, participants=[w.member],
                                     classification=level)  # fmt: skip
        owner = {"assignee_id": w.member.id} if n % 2 else {"assignee_organisation_id": w.member.organisation_id}
        made.append(new_follow_up(session, actor=w.chair, due_date=today + timedelta(days=n - 2), company_id=company.id,
                                  thread_id=thread.id, engagement_id=engagement.id, commitment_id=commitment.id,
                                  **owner))  # fmt: skip
    return w, made[0]


def count_on(app, seed, login, path_template: str, size: int, who: str) -> int:
    world, first = seed(lambda s: populate(s, size))
    user = getattr(world, who)
    client = login(user)
    path = path_template.format(first=first.id)
    if path == "FEED":
        body = client.post("/calendar/new", data={"csrf_token": page_csrf(client, "/calendar")}).get_data(as_text=True)
        match = re.search(r"/calendar/[A-Za-z0-9_-]+\.ics", body)
        assert match
        path, client = match.group(0), app.test_client()
    client.get(path)  # warm up (templates compiled, last use noted)
    statements: list[Any] = []

    def listener(*args: Any) -> None:
        statements.append(args[2])

    engine = app.extensions["rabta.db"].engine
    event.listen(engine, "before_cursor_execute", listener)
    try:
        response = client.get(path)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert response.status_code == 200, (path, response.status_code)
    return len(statements)


@pytest.mark.parametrize("page", PAGES)
def test_each_page_sends_a_constant_number_of_queries(app, seed, login, page):
    who = "secretariat" if "/all" in page else "member"
    small = count_on(app, seed, login, page, 1, who)
    large = count_on(app, seed, login, page, 12, who)
    assert large == small, f"{page}: {small} queries with 1 row, {large} with 12"
    assert small <= 16
