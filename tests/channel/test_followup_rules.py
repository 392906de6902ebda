"""My follow-ups (overdue first) and completing one: by its owners, not by others."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from crm.accounts.models import Role
from crm.audit.models import AuditEvent
from crm.errors import Conflict, Forbidden, Invalid, NotFound
from crm.followups.models import FollowUp, FollowUpStatus
from crm.followups.policy import can_view
from crm.followups.queries import DueCursor, list_follow_ups, my_open_follow_ups, record_labels
from crm.followups.services import complete_follow_up
from crm.organisations.queries import get_by_short_name
from tests.channel.factories import make_company, make_follow_up
from tests.factories import make_user

TODAY = date(2026, 3, 10)


def counts(session) -> tuple[int, int]:
    return tuple(session.scalar(select(func.count()).select_from(m)) for m in (FollowUp, AuditEvent))


@pytest.fixture
def member(session):
    return make_user(session, org="MoFA")


def test_mine_lists_open_items_earliest_due_first_and_undated_last(session, member):
    later = make_follow_up(session, assignee=member, due=TODAY + timedelta(days=5))
    undated = make_follow_up(session, assignee=member)
    overdue = make_follow_up(session, assignee=member, due=TODAY - timedelta(days=3))
    queue = make_follow_up(session, organisation_id=member.organisation_id, due=TODAY)
    done = make_follow_up(session, assignee=member, due=TODAY - timedelta(days=9))
    complete_follow_up(session, actor=member, follow_up_id=done.id)
    make_follow_up(session, assignee=make_user(session), due=TODAY - timedelta(days=30))  # someone else's
    other_queue = get_by_short_name(session, "PTA").id
    make_follow_up(session, organisation_id=other_queue, due=TODAY)

    rows = my_open_follow_ups(session, user=member)

    assert [f.id for f in rows] == [overdue.id, queue.id, later.id, undated.id]


def test_mine_pages_by_due_date_and_id_without_gaps_or_repeats(session, member):
    made = [make_follow_up(session, assignee=member, due=TODAY + timedelta(days=i % 3)) for i in range(7)]
    made += [make_follow_up(session, assignee=member) for _ in range(3)]
    seen, cursor = [], None
    for _ in range(20):
        page = my_open_follow_ups(session, user=member, after=cursor, limit=3)
        seen += [f.id for f in page]
        if len(page) < 3:
            break
        cursor = DueCursor(page[-1].due_date, page[-1].id)
    assert sorted(seen) == sorted(f.id for f in made)
    assert len(seen) == len(set(seen))
    assert seen == [f.id for f in my_open_follow_ups(session, user=member, limit=100)]


def test_the_assignee_completes_with_a_note(session, member):
    follow_up = make_follow_up(session, assignee=member)

    complete_follow_up(session, actor=member, follow_up_id=follow_up.id, note="  Letter sent.  ",
                       version=follow_up.version)  # fmt: skip

    assert (follow_up.status, follow_up.completion_note) == (FollowUpStatus.DONE, "Letter sent.")
    assert follow_up.completed_at is not None


def test_a_member_of_the_organisation_completes_its_queue_item(session, member):
    follow_up = make_follow_up(session, organisation_id=member.organisation_id)
    complete_follow_up(session, actor=member, follow_up_id=follow_up.id)
    assert follow_up.status is FollowUpStatus.DONE


@pytest.mark.parametrize("role", [Role.MEMBER, Role.OBSERVER, Role.ADMIN])
def test_others_cannot_complete_and_nothing_is_written(session, member, role):
    follow_up = make_follow_up(session, assignee=member)
    other = make_user(session, role=role, org="MoFA")
    before = counts(session)

    # Those who see every follow-up are told why; the others cannot tell it exists (404).
    expected = Forbidden if role is Role.OBSERVER else NotFound
    with pytest.raises(expected) as refused:
        complete_follow_up(session, actor=other, follow_up_id=follow_up.id, note="Not mine")

    assert refused.value.code == ("not_assignee" if expected is Forbidden else "not_found")
    assert counts(session) == before
    assert follow_up.status is FollowUpStatus.OPEN


def test_completing_twice_or_with_a_stale_version_conflicts(session, member):
    follow_up = make_follow_up(session, assignee=member)
    with pytest.raises(Conflict):
        complete_follow_up(session, actor=member, follow_up_id=follow_up.id, version=follow_up.version + 1)
    complete_follow_up(session, actor=member, follow_up_id=follow_up.id)
    with pytest.raises(Conflict):
        complete_follow_up(session, actor=member, follow_up_id=follow_up.id)


def test_a_note_too_long_is_invalid_and_unknown_ids_not_found(session, member):
    follow_up = make_follow_up(session, assignee=member)
    with pytest.raises(Invalid):
        complete_follow_up(session, actor=member, follow_up_id=follow_up.id, note="x" * 4001)
    with pytest.raises(NotFound):
        complete_follow_up(session, actor=member, follow_up_id=987_654)
    assert follow_up.status is FollowUpStatus.OPEN


def test_who_sees_a_follow_up(session, member):
    follow_up = make_follow_up(session, assignee=member)
    assert can_view(member, follow_up)
    assert can_view(make_user(session, role=Role.OBSERVER), follow_up)
    assert can_view(make_user(session, role=Role.SECRETARIAT), follow_up)
    assert not can_view(make_user(session, org="MoFA"), follow_up)  # assigned to a person, not the queue
    assert not can_view(make_user(session, role=Role.ADMIN), follow_up)


def test_api_lists_respect_visibility(session, member):
    mine = make_follow_up(session, assignee=member)
    queue = make_follow_up(session, organisation_id=member.organisation_id)
    hidden = make_follow_up(session, assignee=make_user(session))

    visible = [f.id for f in list_follow_ups(session, viewer=member, everything=False)]
    everything = [f.id for f in list_follow_ups(session, viewer=member, everything=True)]

    assert mine.id in visible
    assert queue.id in visible
    assert hidden.id not in visible
    assert hidden.id in everything


def test_record_labels_name_companies_in_one_query(session, member):
    company = make_company(session, "Meta Platforms")
    follow_up = make_follow_up(session, assignee=member, company=company)
    labels = record_labels(session, [follow_up])
    assert labels.companies == {company.id: "Meta Platforms"}
    assert (labels.threads, labels.engagements) == ({}, {})
