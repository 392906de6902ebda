"""Only one active scheduler: a database lock every scheduler process must hold to run jobs.

PostgreSQL: a session-level advisory lock held on a dedicated connection for the life of
the process. The server releases it the moment that connection dies (a killed process, a
lost host), so a standby takes over within one retry interval. The `scheduler_leases` row
is written as well, only so the admin's health page can say who holds the lock.

SQLite: a lease row. It is taken with one conditional write in a `BEGIN IMMEDIATE`
transaction, renewed every third of its length, and taken over only once it has expired,
so a dead holder's lease runs out within SCHEDULER_LEASE_SECONDS.

Either way jobs are idempotent (unique notification keys): the lock keeps the work from
being done twice, not the messages from being sent twice.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol, TypeVar

from sqlalchemy import Connection, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from crm.db import Database, utcnow, write_intent
from crm.scheduler import services

log = logging.getLogger(__name__)

# The advisory lock's key: "rabtasch" as a signed 64-bit integer (fits: the first byte < 0x80).
ADVISORY_KEY = int.from_bytes(b"rabtasch", "big")
T = TypeVar("T")


def process_identity() -> str:
    """hostname:pid:random — unique even when a pid is reused on another host or later."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class SchedulerLock(Protocol):
    holder: str
    seconds: int

    def try_acquire(self, now: datetime | None = None) -> bool: ...

    def renew(self, now: datetime | None = None) -> bool: ...

    def release(self) -> None: ...


class LeaseLock:
    """The lease row (SQLite); also used by AdvisoryLock to show the holder."""

    def __init__(self, database: Database, *, holder: str, seconds: int) -> None:
        self.database, self.holder, self.seconds = database, holder, seconds
        self.valid_until: datetime | None = None

    def _write(self, work: Callable[[Session], T]) -> T:
        # Short transactions of their own, taking SQLite's write lock up front.
        with write_intent(), self.database.sessionmaker() as session:
            result = work(session)
            session.commit()
            return result

    def try_acquire(self, now: datetime | None = None, *, force: bool = False) -> bool:
        """Take the lease if free, expired or ours; True if we hold it now."""
        now = now or utcnow()
        won = self._write(
            lambda s: services.acquire_lease(s, holder=self.holder, now=now, seconds=self.seconds, force=force)
        )
        self.valid_until = now + timedelta(seconds=self.seconds) if won else None
        return won

    def renew(self, now: datetime | None = None) -> bool:
        """Extend the lease; False once it is lost. A failed write (database busy) is not a
        loss while the lease we hold has not yet run out: the next renewal retries."""
        now = now or utcnow()
        try:
            renewed = self._write(lambda s: services.renew_lease(s, holder=self.holder, now=now, seconds=self.seconds))
        except SQLAlchemyError:
            log.exception("Could not renew the scheduler lease")
            return self.valid_until is not None and now < self.valid_until
        self.valid_until = now + timedelta(seconds=self.seconds) if renewed else None
        return renewed

    def release(self) -> None:
        """Give the lease up so a standby may take over at once."""
        self.valid_until = None
        try:
            self._write(lambda s: services.release_lease(s, holder=self.holder))
        except SQLAlchemyError:
            log.exception("Could not release the scheduler lease (it will expire)")


class AdvisoryLock:
    """pg_try_advisory_lock on a dedicated connection (PostgreSQL)."""

    def __init__(self, database: Database, *, holder: str, seconds: int) -> None:
        self.database, self.holder, self.seconds = database, holder, seconds
        self.lease = LeaseLock(database, holder=holder, seconds=seconds)
        self.connection: Connection | None = None

    def try_acquire(self, now: datetime | None = None) -> bool:
        """Take the advisory lock if no other session holds it; True if we hold it now."""
        if self.connection is not None:
            return self.renew(now)
        # Autocommit: the connection must never sit idle in a transaction for hours.
        connection = self.database.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        try:
            acquired = bool(connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_KEY}))
        except SQLAlchemyError:
            connection.invalidate()
            raise
        if not acquired:
            connection.close()
            return False
        self.connection = connection
        self._show_holder(now)
        return True

    def _show_holder(self, now: datetime | None) -> None:
        # The lock decides; the row only reports it, so it is overwritten if need be.
        try:
            self.lease.try_acquire(now, force=True)
        except SQLAlchemyError:
            log.exception("Could not write the scheduler lease row (the advisory lock is held all the same)")

    def holds_lock(self) -> bool:
        """Whether our dedicated connection is alive and still holds the lock (asked of the server)."""
        if self.connection is None:
            return False
        query = text(
            "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()"
            " AND granted AND classid::bigint = :classid AND objid::bigint = :objid)"
        )
        try:
            return bool(
                self.connection.scalar(query, {"classid": ADVISORY_KEY >> 32, "objid": ADVISORY_KEY & 0xFFFFFFFF})
            )
        except SQLAlchemyError:
            return False

    def renew(self, now: datetime | None = None) -> bool:
        """Check the lock is still ours and refresh the visible lease row; False once lost."""
        if not self.holds_lock():
            self._drop()
            return False
        self._show_holder(now)
        return True

    def release(self) -> None:
        """Unlock, and close the connection for good (a pooled connection must not keep the lock)."""
        if self.connection is None:
            return
        try:
            self.connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_KEY})
        except SQLAlchemyError:
            log.exception("Could not unlock the scheduler lock (closing its connection releases it)")
        self._drop()
        self.lease.release()

    def _drop(self) -> None:
        if self.connection is not None:
            # Invalidate, not close: the DBAPI connection is really closed, never pooled.
            self.connection.invalidate()
            self.connection.close()
            self.connection = None


def make_lock(database: Database, *, holder: str, seconds: int) -> LeaseLock | AdvisoryLock:
    """The lock that suits the database: advisory on PostgreSQL, a lease row on SQLite."""
    if database.engine.dialect.name == "postgresql":
        return AdvisoryLock(database, holder=holder, seconds=seconds)
    return LeaseLock(database, holder=holder, seconds=seconds)


class Keeper(threading.Thread):
    """Renews the lock every third of the lease; calls `on_lost` once if it is lost."""

    def __init__(self, lock: LeaseLock | AdvisoryLock, on_lost: Callable[[], None]) -> None:
        super().__init__(name="scheduler-lock-keeper", daemon=True)
        self.lock, self.on_lost = lock, on_lost
        self.interval = max(lock.seconds / 3, 0.5)
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.interval):
            if not self.lock.renew():
                log.error("Scheduler lock lost (holder %s); stopping the jobs", self.lock.holder)
                self.on_lost()
                return

    def stop(self) -> None:
        self.stopped.set()
        if self.is_alive() and threading.current_thread() is not self:
            self.join(timeout=self.interval + 5)
