"""Thread queries: the board's columns and order, and the timeline's keyset."""

from __future__ import annotations

from datetime import date, timedelta

from crm.accounts.models import Clearance, Role
from crm.companies.models import Priority
from crm.db import utcnow
from crm.threads import queries
from crm.threads.models import Stage
from crm.threads.queries import ThreadFilters
from tests.factories import make_user
from tests.threads.factories import make_company, make_engagement, make_thread


def test_each_column_is_capped_soonest_target_first_and_says_when_there_is_more(session):
    chair = make_user(session, role=Role.CHAIR)
    google = make_company(session, "Google")
    later = make_thread(session, actor=chair, companies=[google], title="Later", target_date=date(2026, 5, 1))
    undated = make_thread(session, actor=chair, companies=[google], title="Undated")
    sooner = make_thread(session, actor=chair, companies=[google], title="Sooner", target_date=date(2026, 2, 1))
    make_thread(session, actor=chair, companies=[google], title="Stalled", stage=Stage.STALLED)

    columns = {c.stage: c for c in queries.board(session, ThreadFilters(), per_column=2)}

    assert list(columns) == [*queries.BOARD_COLUMNS]
    assert [t.id for t in columns[Stage.IDENTIFIED].threads] == [sooner.id, later.id]
    assert columns[Stage.IDENTIFIED].has_more is True
    assert [t.title for t in columns[Stage.STALLED].threads] == ["Stalled"]
    assert columns[Stage.STALLED].has_more is False
    assert undated.id not in [t.id for c in columns.values() for t in c.threads]


def test_board_filters_combine(session):
    chair = make_user(session, role=Role.CHAIR)
    google, meta = make_company(session, "Google"), make_company(session, "Meta")
    both = make_thread(session, actor=chair, companies=[google, meta], priority=Priority.HIGH)
    make_thread(session, actor=chair, companies=[meta], priority=Priority.LOW)
    make_thread(session, actor=chair, companies=[google], priority=Priority.LOW)

    columns = queries.board(session, ThreadFilters(company_id=meta.id, priority=Priority.HIGH))

    assert [t.id for c in columns for t in c.threads] == [both.id]


def test_the_timeline_keyset_breaks_ties_by_id_and_skips_nothing(session):
    chair = make_user(session, role=Role.CHAIR, clearance=Clearance.SECRET)
    google = make_company(session, "Google")
    thread = make_thread(session, actor=chair, companies=[google])
    moment = utcnow() - timedelta(days=1)
    made = [
        make_engagement(
            session, actor=chair, thread=thread, company=google, occurred_at=moment - timedelta(hours=n // 2)
        )
        for n in range(7)
    ]
    seen, before = [], None
    while True:
        page = queries.timeline(session, thread.id, before_id=before, limit=3)
        seen += [e.id for e in page]
        if len(page) < 3:
            break
        before = page[-1].id

    expected = sorted(made, key=lambda e: (e.occurred_at, e.id), reverse=True)
    assert seen == [e.id for e in expected]


def test_an_anchor_of_another_thread_is_ignored(session):
    chair = make_user(session, role=Role.CHAIR, clearance=Clearance.SECRET)
    google = make_company(session, "Google")
    first, second = (
        make_thread(session, actor=chair, companies=[google]),
        make_thread(session, actor=chair, companies=[google]),
    )
    mine = make_engagement(session, actor=chair, thread=first, company=google, occurred_at=utcnow() - timedelta(days=2))
    other = make_engagement(
        session, actor=chair, thread=second, company=google, occurred_at=utcnow() - timedelta(days=9)
    )

    assert [e.id for e in queries.timeline(session, first.id, before_id=other.id)] == [mine.id]
