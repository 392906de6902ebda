"""Two real scheduler processes (`flask --app app scheduler`) against one database: only the
lock holder runs jobs, nothing is sent twice, and the standby takes over when the holder is
killed. PostgreSQL: the advisory lock; SQLite: the lease row (taken over once it expires).

Bounded in time (every wait has a deadline) and the processes are always killed at the end.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select, text, update

from crm import ROOT
from crm.accounts.models import Role
from crm.audit.models import AuditEvent
from crm.db import get_session, utcnow
from crm.formatting import local
from crm.notifications.models import Notification
from crm.scheduler.lock import ADVISORY_KEY
from crm.scheduler.models import JobRun, SchedulerLease
from crm.scheduler.registry import JOBS
from tests.channel.factories import make_company
from tests.conftest import TEST_DATABASE_URL, is_postgres, make_app
from tests.jobs.factories import commitment, follow_up, person
from tests.jobs.fresh import migrated_database

LEASE_SECONDS, TICK_SECONDS, DEADLINE = 3, 1, 45
AUDITED_JOBS = {job.id for job in JOBS if not job.quiet}


@pytest.fixture(scope="module")
def shared_url(tmp_path_factory) -> Iterator[str]:
    yield from migrated_database(tmp_path_factory.mktemp("schedulers"), "schedulers")


@pytest.fixture
def observer_app(shared_url) -> Iterator[Flask]:
    """The test's own view of the shared database (as another app host would have)."""
    app = make_app(shared_url)
    yield app
    app.extensions["rabta.db"].engine.dispose()


@pytest.fixture
def start_scheduler(shared_url, tmp_path) -> Iterator[Callable[[str], tuple[subprocess.Popen[bytes], Path]]]:
    processes: list[subprocess.Popen[bytes]] = []
    env = {**os.environ, "DATABASE_URL": shared_url, "RABTA_ENV": "test", "PYTHONUNBUFFERED": "1",
           "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789", "SMTP_HOST": "", "WEBHOOK_URLS": "",
           "SCHEDULER_LEASE_SECONDS": str(LEASE_SECONDS),
           "SCHEDULER_TEST_INTERVAL_SECONDS": str(TICK_SECONDS)}  # fmt: skip

    def start(name: str) -> tuple[subprocess.Popen[bytes], Path]:
        log = tmp_path / f"{name}.log"
        with log.open("wb") as output:
            process = subprocess.Popen(
                [sys.executable, "-m", "flask", "--app", "app", "scheduler"],
                cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        processes.append(process)
        return process, log

    yield start
    for process in processes:  # whatever happened, no scheduler outlives the test
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)


def stopped(process: subprocess.Popen[bytes], log: Path, timeout: float = 20) -> int:
    """The exit code of a scheduler told to stop; its log in the failure if it does not."""
    try:
        return process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"the scheduler did not stop in {timeout:.0f} s; its log:\n{log.read_text()}") from None


def wait_for(condition: Callable[[], object], what: str, timeout: float = DEADLINE) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.25)


def runs_by(app: Flask, process: subprocess.Popen[bytes]) -> Counter[str]:
    """How many audited job runs each job had in `process` (its pid is in the holder id)."""
    with app.app_context():
        events = get_session().scalars(select(AuditEvent).where(AuditEvent.action == "job.run")).all()
    return Counter(e.target_id for e in events if f":{process.pid}:" in e.after.get("ran_by", ""))


def keys_of(app: Flask, user_id: int) -> list[str]:
    with app.app_context():
        return list(get_session().scalars(select(Notification.key).where(Notification.user_id == user_id)))


def seed_work(app: Flask) -> tuple[int, int]:
    """A follow-up due tomorrow (a reminder) and a commitment due yesterday (an escalation)."""
    today = local(utcnow()).date()
    with app.app_context():
        session = get_session()
        chair = person(session, role=Role.CHAIR, org="NSD", email=False)
        member = person(session, email=False)
        follow_up(session, assignee=member, due=today + timedelta(days=1))
        commitment(session, keeper=chair, company=make_company(session), due=today - timedelta(days=1))
        session.commit()
        return chair.id, member.id


def test_two_schedulers_run_each_job_once_and_the_standby_takes_over(observer_app, start_scheduler):
    chair_id, member_id = seed_work(observer_app)
    first, first_log = start_scheduler("first")
    wait_for(lambda: set(runs_by(observer_app, first)) == AUDITED_JOBS, "the first scheduler to run every job")

    second, second_log = start_scheduler("second")
    wait_for(lambda: "Standby" in second_log.read_text(), "the second scheduler to wait as a standby")
    before = runs_by(observer_app, first)
    time.sleep(4 * TICK_SECONDS)
    after = runs_by(observer_app, first)

    assert runs_by(observer_app, second) == Counter()  # only the lock holder runs jobs
    for job in AUDITED_JOBS:  # once per tick: 4 ticks give about 4 runs, never twice as many
        assert 2 <= after[job] - before[job] <= 6, (job, before, after)
    assert len([k for k in keys_of(observer_app, member_id) if k.startswith("reminder:")]) == 1
    assert len([k for k in keys_of(observer_app, chair_id) if k.startswith("escalation:")]) == 1

    first.send_signal(signal.SIGKILL)  # the holder dies without a word
    first.wait(timeout=10)
    wait_for(lambda: set(runs_by(observer_app, second)) == AUDITED_JOBS, "the standby to take over")
    time.sleep(2 * TICK_SECONDS)

    assert "Active: holding the scheduler lock" in second_log.read_text()
    with observer_app.app_context():
        session = get_session()
        assert f":{second.pid}:" in session.get(SchedulerLease, "scheduler").holder
        assert session.get(JobRun, "deliver_outbox").run_count >= 2  # the quiet job runs too
    assert len([k for k in keys_of(observer_app, member_id) if k.startswith("reminder:")]) == 1
    assert len([k for k in keys_of(observer_app, chair_id) if k.startswith("escalation:")]) == 1

    second.send_signal(signal.SIGTERM)
    assert second.wait(timeout=20) == 0
    assert "stopped" in second_log.read_text()
    with observer_app.app_context():
        assert get_session().get(SchedulerLease, "scheduler", populate_existing=True) is None  # released
    assert "Traceback" not in first_log.read_text() + second_log.read_text()


def _take_the_lock_away(app: Flask) -> None:
    """What a holder may suffer: its lock connection killed (PostgreSQL), or its lease taken
    over while it stalled (SQLite: the row given to another holder for a few seconds)."""
    with app.app_context():
        session = get_session()
        if is_postgres(TEST_DATABASE_URL):
            session.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted"
                     " AND objid::bigint = :objid"), {"objid": ADVISORY_KEY & 0xFFFFFFFF},
            )  # fmt: skip
        else:
            session.execute(
                update(SchedulerLease)
                .where(SchedulerLease.name == "scheduler")
                .values(holder="intruder:1:0000", expires_at=utcnow() + timedelta(seconds=LEASE_SECONDS))
            )
        session.commit()


def test_a_scheduler_that_loses_the_lock_stops_its_jobs_then_waits_as_a_standby(observer_app, start_scheduler):
    process, log = start_scheduler("only")
    wait_for(lambda: "Active: holding" in log.read_text(), "the scheduler to become active")

    _take_the_lock_away(observer_app)

    wait_for(lambda: "Scheduler lock lost" in log.read_text(), "the scheduler to notice the lost lock")
    wait_for(lambda: log.read_text().count("Active: holding") == 2, "the scheduler to take the free lock again")
    assert process.poll() is None
    process.send_signal(signal.SIGTERM)
    assert stopped(process, log) == 0
