"""`flask --app app jobs list` / `jobs run JOB_ID`, and the issue's "Done means"."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

import crm.followups.jobs
from crm.accounts.models import Role
from crm.audit.models import AuditEvent
from crm.db import get_session
from crm.notifications.models import Notification, NotificationKind, OutboxChannel
from crm.notifications.services import notify
from crm.scheduler.models import JobRun
from crm.scheduler.registry import JOBS
from tests.channel.factories import make_company
from tests.conftest import make_app
from tests.jobs.conftest import NOW, TODAY
from tests.jobs.factories import commitment, person

NOW_ISO = NOW.isoformat()


def run_every_job_twice(runner) -> list[str]:
    ids = runner.invoke(args=["jobs", "list"]).output.split()
    for _ in range(2):
        for job_id in ids:
            result = runner.invoke(args=["jobs", "run", job_id, "--now", NOW_ISO])
            assert result.exit_code == 0, result.output + repr(result.exception)
    return ids


@pytest.mark.usefixtures("smtp_configured")
def test_done_means_one_escalation_for_a_commitment_due_yesterday(runner, seed, sent, outbox):
    chair = seed(lambda s: person(s, role=Role.CHAIR, org="NSD"))
    company = seed(lambda s: make_company(s))
    item = seed(lambda s: commitment(s, keeper=chair, company=company, due=TODAY - timedelta(days=1)))

    ids = run_every_job_twice(runner)

    assert set(ids) == {job.id for job in JOBS}
    [escalation] = [n for n in sent(chair) if n.kind is NotificationKind.ESCALATION]
    assert escalation.key == f"escalation:commitment:{item.id}:{item.due_date.isoformat()}"
    mails = [m for m in outbox(OutboxChannel.EMAIL) if m.key.startswith(f"email:{chair.id}:escalation:")]
    assert [m.recipient for m in mails] == [chair.email]


def test_done_means_in_app_only_without_smtp(runner, seed, sent, outbox):
    chair = seed(lambda s: person(s, role=Role.CHAIR, org="NSD"))
    company = seed(lambda s: make_company(s))
    seed(lambda s: commitment(s, keeper=chair, company=company, due=TODAY - timedelta(days=1)))

    run_every_job_twice(runner)

    assert len([n for n in sent(chair) if n.kind is NotificationKind.ESCALATION]) == 1
    assert outbox(OutboxChannel.EMAIL) == []


def test_jobs_list_prints_one_job_id_a_line(runner):
    result = runner.invoke(args=["jobs", "list"])

    assert result.exit_code == 0
    assert result.output == "".join(f"{job.id}\n" for job in JOBS)
    assert "overdue_escalation\n" in result.output


def test_an_unknown_job_is_refused_with_exit_code_2_and_writes_nothing(runner, app, audit_count):
    before = audit_count()

    result = runner.invoke(args=["jobs", "run", "send_everything"])

    assert result.exit_code == 2
    assert "no job 'send_everything'" in result.output
    assert "jobs list" in result.output
    assert audit_count() == before
    with app.app_context():
        assert get_session().scalars(select(JobRun)).all() == []


def test_a_bad_now_is_refused_with_exit_code_2(runner):
    assert runner.invoke(args=["jobs", "run", "daily_digest", "--now", "yesterday"]).exit_code == 2
    assert runner.invoke(args=["jobs", "run", "daily_digest", "--now", "2026-03-05T09:00"]).exit_code == 2


def test_a_run_is_recorded_and_audited(runner, app):
    result = runner.invoke(args=["jobs", "run", "audit_verify", "--now", NOW_ISO])

    assert result.exit_code == 0
    assert result.output.startswith("audit_verify: audit chain intact")
    with app.app_context():
        session = get_session()
        run = session.get(JobRun, "audit_verify")
        event = session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).one()
    assert (run.run_count, run.error_count, run.last_error) == (1, 0, "")
    assert run.last_started_at == NOW
    assert run.last_ok_at is not None
    assert run.last_result.startswith("audit chain intact")
    assert (event.action, event.target_id, event.actor_label) == ("job.run", "audit_verify", "scheduler")
    assert event.after["ran_by"].startswith("cli:")


def test_a_failing_job_is_rolled_back_recorded_and_exits_1(runner, app, seed, sent, monkeypatch):
    member = seed(lambda s: person(s))

    def half_done_then_broken(session, now):
        notify(session, user=member, key="half-done", kind=NotificationKind.REMINDER, title="x", now=now)
        raise RuntimeError("the mail relay caught fire")

    monkeypatch.setattr(crm.followups.jobs, "follow_up_reminders", half_done_then_broken)

    result = runner.invoke(args=["jobs", "run", "follow_up_reminders"])

    assert result.exit_code == 1
    assert "RuntimeError: the mail relay caught fire" in result.output
    assert sent(member) == []  # its writes were rolled back
    with app.app_context():
        session = get_session()
        run = session.get(JobRun, "follow_up_reminders")
        event = session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).one()
    assert (run.run_count, run.error_count, run.last_ok_at) == (1, 1, None)
    assert "Traceback" in run.last_error
    assert "caught fire" in run.last_error
    assert (event.action, event.after["error"]) == ("job.failed", "RuntimeError: the mail relay caught fire")


def test_the_outbox_job_is_recorded_but_not_audited(runner, app, audit_count):
    before = audit_count()

    assert runner.invoke(args=["jobs", "run", "deliver_outbox"]).exit_code == 0

    assert audit_count() == before
    with app.app_context():
        assert get_session().get(JobRun, "deliver_outbox").run_count == 1


def test_creating_the_app_starts_no_scheduler(database_url):
    before = {t.name for t in threading.enumerate()}

    app = make_app(database_url)

    assert {t.name for t in threading.enumerate()} == before
    assert "scheduler" in app.cli.commands  # the command exists; nothing runs it in a web worker
    app.extensions["rabta.db"].engine.dispose()


def test_notifications_of_one_key_are_unique_per_user(seed, app):
    """The guarantee the jobs build on: the database keeps one notification per (user, key)."""
    member = seed(lambda s: person(s))
    for _ in range(2):
        seed(lambda s: notify(s, user=member, key="k", kind=NotificationKind.REMINDER, title="t", now=NOW))
    with app.app_context():
        assert len(get_session().scalars(select(Notification).where(Notification.user_id == member.id)).all()) == 1
