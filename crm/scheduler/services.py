"""Scheduler writes: each job run's health record, and the scheduler lease.

The caller (crm/scheduler/runner.py, crm/scheduler/lock.py) owns the transactions. Rows are
written with single conditional statements, so a manual `jobs run` racing the scheduler, or
two schedulers racing for the lease, never fail on a duplicate key and never both win.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from crm.audit.services import Target, record
from crm.scheduler.models import JobRun, SchedulerLease

ERROR_MAX = 4000
RESULT_MAX = 500
SCHEDULER_LEASE = "scheduler"
LEASE_TARGET = Target("scheduler_leases", SCHEDULER_LEASE)


def _insert_missing(session: Session, table: Any, values: dict[str, Any], key: str) -> None:
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    session.execute(insert(table).values(**values).on_conflict_do_nothing(index_elements=[key]))


def _update_run(session: Session, job_id: str, **values: Any) -> None:
    _insert_missing(session, JobRun.__table__, {"job_id": job_id, "last_error": "", "last_result": "",
                                                "run_count": 0, "error_count": 0}, "job_id")  # fmt: skip
    session.execute(
        update(JobRun).where(JobRun.job_id == job_id).values(**values).execution_options(synchronize_session=False)
    )


def record_job_start(session: Session, *, job_id: str, now: datetime) -> None:
    """Note that `job_id` started at `now` (its health row is created on the first run)."""
    _update_run(session, job_id, last_started_at=now)


def record_job_success(
    session: Session, *, job_id: str, now: datetime, summary: str, ran_by: str, audited: bool = True
) -> None:
    """A run finished: count it, keep its summary, and audit it (R8) unless the job is quiet.

    Called in the job's own transaction, so the record and the job's writes commit together.
    """
    _update_run(session, job_id, last_finished_at=now, last_ok_at=now, last_result=summary[:RESULT_MAX],
                run_count=JobRun.run_count + 1)  # fmt: skip
    if audited:
        record(session, actor=None, action="job.run", target=Target("jobs", job_id), actor_label="scheduler",
               after={"summary": summary[:RESULT_MAX], "now": now, "ran_by": ran_by})  # fmt: skip


def record_job_failure(session: Session, *, job_id: str, now: datetime, error: str, ran_by: str) -> None:
    """A run failed (its own writes were rolled back): count it and keep the error text, audited."""
    _update_run(session, job_id, last_finished_at=now, last_error=error[-ERROR_MAX:],
                run_count=JobRun.run_count + 1, error_count=JobRun.error_count + 1)  # fmt: skip
    last_line = error.strip().splitlines()[-1][:RESULT_MAX] if error.strip() else ""
    record(session, actor=None, action="job.failed", target=Target("jobs", job_id), actor_label="scheduler",
           after={"error": last_line, "ran_by": ran_by})  # fmt: skip


def acquire_lease(session: Session, *, holder: str, now: datetime, seconds: int, force: bool = False) -> bool:
    """Take the scheduler lease for `holder` if it is free, expired or already theirs.

    One conditional UPDATE, then an INSERT that does nothing if the row exists: whichever
    writer the database serialises first wins, the other matches no row. With `force` the
    lease is taken whatever its state (PostgreSQL, where the advisory lock already decided).
    Audited when the lease changes hands; renewals are not.
    """
    expires = now + timedelta(seconds=seconds)
    current = session.scalar(select(SchedulerLease.holder).where(SchedulerLease.name == SCHEDULER_LEASE))
    condition = SchedulerLease.name == SCHEDULER_LEASE
    if not force:
        condition = condition & ((SchedulerLease.holder == holder) | (SchedulerLease.expires_at < now))
    values = {"holder": holder, "expires_at": expires} | ({} if current == holder else {"acquired_at": now})
    session.execute(
        update(SchedulerLease).where(condition).values(**values).execution_options(synchronize_session=False)
    )
    _insert_missing(session, SchedulerLease.__table__, {"name": SCHEDULER_LEASE, "holder": holder, "acquired_at": now,
                                                        "expires_at": expires}, "name")  # fmt: skip
    won = session.scalar(select(SchedulerLease.holder).where(SchedulerLease.name == SCHEDULER_LEASE)) == holder
    if won and current != holder:
        record(session, actor=None, action="scheduler.lease_acquired", target=LEASE_TARGET,
               actor_label="scheduler", before={"holder": current}, after={"holder": holder})  # fmt: skip
    return won


def renew_lease(session: Session, *, holder: str, now: datetime, seconds: int) -> bool:
    """Extend the holder's lease; False if it is no longer theirs (it expired and was taken)."""
    result = session.execute(
        update(SchedulerLease)
        .where(SchedulerLease.name == SCHEDULER_LEASE, SchedulerLease.holder == holder)
        .values(expires_at=now + timedelta(seconds=seconds))
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0) == 1


def release_lease(session: Session, *, holder: str) -> bool:
    """Give the lease up (a standby may take it at once); False if it was not the holder's."""
    result = session.execute(
        delete(SchedulerLease)
        .where(SchedulerLease.name == SCHEDULER_LEASE, SchedulerLease.holder == holder)
        .execution_options(synchronize_session=False)
    )
    released = int(getattr(result, "rowcount", 0) or 0) == 1
    if released:
        record(session, actor=None, action="scheduler.lease_released", target=LEASE_TARGET,
               actor_label="scheduler", before={"holder": holder})  # fmt: skip
    return released
