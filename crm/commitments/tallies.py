"""Keeping `commitment_tallies` in step with the commitments, on every write path.

A session listener (`after_flush`, as the search index does) reads from each flushed
commitment's attribute history which (company, direction, status) it left and which it
entered, and adds the differences to the tallies with one upsert per key on the same
connection: the tallies change in the same transaction as the commitments, whichever
service, job, import or command wrote them, and roll back with them. Keys are applied in
sorted order, so two transactions touching the same tallies lock them in the same order
and cannot deadlock on them.

Bulk Core writes bypass the listener: the large demo loader adds its batches' counts with
`add`, and `flask --app app commitments recount` (`rebuild`) recounts from the commitments.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any, cast

from sqlalchemy import Connection, Table, delete, event, func, insert, inspect, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, sessionmaker

from crm.commitments.models import Commitment, CommitmentTally

TALLIES = cast(Table, CommitmentTally.__table__)
KEY = ("company_id", "direction", "status")
REMOVED = "commitment_tallies.removed"  # session.info: keys of commitments being deleted
Key = tuple[int, str, str]


def _value(value: Any) -> Any:
    return getattr(value, "value", value)  # enum members are tallied by their stored value


def _sides(commitment: Commitment) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """The key columns before and after the flush, as far as the session knows them; None when
    the flush changed none of them. A column the session never loaded is missing from both."""
    state = inspect(commitment)
    old: dict[str, Any] = {}
    new: dict[str, Any] = {}
    changed = False
    for name in KEY:
        history = state.attrs[name].history
        if history.added:  # active_history on these columns: the old value was loaded first
            changed = True
            new[name] = history.added[0]
            old[name] = (history.deleted or [None])[0]
        elif history.unchanged:
            old[name] = new[name] = history.unchanged[0]
    return (old, new) if changed else None


def _stored(session: Session, ids: set[int]) -> dict[int, dict[str, Any]]:
    """The key columns of these commitments as the flush left them (one query)."""
    if not ids:
        return {}
    c = Commitment.__table__.c
    rows = session.connection().execute(select(c.id, *(c[name] for name in KEY)).where(c.id.in_(sorted(ids))))
    return {row.id: dict(row._mapping) for row in rows}


def _key(values: Mapping[str, Any]) -> Key:
    return (int(values["company_id"]), str(_value(values["direction"])), str(_value(values["status"])))


def changes(session: Session) -> Counter[Key]:
    """The tally differences of one flush (keys whose difference is zero left out).

    Key columns the session never loaded are read back from the table, where an unchanged
    column holds the same value before and after the flush."""
    added = [c for c in session.new if isinstance(c, Commitment)]
    moved = [(c, sides) for c in session.dirty if isinstance(c, Commitment) and (sides := _sides(c))]
    stored = _stored(session, {c.id for c in added} | {c.id for c, (old, new) in moved if len(old) < len(KEY)})
    deltas: Counter[Key] = Counter()
    for commitment in added:
        deltas[_key(stored[commitment.id])] += 1
    for commitment, (old, new) in moved:
        row = stored.get(commitment.id, {})
        deltas[_key({**row, **old})] -= 1
        deltas[_key({**row, **new})] += 1
    for key in session.info.pop(REMOVED, []):
        deltas[key] -= 1
    return Counter({key: n for key, n in deltas.items() if n})


def add(connection: Connection, deltas: Mapping[Key, int]) -> None:
    """Add these differences to the tallies: one upsert per key, in key order."""
    upsert = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
    for (company_id, direction, status), n in sorted(deltas.items()):
        statement = upsert(TALLIES).values(company_id=company_id, direction=direction, status=status, count=n)
        statement = statement.on_conflict_do_update(
            index_elements=list(KEY), set_={"count": TALLIES.c["count"] + statement.excluded["count"]}
        )
        connection.execute(statement)


def count_rows(rows: Iterable[Mapping[str, Any]]) -> Counter[Key]:
    """The tally of commitment rows about to be written in bulk (dicts with the key columns)."""
    return Counter((int(row["company_id"]), str(_value(row["direction"])), str(_value(row["status"]))) for row in rows)


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    # A deleted row cannot be read back after the flush: its key is taken while it exists
    # (replacing what a failed flush may have left).
    session.info[REMOVED] = [_key({name: getattr(c, name) for name in KEY})
                             for c in session.deleted if isinstance(c, Commitment)]  # fmt: skip


def _after_flush(session: Session, _context: Any) -> None:
    # new/dirty/deleted and attribute history still describe the flush at this point.
    deltas = changes(session)
    if deltas:
        add(session.connection(), deltas)


def install(sessions: sessionmaker[Session]) -> None:
    """Maintain the tallies from every session this factory makes (idempotent)."""
    if not event.contains(sessions, "after_flush", _after_flush):
        event.listen(sessions, "before_flush", _before_flush)
        event.listen(sessions, "after_flush", _after_flush)


def recounted(connection: Connection) -> list[dict[str, Any]]:
    """The tallies as the commitments stand now (one grouped read of the whole table)."""
    c = Commitment.__table__.c
    query = select(c.company_id, c.direction, c.status, func.count().label("count")).group_by(
        c.company_id, c.direction, c.status
    )
    return [dict(row._mapping) for row in connection.execute(query)]


def stored(connection: Connection) -> list[dict[str, Any]]:
    """The tallies as kept, without empty ones (a key whose commitments all moved on)."""
    query = select(TALLIES.c.company_id, TALLIES.c.direction, TALLIES.c.status, TALLIES.c["count"]).where(
        TALLIES.c["count"] != 0
    )
    return [dict(row._mapping) for row in connection.execute(query)]


def drifted(connection: Connection) -> dict[Key, tuple[int, int]]:
    """Keys whose kept tally differs from a recount: key → (kept, recounted); empty when in step."""
    kept, counted = ({_key(row): int(row["count"]) for row in rows(connection)} for rows in (stored, recounted))
    return {key: (kept.get(key, 0), counted.get(key, 0)) for key in kept.keys() | counted.keys()
            if kept.get(key, 0) != counted.get(key, 0)}  # fmt: skip


def rebuild(connection: Connection) -> int:
    """Recount every tally from the commitments; the number of keys written."""
    rows = recounted(connection)
    connection.execute(delete(TALLIES))
    if rows:
        connection.execute(insert(TALLIES), rows)
    return len(rows)
