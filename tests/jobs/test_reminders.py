"""Reminders before the due date (R9): to the right people, once per threshold, never twice."""

from __future__ import annotations

from datetime import timedelta

import pytest

from crm.accounts.models import Role
from crm.commitments.jobs import commitment_reminders
from crm.commitments.models import CommitmentDirection
from crm.followups.jobs import follow_up_reminders
from crm.notifications.models import NotificationKind, OutboxChannel
from tests.channel.factories import appoint, make_chair, make_company
from tests.jobs.conftest import NOW, TODAY
from tests.jobs.factories import close_follow_up, commitment, deactivate, follow_up, person

DAY = timedelta(days=1)


def test_the_assignee_is_reminded_once_at_each_threshold(seed, run_job, sent):
    member = seed(lambda s: person(s))
    item = seed(lambda s: follow_up(s, assignee=member, due=TODAY + 3 * DAY))

    for day in (0, 0, 1, 1):  # 3 days out (twice), then 2 days out (twice): one reminder
        run_job(follow_up_reminders, NOW + day * DAY)
    assert [n.key for n in sent(member)] == [f"reminder:follow_up:{item.id}:{item.due_date.isoformat()}:3d"]

    for day in (2, 2, 3):  # 1 day out (twice), then the due date itself: the 1-day reminder once
        run_job(follow_up_reminders, NOW + day * DAY)
    notes = sent(member)
    assert [n.key.rsplit(":", 1)[1] for n in notes] == ["3d", "1d"]
    assert {n.kind for n in notes} == {NotificationKind.REMINDER}
    assert "due in 3 days (08-03-2026)" in notes[0].title
    assert "due tomorrow (08-03-2026)" in notes[1].title
    assert notes[0].link.endswith("/follow-ups")


def test_a_day_without_a_scheduler_delays_a_reminder_instead_of_losing_it(seed, run_job, sent):
    member = seed(lambda s: person(s))
    seed(lambda s: follow_up(s, assignee=member, due=TODAY + 2 * DAY))

    run_job(follow_up_reminders)

    [note] = sent(member)
    assert note.key.endswith(":3d")
    assert "due in 2 days" in note.title


def test_an_organisation_queue_reminds_its_acting_members_only(seed, run_job, sent):
    pta_member = seed(lambda s: person(s, org="PTA"))
    pta_secretariat = seed(lambda s: person(s, org="PTA", role=Role.SECRETARIAT))
    observer = seed(lambda s: person(s, org="PTA", role=Role.OBSERVER))
    admin = seed(lambda s: person(s, org="PTA", role=Role.ADMIN))
    former = seed(lambda s: person(s, org="PTA"))
    seed(lambda s: deactivate(s, former))
    outsider = seed(lambda s: person(s, org="MoIT"))
    seed(lambda s: follow_up(s, org="PTA", due=TODAY + DAY))

    run_job(follow_up_reminders)
    run_job(follow_up_reminders)

    assert sorted(n.user_id for n in sent()) == sorted([pta_member.id, pta_secretariat.id])
    assert not any(sent(u) for u in (observer, admin, former, outsider))


def test_closed_distant_and_overdue_follow_ups_get_no_reminder(seed, run_job, sent):
    member = seed(lambda s: person(s))
    done = seed(lambda s: follow_up(s, assignee=member, due=TODAY + DAY))
    seed(lambda s: close_follow_up(s, done))
    seed(lambda s: follow_up(s, assignee=member, due=TODAY + 4 * DAY))
    seed(lambda s: follow_up(s, assignee=member, due=TODAY - DAY))

    summary = run_job(follow_up_reminders)

    assert sent() == []
    assert summary.startswith("0 reminder(s)")


def test_no_reminder_days_configured_sends_nothing(app, monkeypatch, seed, run_job, sent):
    member = seed(lambda s: person(s))
    seed(lambda s: follow_up(s, assignee=member, due=TODAY + DAY))
    monkeypatch.setitem(app.config, "REMINDER_DAYS", [])

    assert "REMINDER_DAYS is empty" in run_job(follow_up_reminders)
    assert sent() == []


def test_the_reminder_days_are_configurable(app, monkeypatch, seed, run_job, sent):
    member = seed(lambda s: person(s))
    seed(lambda s: follow_up(s, assignee=member, due=TODAY + 7 * DAY))
    monkeypatch.setitem(app.config, "REMINDER_DAYS", [7, 2])

    run_job(follow_up_reminders)

    assert [n.key.rsplit(":", 1)[1] for n in sent(member)] == ["7d"]


