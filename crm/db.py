"""Data layer: declarative base, engine, and one session per request.

Services receive the session explicitly; only the outer caller (view, CLI command, job)
commits. `get_session()` hands the request's session out and the app context teardown closes
it, rolling back whatever was not committed.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from flask import Flask, Response, current_app, g, has_app_context
from sqlalchemy import DateTime, Engine, MetaData, Table, create_engine, event
from sqlalchemy import Enum as SAEnum
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

# Stable constraint names, so Alembic batch migrations on SQLite can find them again.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC (the only way times are stored)."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every database.

    SQLite has no time zones and hands back naive values; this type refuses naive input
    (a bug waiting to happen) and re-attaches UTC on the way out.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; store timezone-aware UTC times only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def str_enum(enum_class: type[Enum]) -> SAEnum:
    """A portable enum column storing the members' values (varchar, no native type)."""
    return SAEnum(
        enum_class,
        native_enum=False,
        length=32,
        validate_strings=True,
        values_callable=lambda members: [m.value for m in members],
    )


# Set for requests and commands that will write: on SQLite they take the write lock when the
# transaction begins (BEGIN IMMEDIATE) instead of failing to upgrade a stale read snapshot.
_write_intent: contextvars.ContextVar[bool] = contextvars.ContextVar("write_intent", default=False)


def set_write_intent(value: bool = True) -> contextvars.Token[bool]:
    return _write_intent.set(value)


def _lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def _configure_sqlite(engine: Engine) -> None:
    """Pragmas, and transactions that really begin (the pysqlite driver's own are lazy).

    With the driver's lazy BEGIN, SAVEPOINT and read consistency break; SQLAlchemy documents
    taking transaction control away from it, which is what the two listeners do.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in ("journal_mode=WAL", "foreign_keys=ON", "busy_timeout=10000", "synchronous=NORMAL"):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()
        # SQLite's own lower() folds ASCII only: "Ödeme" and "ödeme" would be two companies and
        # a re-import would not find them. Python's lower() folds as PostgreSQL's does (UTF-8).
        dbapi_connection.create_function("lower", 1, _lower, deterministic=True)

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _write_intent.get() else "BEGIN")


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """An engine for SQLite (with pragmas) or PostgreSQL via psycopg 3."""
    if url.startswith("sqlite"):
        engine = create_engine(url, echo=echo, connect_args={"check_same_thread": False})
        _configure_sqlite(engine)
        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True, pool_size=5, max_overflow=10)


class Database:
    """The app's engine and session factory (kept in app.extensions, created without I/O)."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.engine = make_engine(url, echo=echo)
        self.sessionmaker = sessionmaker(self.engine, expire_on_commit=False)


def init_app(app: Flask) -> None:
    app.extensions["rabta.db"] = Database(app.config["DATABASE_URL"], echo=app.config["SQL_ECHO"])
    app.teardown_appcontext(_close_session)
    if os.environ.get("RABTA_BENCH_HEADERS") == "1":
        _add_bench_headers(app)


def _add_bench_headers(app: Flask) -> None:
    """Benchmark mode only (`make bench`, off by default): each response says how many SQL
        statements it ran (`X-Query-Count`), how long the app took (`X-App-Time-Ms`) and how much
    of it the statements took (`X-SQL-Time-Ms`)."""

    engine = app.extensions["rabta.db"].engine

    @event.listens_for(engine, "before_cursor_execute")
    def _count(*_args: Any) -> None:
        if has_app_context() and "bench_queries" in g:
            g.bench_queries += 1
            g.bench_sql_started = time.perf_counter()

    @event.listens_for(engine, "after_cursor_execute")
    def _sql_time(*_args: Any) -> None:
        if has_app_context() and "bench_sql_started" in g:
            g.bench_sql += time.perf_counter() - g.bench_sql_started

    @app.before_request
    def _start() -> None:
        g.bench_queries, g.bench_sql, g.bench_started = 0, 0.0, time.perf_counter()

    @app.after_request
    def _headers(response: Response) -> Response:
        if "bench_started" in g:
            response.headers["X-Query-Count"] = str(g.bench_queries)
            response.headers["X-App-Time-Ms"] = f"{(time.perf_counter() - g.bench_started) * 1000:.2f}"
            # Statements' execution as the driver reports it (rows fetched later are not included).
            response.headers["X-SQL-Time-Ms"] = f"{g.bench_sql * 1000:.2f}"
        return response


def database() -> Database:
    db: Database = current_app.extensions["rabta.db"]
    return db


def get_session() -> Session:
    """The session of the current request or command (created on first use)."""
    if "db_session" not in g:
        g.db_session = database().sessionmaker()
    session: Session = g.db_session
    return session


def _close_session(_exc: BaseException | None) -> None:
    session: Session | None = g.pop("db_session", None)
    if session is not None:
        session.close()


@contextlib.contextmanager
def write_intent() -> Iterator[None]:
    """Within this block, new transactions take SQLite's write lock up front."""
    token = set_write_intent(True)
    try:
        yield
    finally:
        _write_intent.reset(token)


def insert_once(session: Session, table: Table, values: dict[str, Any], keys: list[str]) -> int | None:
    """Insert a row unless one with the same unique `keys` exists: the new id, or None.

    `INSERT ... ON CONFLICT DO NOTHING` on both databases, so concurrent writers of the same
    key (two scheduler processes) never fail and never duplicate.
    """
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = insert(table).values(**values).on_conflict_do_nothing(index_elements=keys).returning(table.c.id)
    result: int | None = session.execute(statement).scalar_one_or_none()
    return result
