"""Overdue escalation to the chair (R9): once per item and due date, in-app, e-mail, webhook."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from crm.accounts.models import Role
from crm.commitments.jobs import overdue_escalation
from crm.commitments.models import Commitment, CommitmentStatus
from crm.followups.models import FollowUp
from crm.notifications.models import NotificationKind, OutboxChannel
from crm.scheduler.jobkit import ESCALATION_LOOKBACK_DAYS
from tests.channel.factories import make_chair, make_company
from tests.jobs.conftest import NOW, TODAY
from tests.jobs.factories import commitment, deactivate, follow_up, person

DAY = timedelta(days=1)


def _overdue_commitment(seed, *, days: int = 1):
    chair = seed(lambda s: person(s, role=Role.CHAIR, org="NSD"))
    company = seed(lambda s: make_company(s))
    item = seed(lambda s: commitment(s, keeper=chair, company=company, due=TODAY - days * DAY))
    return chair, company, item


def test_an_overdue_commitment_is_escalated_to_the_chair_once(seed, run_job, sent):
    chair, company, item = _overdue_commitment(seed)

    first = run_job(overdue_escalation)
    run_job(overdue_escalation)
    run_job(overdue_escalation, NOW + DAY)

    [note] = sent(chair)
    assert note.key == f"escalation:commitment:{item.id}:{item.due_date.isoformat()}"
    assert note.kind is NotificationKind.ESCALATION
    assert company.name in note.title
    assert "04-03-2026" in note.title
    assert "liaison office" not in note.title + note.body
    assert "escalated 1 commitment(s)" in first


def test_every_active_chair_is_told_and_nobody_else(seed, run_job, sent):
    chair, _, _ = _overdue_commitment(seed)
    second_chair = seed(lambda s: make_chair(s))
    former_chair = seed(lambda s: make_chair(s))
    seed(lambda s: deactivate(s, former_chair))
    member = seed(lambda s: person(s))
    admin = seed(lambda s: person(s, role=Role.ADMIN))

    run_job(overdue_escalation)

    assert len(sent(chair)) == len(sent(second_chair)) == 1
    assert sent(former_chair) == sent(member) == sent(admin) == []


def test_an_overdue_follow_up_is_escalated_naming_its_owner(seed, run_job, sent):
    chair = seed(lambda s: make_chair(s))
    member = seed(lambda s: person(s))
    mine = seed(lambda s: follow_up(s, assignee=member, due=TODAY - 2 * DAY))
    queued = seed(lambda s: follow_up(s, org="PTA", due=TODAY - DAY))

    run_job(overdue_escalation)
    run_job(overdue_escalation)

    notes = {n.key: n for n in sent(chair)}
    assert set(notes) == {
        f"escalation:follow_up:{mine.id}:{mine.due_date.isoformat()}",
        f"escalation:follow_up:{queued.id}:{queued.due_date.isoformat()}",
    }
    assert member.full_name in notes[f"escalation:follow_up:{mine.id}:{mine.due_date.isoformat()}"].body
    assert "the PTA queue" in notes[f"escalation:follow_up:{queued.id}:{queued.due_date.isoformat()}"].body
    assert sent(member) == []


def test_a_new_due_date_is_escalated_again_when_it_passes(seed, run_job, sent):
    chair, _, item = _overdue_commitment(seed)
    run_job(overdue_escalation)
    new_due = TODAY + DAY
    seed(lambda s: s.execute(update(Commitment).where(Commitment.id == item.id).values(due_date=new_due)))

    run_job(overdue_escalation)  # not overdue any more
    assert len(sent(chair)) == 1
    run_job(overdue_escalation, NOW + 2 * DAY)  # overdue again, on its new date

    assert [n.key.rsplit(":", 1)[1] for n in sent(chair)] == [item.due_date.isoformat(), new_due.isoformat()]


def test_items_due_today_closed_or_long_overdue_are_not_escalated(seed, run_job, sent):
    chair, company, _ = _overdue_commitment(seed, days=ESCALATION_LOOKBACK_DAYS + 1)
    seed(lambda s: commitment(s, keeper=chair, company=company, due=TODAY))
    closed = seed(lambda s: commitment(s, keeper=chair, company=company, due=TODAY - DAY))
    seed(lambda s: s.execute(update(Commitment).where(Commitment.id == closed.id)
                             .values(status=CommitmentStatus.FULFILLED)))  # fmt: skip
    done = seed(lambda s: follow_up(s, assignee=chair, due=TODAY - DAY))
    seed(lambda s: s.execute(update(FollowUp).where(FollowUp.id == done.id).values(status="done")))

    assert "escalated 0 commitment(s) and 0 follow-up(s)" in run_job(overdue_escalation)
    assert sent() == []


def test_escalations_are_e_mailed_once_when_smtp_is_configured(smtp_configured, seed, run_job, outbox):
    chair, _, item = _overdue_commitment(seed)
    no_address = seed(lambda s: make_chair(s))  # a chair without an e-mail address: in-app only

    run_job(overdue_escalation)
    run_job(overdue_escalation)

    [mail] = outbox(OutboxChannel.EMAIL)
    assert (mail.recipient, mail.key) == (chair.email, f"email:{chair.id}:escalation:commitment:{item.id}:2026-03-04")
    assert "liaison office" not in mail.subject + mail.body
    assert f"/commitments/{item.id}" in mail.body
    assert no_address.email == ""


def test_escalations_raise_one_webhook_event_per_item(webhooks_configured, seed, run_job, outbox):
    _, _, item = _overdue_commitment(seed)

    run_job(overdue_escalation)
    run_job(overdue_escalation)

    [hook] = outbox(OutboxChannel.WEBHOOK)
    assert hook.recipient == webhooks_configured[0]
    assert hook.payload["event"] == "overdue"
    assert hook.payload["data"]["type"] == "commitment"
    assert hook.payload["data"]["id"] == item.id
    assert hook.payload["data"]["due_date"] == "2026-03-04"
    assert "liaison office" not in str(hook.payload)


def test_without_webhooks_configured_nothing_is_queued(seed, run_job, outbox):
    _overdue_commitment(seed)

    run_job(overdue_escalation)

    assert outbox() == []


@pytest.mark.parametrize("items", [2, 12])
def test_escalation_costs_the_same_queries_whatever_the_number_of_items(seed, run_job, sent, selects, items):
    chair, company, _ = _overdue_commitment(seed)

    def build(session):
        for _ in range(items):
            commitment(session, keeper=chair, company=company, due=TODAY - DAY)
            follow_up(session, assignee=person(session), due=TODAY - DAY)
            follow_up(session, org="PTA", due=TODAY - DAY)

    seed(build)

    statements = selects(lambda: run_job(overdue_escalation))

    assert len(sent(chair)) == 1 + 3 * items
    # Commitments and their chairs; follow-ups, their chairs, assignee and queue names.
    assert len(statements) == 6, statements