def test_a_reminder_is_e_mailed_once_when_smtp_is_configured(smtp_configured, seed, run_job, outbox):
    member = seed(lambda s: person(s))
    seed(lambda s: follow_up(s, assignee=member, due=TODAY + DAY))

    run_job(follow_up_reminders)
    run_job(follow_up_reminders)

    [mail] = outbox(OutboxChannel.EMAIL)
    assert mail.recipient == member.email
    assert "due tomorrow" in mail.subject


def test_without_smtp_reminders_stay_in_app(seed, run_job, sent, outbox):
    member = seed(lambda s: person(s))
    seed(lambda s: follow_up(s, assignee=member, due=TODAY + DAY))

    run_job(follow_up_reminders)

    assert len(sent(member)) == 1
    assert outbox() == []


def test_commitment_reminders_go_to_the_focal_person_and_the_delivering_organisation(seed, run_job, sent):
    chair = seed(lambda s: make_chair(s))
    focal = seed(lambda s: person(s, role=Role.SECRETARIAT))
    seed(lambda s: appoint(s, chair=chair, user=focal))
    pta = seed(lambda s: person(s, org="PTA"))
    moit = seed(lambda s: person(s, org="MoIT"))
    company = seed(lambda s: make_company(s))
    ours = seed(lambda s: commitment(s, keeper=chair, company=company, due=TODAY + DAY, org="PTA",
                                     direction=CommitmentDirection.GOVERNMENT_TO_COMPANY))  # fmt: skip
    theirs = seed(lambda s: commitment(s, keeper=chair, company=company, due=TODAY + 3 * DAY))

    run_job(commitment_reminders)
    run_job(commitment_reminders)

    assert sorted(n.key for n in sent(focal)) == sorted(
        [f"reminder:commitment:{ours.id}:{ours.due_date.isoformat()}:1d",
         f"reminder:commitment:{theirs.id}:{theirs.due_date.isoformat()}:3d"]
    )  # fmt: skip
    assert [n.key for n in sent(pta)] == [f"reminder:commitment:{ours.id}:{ours.due_date.isoformat()}:1d"]
    assert sent(chair) == []
    assert sent(moit) == []
    note = sent(pta)[0]
    assert company.name in note.title
    assert "due tomorrow" in note.title
    assert "liaison office" not in note.title + note.body  # the promise's text never leaves Rabta
    assert note.link.endswith(f"/commitments/{ours.id}")


def test_commitment_reminders_go_to_the_chair_during_a_vacancy(seed, run_job, sent):
    chair = seed(lambda s: make_chair(s))
    company = seed(lambda s: make_company(s))
    item = seed(lambda s: commitment(s, keeper=chair, company=company, due=TODAY + DAY))

    run_job(commitment_reminders)

    assert [n.key for n in sent(chair)] == [f"reminder:commitment:{item.id}:{item.due_date.isoformat()}:1d"]


@pytest.mark.parametrize("due_in_days", [-1, 5])
def test_commitments_outside_the_window_get_no_reminder(seed, run_job, sent, due_in_days):
    chair = seed(lambda s: make_chair(s))
    company = seed(lambda s: make_company(s))
    seed(lambda s: commitment(s, keeper=chair, company=company, due=TODAY + due_in_days * DAY))

    run_job(commitment_reminders)

    assert sent() == []


@pytest.mark.parametrize("items", [2, 12])
def test_reminders_cost_the_same_queries_whatever_the_number_of_items(seed, run_job, sent, selects, items):
    chair = seed(lambda s: make_chair(s))
    company = seed(lambda s: make_company(s))

    def build(session):
        for _ in range(items):
            follow_up(session, assignee=person(session), due=TODAY + DAY)
            follow_up(session, org="PTA", due=TODAY + DAY)
            commitment(session, keeper=chair, company=company, due=TODAY + DAY, org="PTA",
                       direction=CommitmentDirection.GOVERNMENT_TO_COMPANY)  # fmt: skip

    seed(build)
    seed(lambda s: person(s, org="PTA"))

    follow_up_statements = selects(lambda: run_job(follow_up_reminders))
    commitment_statements = selects(lambda: run_job(commitment_reminders))

    assert len(sent(prefix="reminder:follow_up:")) == 2 * items
    assert len(sent(prefix="reminder:commitment:")) == 2 * items  # the chair (vacancy) and the PTA member
    assert len(follow_up_statements) == 3, follow_up_statements  # the follow-ups, assignees, queue members
    assert len(commitment_statements) == 4, commitment_statements  # commitments, focal person, members, chairs
