"""What /readyz checks: the database answers, its schema is at the code's migration head, and
the shared rate-limit store (Redis) answers when one is configured.

Each check reports a short state word, never an error message: the probe is public, and a
driver's message names hosts, ports and users. The detail goes to the log instead.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from pathlib import Path

import redis
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

log = logging.getLogger(__name__)

OK = "ok"
REDIS_SCHEMES = ("redis://", "rediss://", "redis+unix://")
TIMEOUT_SECONDS = 1


@dataclass(frozen=True)
class Revisions:
    """The migration scripts shipped with this code: the heads, and every revision id."""

    heads: frozenset[str]
    known: frozenset[str]


@functools.cache
def script_revisions(location: Path) -> Revisions:
    """Read once per process: parsing every migration script costs milliseconds, and the
    scripts change only with a deployment, which restarts the process."""
    script = ScriptDirectory(str(location))
    return Revisions(frozenset(script.get_heads()), frozenset(r.revision for r in script.walk_revisions()))


def migration_state(stamped: set[str], revisions: Revisions) -> str:
    """`ok` at the head; `pending` when `flask db upgrade` is still to run (or the schema is
    missing); `unknown` when the database is newer than this code (deploy the new code)."""
    if stamped == revisions.heads:
        return OK
    if stamped <= revisions.known:
        return "pending"
    return "unknown"


def database_states(engine: Engine, revisions: Revisions) -> dict[str, str]:
    """`database` and `migrations` states. One query when all is well: reading the stamped
    revision also proves the database answers. A failure is told apart with `SELECT 1`."""
    try:
        with engine.connect() as connection:
            stamped = set(connection.scalars(text("SELECT version_num FROM alembic_version")))
    except SQLAlchemyError as error:
        if not _answers(engine):
            log.warning("readiness: the database does not answer (%s)", _first_line(error))
            return {"database": "unreachable", "migrations": "unknown"}
        log.warning("readiness: no migration stamp in the database (%s)", _first_line(error))
        return {"database": OK, "migrations": "pending"}
    state = migration_state(stamped, revisions)
    if state != OK:
        log.warning("readiness: database at %s, code at %s", sorted(stamped), sorted(revisions.heads))
    return {"database": OK, "migrations": state}


def _answers(engine: Engine) -> bool:
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return False
    return True


def uses_redis(uri: str) -> bool:
    return uri.startswith(REDIS_SCHEMES)


@functools.cache
def _redis_client(uri: str) -> redis.Redis:
    # limits' "redis+unix://" is redis-py's "unix://"; one client (a connection pool) per URI.
    url = "unix://" + uri.removeprefix("redis+unix://") if uri.startswith("redis+unix://") else uri
    return redis.Redis.from_url(url, socket_connect_timeout=TIMEOUT_SECONDS, socket_timeout=TIMEOUT_SECONDS)


def redis_state(uri: str) -> str:
    """`ok` when the rate-limit store answers a PING within a second, else `unreachable`."""
    try:
        _redis_client(uri).ping()
    except (redis.RedisError, OSError) as error:
        log.warning("readiness: the rate-limit store does not answer (%s)", type(error).__name__)
        return "unreachable"
    return OK


def _first_line(error: SQLAlchemyError) -> str:
    original = getattr(error, "orig", None) or error
    lines = str(original).strip().splitlines()
    return f"{type(original).__name__}: {lines[0] if lines else ''}"
