"""Only one active scheduler: the SQLite lease row and the PostgreSQL advisory lock.

On a database of its own (the locks commit, and a second holder needs its own connections).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import delete, select, text

from crm.audit.models import AuditEvent
from crm.db import Database, utcnow
from crm.scheduler.lock import AdvisoryLock, Keeper, LeaseLock, make_lock
from crm.scheduler.models import SchedulerLease
from tests.conftest import TEST_DATABASE_URL, is_postgres
from tests.jobs.fresh import migrated_database

LEASE = 30
postgres_only = pytest.mark.postgres_only


@pytest.fixture(scope="module")
def lock_database_url(tmp_path_factory) -> Iterator[str]:
    yield from migrated_database(tmp_path_factory.mktemp("lock"), "lock")


@pytest.fixture
def databases(lock_database_url) -> Iterator[list[Database]]:
    """Up to three independent connections pools on that database, as separate processes have."""
    opened = [Database(lock_database_url) for _ in range(3)]
    yield opened
    for database in opened:
        with database.sessionmaker() as session:
            session.execute(delete(SchedulerLease))
            session.commit()
        database.engine.dispose()


def lease_row(database: Database) -> SchedulerLease | None:
    with database.sessionmaker() as session:
        return session.get(SchedulerLease, "scheduler")


def test_a_second_holder_is_refused_while_the_lease_is_live_and_takes_over_once_it_expires(databases):
    first = LeaseLock(databases[0], holder="host-a:1:aaaa", seconds=LEASE)
    second = LeaseLock(databases[1], holder="host-b:2:bbbb", seconds=LEASE)
    start = utcnow()

    assert first.try_acquire(start)
    assert not second.try_acquire(start + timedelta(seconds=LEASE - 1))
    assert lease_row(databases[0]).holder == "host-a:1:aaaa"

    assert second.try_acquire(start + timedelta(seconds=LEASE + 1))
    row = lease_row(databases[0])
    assert (row.holder, row.expires_at) == ("host-b:2:bbbb", start + timedelta(seconds=2 * LEASE + 1))
    assert not first.renew(start + timedelta(seconds=LEASE + 2))  # the old holder learns it lost the lease


def test_renewing_keeps_the_lease_past_its_first_expiry(databases):
    holder = LeaseLock(databases[0], holder="host-a:1:aaaa", seconds=LEASE)
    standby = LeaseLock(databases[1], holder="host-b:2:bbbb", seconds=LEASE)
    start = utcnow()
    assert holder.try_acquire(start)

    assert holder.renew(start + timedelta(seconds=LEASE - 5))

    assert not standby.try_acquire(start + timedelta(seconds=LEASE + 1))
    assert lease_row(databases[0]).acquired_at == start  # a renewal is not a new acquisition


def test_releasing_lets_a_standby_in_at_once(databases):
    holder = LeaseLock(databases[0], holder="host-a:1:aaaa", seconds=LEASE)
    standby = LeaseLock(databases[1], holder="host-b:2:bbbb", seconds=LEASE)
    assert holder.try_acquire()

    holder.release()

    assert standby.try_acquire()


def test_only_one_of_many_racing_acquirers_wins(databases):
    locks = [LeaseLock(databases[i % 3], holder=f"host-{i}:{i}:race", seconds=LEASE) for i in range(6)]
    results: list[bool] = []
    barrier = threading.Barrier(len(locks))

    def race(lock: LeaseLock) -> None:
        barrier.wait()
        results.append(lock.try_acquire())

    threads = [threading.Thread(target=race, args=(lock,)) for lock in locks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(results) == [False] * 5 + [True]


def test_taking_and_giving_up_the_lease_is_audited(databases):
    holder = LeaseLock(databases[0], holder="host-a:1:aaaa", seconds=LEASE)
    with databases[0].sessionmaker() as session:
        before = session.scalar(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1)) or 0

    holder.try_acquire()
    holder.renew()
    holder.release()

    with databases[0].sessionmaker() as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.seq > before).order_by(AuditEvent.seq)).all()
    assert [(e.action, e.actor_label) for e in events] == [
        ("scheduler.lease_acquired", "scheduler"),
        ("scheduler.lease_released", "scheduler"),
    ]
    assert events[0].after == {"holder": "host-a:1:aaaa"}


def test_the_lock_suits_the_database(databases):
    lock = make_lock(databases[0], holder="h:1:x", seconds=LEASE)

    assert isinstance(lock, AdvisoryLock if is_postgres(TEST_DATABASE_URL) else LeaseLock)


def test_the_keeper_stops_the_jobs_when_the_lock_is_lost():
    class Flaky:
        holder, seconds, renewals = "h:1:x", 1.5, 0

        def renew(self) -> bool:
            self.renewals += 1
            return self.renewals < 2

    lost = threading.Event()
    keeper = Keeper(Flaky(), on_lost=lost.set)  # type: ignore[arg-type]
    keeper.start()

    assert lost.wait(timeout=10)
    keeper.stop()
    assert not keeper.is_alive()


@postgres_only
@pytest.mark.skipif(not is_postgres(TEST_DATABASE_URL), reason="needs PostgreSQL (TEST_DATABASE_URL)")
def test_the_advisory_lock_admits_one_holder_and_shows_it_in_the_lease_row(databases):
    first = AdvisoryLock(databases[0], holder="host-a:1:aaaa", seconds=LEASE)
    second = AdvisoryLock(databases[1], holder="host-b:2:bbbb", seconds=LEASE)
    try:
        assert first.try_acquire()
        assert not second.try_acquire()
        assert first.renew()
        assert lease_row(databases[2]).holder == "host-a:1:aaaa"

        first.release()

        assert second.try_acquire()
        assert lease_row(databases[2]).holder == "host-b:2:bbbb"
    finally:
        first.release()
        second.release()


@postgres_only
@pytest.mark.skipif(not is_postgres(TEST_DATABASE_URL), reason="needs PostgreSQL (TEST_DATABASE_URL)")
def test_the_server_frees_the_advisory_lock_when_the_holders_connection_dies(databases):
    first = AdvisoryLock(databases[0], holder="host-a:1:aaaa", seconds=LEASE)
    second = AdvisoryLock(databases[1], holder="host-b:2:bbbb", seconds=LEASE)
    try:
        assert first.try_acquire()
        pid = first.connection.scalar(text("SELECT pg_backend_pid()"))
        with databases[2].engine.connect() as admin:  # the holder's host vanishes
            admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})

        assert not first.renew()  # it notices, and stops running jobs
        assert second.try_acquire()  # without waiting for any lease to run out
    finally:
        first.release()
        second.release()
