"""Stopping the scheduler process reliably (issue 8, found by CI under load).

SIGTERM, or a lost lock, may arrive while APScheduler's start() is still setting up: its
shutdown then finds nothing running and does nothing, and start() went on to block for
good. The scheduler now stops itself as soon as it runs. And the signal handler no longer
shuts down itself: it may interrupt the main thread while that holds the logging lock, which
a job's thread then waits for while the handler waits for the job.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from apscheduler.schedulers.blocking import BlockingScheduler

from crm.scheduler import runner
from crm.scheduler.runner import SchedulerProcess
from tests.conftest import make_app
from tests.jobs.fresh import migrated_database


@pytest.fixture(scope="module")
def database_url(tmp_path_factory) -> Iterator[str]:
    yield from migrated_database(tmp_path_factory.mktemp("runner"), "runner")


@pytest.mark.parametrize("cause", ["signal", "lost lock"])
def test_a_stop_during_start_ends_the_holding_instead_of_blocking(database_url, monkeypatch, cause):
    app = make_app(database_url)
    process = SchedulerProcess(app, interval_seconds=3600)
    real_build = runner.build_scheduler

    def build_interrupted(*args: Any, **kwargs: Any) -> BlockingScheduler:
        scheduler = real_build(*args, **kwargs)

        class Interrupted(type(scheduler)):  # type: ignore[misc]
            def start(self, *a: Any, **k: Any) -> None:
                if cause == "signal":  # what the SIGTERM handler does, as start() begins
                    process.stopping.set()
                    process._stop_scheduler(wait=True)
                else:
                    process._stop_scheduler()  # what the lock keeper does when the lease is gone
                super().start(*a, **k)

        scheduler.__class__ = Interrupted
        return scheduler

    monkeypatch.setattr(runner, "build_scheduler", build_interrupted)
    assert process.lock.try_acquire()
    holding = threading.Thread(target=process._run_while_holding, daemon=True)

    holding.start()
    holding.join(timeout=15)

    assert not holding.is_alive(), "the scheduler kept running after being stopped"
    assert process.scheduler is None
    app.extensions["rabta.db"].engine.dispose()


def test_a_signal_is_acted_on_by_the_stopper_thread_not_inside_the_handler(database_url):
    """The handler only records the signal (it may interrupt the main thread while that holds
    the logging lock a job needs); the stopper thread shuts the scheduler down."""
    app = make_app(database_url)
    process = SchedulerProcess(app, interval_seconds=3600)
    assert process.lock.try_acquire()
    holding = threading.Thread(target=process._run_while_holding, daemon=True)
    holding.start()
    deadline = time.monotonic() + 10
    while (process.scheduler is None or not process.scheduler.running) and time.monotonic() < deadline:
        time.sleep(0.05)
    threading.Thread(target=process._stopper, daemon=True).start()

    process._on_signal(signal.SIGTERM, None)
    holding.join(timeout=15)

    assert not holding.is_alive()
    assert process.stopping.is_set()
    app.extensions["rabta.db"].engine.dispose()
