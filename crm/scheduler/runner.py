"""Running jobs: once (`jobs run`, and each tick of the scheduler), and the scheduler process.

`run_job` gives each run its own app context and session: the job's writes, its health
record and its audit event commit together; a failure rolls the job back and is recorded
(with the traceback) in a transaction of its own. `serve` is `flask --app app scheduler`:
it runs jobs only while it holds the scheduler lock (crm/scheduler/lock.py), waits as a
standby otherwise, and lets go of the lock on SIGTERM or SIGINT.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
import time
import traceback
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from apscheduler.events import EVENT_SCHEDULER_STARTED
from apscheduler.schedulers.base import SchedulerNotRunningError
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask

from crm.db import Database, get_session, utcnow, write_intent
from crm.formatting import KARACHI
from crm.scheduler import services
from crm.scheduler.lock import Keeper, make_lock, process_identity
from crm.scheduler.registry import JOBS, JobSpec, get_job

log = logging.getLogger(__name__)

# A tick missed by up to this much (a busy process, a suspended laptop) still runs, once.
MISFIRE_GRACE_SECONDS = 3600


@dataclass(frozen=True)
class RunOutcome:
    """What one run did: its summary, or the error that stopped it."""

    job_id: str
    ok: bool
    summary: str = ""
    error: str = ""


def run_job(app: Flask, job_id: str, now: datetime | None = None, *, ran_by: str = "") -> RunOutcome:
    """Run one job once, now (or at the given `now`). Raises UnknownJob for an unknown id."""
    spec = get_job(job_id)
    now = now or utcnow()
    ran_by = ran_by or f"cli:{process_identity()}"
    started = time.monotonic()
    with app.app_context(), write_intent():
        session = get_session()
        services.record_job_start(session, job_id=job_id, now=now)
        session.commit()
        try:
            summary = spec.load()(session, now)
            finished = now + timedelta(seconds=time.monotonic() - started)
            services.record_job_success(session, job_id=job_id, now=finished, summary=summary, ran_by=ran_by,
                                        audited=not spec.quiet)  # fmt: skip
            session.commit()
        except Exception:  # a job's failure is recorded, never allowed to stop the scheduler
            session.rollback()
            error = traceback.format_exc()
            _record_failure(session, spec, now + timedelta(seconds=time.monotonic() - started), error, ran_by)
            return RunOutcome(job_id, False, error=error)
    log.log(logging.DEBUG if spec.quiet else logging.INFO, "%s: %s", job_id, summary)
    return RunOutcome(job_id, True, summary=summary)


def _record_failure(session: Any, spec: JobSpec, finished: datetime, error: str, ran_by: str) -> None:
    log.error("%s failed:\n%s", spec.id, error)
    try:
        services.record_job_failure(session, job_id=spec.id, now=finished, error=error, ran_by=ran_by)
        session.commit()
    except Exception:  # the database itself is failing: the log is all we have
        session.rollback()
        log.exception("Could not record the failure of %s", spec.id)


def build_scheduler(app: Flask, *, ran_by: str, interval_seconds: int | None = None) -> BlockingScheduler:
    """An APScheduler with every registered job; `interval_seconds` (tests) runs each that often."""
    scheduler = BlockingScheduler(
        timezone=KARACHI,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": MISFIRE_GRACE_SECONDS},
    )
    for spec in JOBS:
        trigger = IntervalTrigger(seconds=interval_seconds) if interval_seconds else spec.schedule.trigger(app.config)
        first: dict[str, Any] = {"next_run_time": datetime.now(KARACHI)} if spec.at_start or interval_seconds else {}
        scheduler.add_job(run_job, trigger, args=(app, spec.id), kwargs={"ran_by": ran_by}, id=spec.id,
                          name=spec.id, **first)  # fmt: skip
    return scheduler


STOPPER_POLL_SECONDS = 0.2  # how soon a SIGTERM is acted on


class SchedulerProcess:
    """Standby until the lock is ours, then run the jobs until stopped or the lock is lost."""

    def __init__(self, app: Flask, *, interval_seconds: int | None = None) -> None:
        database: Database = app.extensions["rabta.db"]
        self.app, self.interval_seconds = app, interval_seconds
        self.lock = make_lock(database, holder=process_identity(), seconds=int(app.config["SCHEDULER_LEASE_SECONDS"]))
        self.retry_seconds = max(self.lock.seconds / 3, 0.5)
        self.stopping = threading.Event()
        self.halted = threading.Event()  # this holding must end (signal or lost lock)
        self.signalled: int | None = None  # set by the signal handler, acted on by the stopper thread
        self.scheduler: BlockingScheduler | None = None

    def serve(self) -> None:
        """Loop until SIGTERM/SIGINT: acquire the lock (or wait), run the jobs, release the lock."""
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self._on_signal)
        threading.Thread(target=self._stopper, name="scheduler-stopper", daemon=True).start()
        log.info("Scheduler %s starting (%s)", self.lock.holder, type(self.lock).__name__)
        standby_logged = False
        while not self.stopping.is_set():
            if not self._try_acquire():
                if not standby_logged:
                    log.info("Standby: another scheduler holds the lock; retrying every %.0f s", self.retry_seconds)
                    standby_logged = True
                self.stopping.wait(self.retry_seconds)
                continue
            standby_logged = False
            self._run_while_holding()
        log.info("Scheduler %s stopped", self.lock.holder)

    def _try_acquire(self) -> bool:
        try:
            return self.lock.try_acquire()
        except Exception:  # the database is unreachable: stay a standby and retry
            log.exception("Could not reach the database for the scheduler lock")
            return False

    def _run_while_holding(self) -> None:
        keeper = Keeper(self.lock, on_lost=self._stop_scheduler)
        try:
            if self.stopping.is_set():
                return
            self.halted.clear()
            self.scheduler = build_scheduler(self.app, ran_by=self.lock.holder, interval_seconds=self.interval_seconds)
            # A signal or a lost lock while start() is still setting up finds the scheduler not
            # running yet, so its shutdown does nothing: once running, it stops itself instead.
            self.scheduler.add_listener(self._halt_if_asked, EVENT_SCHEDULER_STARTED)
            keeper.start()
            log.info("Active: holding the scheduler lock as %s", self.lock.holder)
            if not self.stopping.is_set():  # a signal between the two steps found nothing to stop
                self.scheduler.start()  # blocks until shut down (signal, or the lock lost)
        finally:
            keeper.stop()
            self.scheduler = None
            self.lock.release()

    def _halt_if_asked(self, _event: Any) -> None:
        if self.halted.is_set() and self.scheduler is not None:
            self.scheduler.shutdown(wait=False)

    def _stop_scheduler(self, wait: bool = False) -> None:
        self.halted.set()
        scheduler = self.scheduler
        if scheduler is not None:
            with contextlib.suppress(SchedulerNotRunningError):  # stopped already (signal and lock loss)
                scheduler.shutdown(wait=wait)

    def _on_signal(self, signum: int, _frame: Any) -> None:
        # Only a plain assignment: the handler runs on the main thread between any two of its
        # instructions, maybe while it holds the logging lock, which a job's thread then waits
        # for while the handler waits for the job (a deadlock CI found). The stopper acts.
        self.signalled = signum

    def _stopper(self) -> None:
        while self.signalled is None:
            time.sleep(STOPPER_POLL_SECONDS)
        log.info("Signal %s: finishing running jobs, then releasing the lock", signal.Signals(self.signalled).name)
        self.stopping.set()
        self._stop_scheduler(wait=True)
