"""The daily digest: each user's open work, once per Pakistan date, in a fixed number of queries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from crm.accounts.models import Role
from crm.designations.models import DesignationKind
from crm.notifications.jobs import daily_digest
from crm.notifications.models import NotificationKind
from tests.channel.factories import appoint, make_chair, make_company
from tests.jobs.conftest import NOW, TODAY
from tests.jobs.factories import commitment, deactivate, follow_up, person

DAY = timedelta(days=1)


def test_a_user_gets_one_digest_a_day_with_their_counts(seed, run_job, sent):
    member = seed(lambda s: person(s))
    seed(lambda s: follow_up(s, assignee=member, due=TODAY - DAY))
    seed(lambda s: follow_up(s, assignee=member, due=TODAY + 5 * DAY))
    seed(lambda s: follow_up(s, org="MoIT", due=TODAY + DAY))  # the organisation's queue counts too

    run_job(daily_digest)
    run_job(daily_digest, NOW + timedelta(hours=10))  # 19:00 in Pakistan: the same day

    [digest] = sent(member)
    assert digest.kind is NotificationKind.DIGEST
    assert digest.key == "digest:2026-03-05"
    assert "05-03-2026" in digest.title
    assert "3 open follow-up(s), 1 overdue" in digest.title
    assert digest.link.endswith("/follow-ups")


def test_the_next_pakistan_day_brings_the_next_digest(seed, run_job, sent):
    member = seed(lambda s: person(s))
    seed(lambda s: follow_up(s, assignee=member, due=TODAY + DAY))

    run_job(daily_digest)
    # 20:00 UTC on the 5th is 01:00 on the 6th in Pakistan.
    run_job(daily_digest, datetime(2026, 3, 5, 20, 0, tzinfo=UTC))

    assert [n.key for n in sent(member)] == ["digest:2026-03-05", "digest:2026-03-06"]


def test_users_with_nothing_open_get_no_digest(seed, run_job, sent):
    idle = seed(lambda s: person(s))
    finished = seed(lambda s: person(s))
    seed(lambda s: deactivate(s, finished))
    seed(lambda s: follow_up(s, assignee=finished, due=TODAY))

    assert run_job(daily_digest).startswith("0 digest(s)")
    assert sent(idle) == sent(finished) == []


def test_the_chair_and_focal_person_see_overdue_commitments_others_do_not(seed, run_job, sent):
    chair = seed(lambda s: make_chair(s))
    focal = seed(lambda s: person(s, role=Role.SECRETARIAT))
    seed(lambda s: appoint(s, chair=chair, user=focal, kind=DesignationKind.FOCAL_PERSON))
    member = seed(lambda s: person(s))
    company = seed(lambda s: make_company(s))
    for days in (1, 2):
        seed(lambda s, days=days: commitment(s, keeper=chair, company=company, due=TODAY - days * DAY))
    seed(lambda s: commitment(s, keeper=chair, company=company, due=TODAY + DAY))

    run_job(daily_digest)

    for watcher in (chair, focal):
        [digest] = sent(watcher)
        assert "2 overdue commitment(s)" in digest.title
        assert "/commitments" in digest.link
        assert "status=overdue" in digest.link
    assert sent(member) == []


@pytest.mark.parametrize("users", [3, 30])
def test_the_digest_costs_the_same_queries_whatever_the_number_of_users(seed, run_job, sent, selects, users):
    def build(session):
        for _ in range(users):
            user = person(session)
            follow_up(session, assignee=user, due=TODAY + DAY)

    seed(build)

    statements = selects(lambda: run_job(daily_digest))

    assert len(sent(prefix="digest:")) == users
    assert len(statements) == 5, statements  # counts (3), the focal person, the users — never one per user
