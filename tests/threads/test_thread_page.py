"""The thread page: header, positions, stage history, timeline (never minutes), follow-ups."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from crm.accounts.models import User
from crm.companies.models import Company
from crm.db import utcnow
from crm.threads.models import Stage, Thread
from crm.threads.services import change_stage
from tests.threads.conftest import html
from tests.threads.factories import SECRET_MINUTES, make_engagement, make_follow_up


def test_the_thread_page_shows_header_positions_next_step_and_history(chair_client, world):
    page = html(chair_client.get(f"/threads/{world.thread.id}"))

    assert "<h1>Google liaison office in Pakistan</h1>" in page
    assert '<span class="thread-stage">Identified</span>' in page
    assert "<dt>Priority</dt><dd>High</dd>" in page
    assert "overdue" in page
    for text in (
        "A liaison office in Islamabad.",
        "Open it by June.",
        "Waiting for the data rules.",
        "Send the draft MoU",
        world.chair.full_name,
    ):
        assert text in page
    assert "Opened at Identified" in page
    assert "PKT" in page


def test_the_thread_page_links_companies_to_their_profile_when_it_exists(app, chair_client, world):
    page = html(chair_client.get(f"/threads/{world.thread.id}"))

    if "companies.profile" in app.view_functions:
        assert f'href="/companies/{world.google.id}"' in page or ">Google</a>" in page
    else:
        assert "<li>Google</li>" in page


def test_the_stage_history_shows_who_when_and_why(chair_client, world, seed):
    seed(
        lambda s: change_stage(
            s,
            actor=s.get(User, world.chair.id),
            thread_id=world.thread.id,
            stage=Stage.ABANDONED,
            note="Company withdrew",
            version=world.thread.version,
        )
    )

    page = html(chair_client.get(f"/threads/{world.thread.id}"))

    history = page[page.index('id="history-heading"') :]
    assert "Identified → Abandoned" in history
    assert "Company withdrew" in history
    assert re.search(r"\d\d-\d\d-\d{4} \d\d:\d\d PKT", history)
    assert "overdue" not in page[: page.index('id="positions-heading"')]


def test_the_timeline_is_newest_first_paginated_and_never_shows_minutes(chair_client, world, seed):
    def build(session):
        chair, google = session.get(User, world.chair.id), session.get(Company, world.google.id)
        thread = session.get(Thread, world.thread.id)
        start = utcnow() - timedelta(days=40)
        for n in range(30):
            make_engagement(
                session,
                actor=chair,
                thread=thread,
                company=google,
                occurred_at=start + timedelta(days=n),
                subject=f"Contact number {n:02d}",
            )

    seed(build)
    first = html(chair_client.get(f"/threads/{world.thread.id}"))
    older = re.search(r'href="(/threads/\d+\?before=\d+)#timeline-heading">Older engagements', first)
    assert older
    second = html(chair_client.get(older.group(1)))

    assert first.index("Contact number 29") < first.index("Contact number 05")
    assert "Contact number 04" not in first
    assert all(f"Contact number {n:02d}" in second for n in range(5))
    assert "Contact number 05" not in second
    assert '<span class="badge badge--confidential">Confidential</span>' in first
    assert "Video call" in first
    assert "Inbound" in first
    assert SECRET_MINUTES not in first + second
    assert "Newest engagements" in second


def test_open_follow_ups_of_the_thread_are_listed(chair_client, world, seed):
    def build(session):
        chair, thread = session.get(User, world.chair.id), session.get(Thread, world.thread.id)
        make_follow_up(session, actor=chair, thread=thread, title="Send the MoU draft to MoLJ", due=date(2020, 5, 1))

    seed(build)
    page = html(chair_client.get(f"/threads/{world.thread.id}"))

    section = page[page.index('id="followups-heading"') :]
    assert "Send the MoU draft to MoLJ" in section
    assert "01-05-2020" in section
    assert "overdue" in section


@pytest.mark.parametrize(
    "path",
    [
        "/threads/987654",
        "/threads/99999999999999999999",
        "/threads/abc",
        "/threads/987654/edit",
        "/threads/987654/stage",
    ],
)
def test_unknown_threads_are_a_friendly_404(chair_client, path):
    response = chair_client.get(path)

    assert response.status_code == 404
    assert "Traceback" not in html(response)


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/threads")

    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]
