"""The thread pages send the same number of SQL statements whatever the amount of data."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from crm.accounts.models import Clearance, Role, User
from crm.companies.models import Company
from crm.db import utcnow
from crm.threads.models import Stage, Thread
from crm.threads.services import change_stage
from tests.factories import make_user
from tests.threads.factories import make_company, make_engagement, make_follow_up, make_thread

STAGES = [Stage.OUTREACH, Stage.NEGOTIATING, Stage.STALLED, Stage.NEGOTIATING]


def populate(session, size: int) -> tuple[User, Thread, Company]:
    """`size` threads on the board (every stage) and one more with `size` engagements,
    follow-ups and stage changes; returns the chair, that thread and a company of every thread."""
    chair = make_user(session, role=Role.CHAIR, org="NSD", clearance=Clearance.SECRET)
    companies = [make_company(session) for _ in range(3)]
    owner = make_user(session, role=Role.SECRETARIAT)
    for n in range(size):
        make_thread(
            session,
            actor=chair,
            companies=companies[: 1 + n % 3],
            stage=list(Stage)[n % len(Stage)],
            target_date=date(2026, 1, 1) + timedelta(days=n),
            next_step=f"Step {n}",
            next_step_owner_id=owner.id,
        )
    thread = make_thread(session, actor=chair, companies=companies, stage=Stage.NEGOTIATING)
    for n in range(size):
        make_engagement(
            session,
            actor=chair,
            thread=thread,
            company=companies[0],
            occurred_at=utcnow() - timedelta(days=n + 1),
            subject=f"Contact {n}",
        )
        make_follow_up(session, actor=chair, thread=thread, title=f"Action {n}", due=date(2026, 3, 1))
        stage = STAGES[n % len(STAGES)] if STAGES[n % len(STAGES)] is not thread.stage else Stage.CONCLUDED
        change_stage(session, actor=chair, thread_id=thread.id, stage=stage, note="moved", version=thread.version)
    return chair, thread, companies[0]


PAGES = [
    "/threads",
    "/threads?company_id={company}&priority=medium",
    "/threads?view=list",
    "/threads?view=list&stage=identified&company_id={company}",
    "/threads.csv",
    "/threads/{thread}",
    "/threads/{thread}/edit",
    "/threads/{thread}/stage",
]


def queries_on(seed, signed_in, count_queries, template: str, size: int) -> int:
    chair, thread, company = seed(lambda s: populate(s, size))
    client, _ = signed_in(user=chair)
    path = template.format(thread=thread.id, company=company.id)
    client.get(path)  # warm up: first-use work (e.g. template compilation) is not what is measured
    return count_queries(lambda: _ok(client.get(path), path))


def _ok(response, path):
    assert response.status_code == 200, (path, response.status_code)
    return response


@pytest.mark.parametrize("page", PAGES)
def test_each_page_sends_a_constant_number_of_queries(seed, signed_in, count_queries, page):
    small = queries_on(seed, signed_in, count_queries, page, 1)
    large = queries_on(seed, signed_in, count_queries, page, 30)

    assert large == small, f"{page}: {small} queries with 1 row, {large} with 30"
    assert small <= 12
