"""Bulk writes for the large demo (issue 8): a million rows cannot go through the services.

Rows are plain dicts of column values. SQLite gets Core `insert()` executemany (the column
types still convert the values, so stored text is exactly what the ORM would store);
PostgreSQL gets `COPY ... FROM STDIN` through psycopg, several times faster than multi-row
INSERTs. Ids are chosen by the generator (it needs them for the link rows), so PostgreSQL's
sequences are moved past them at the end (`finish`).

What the services would also have done is done here explicitly:
- search documents are built by the index's own builders (`crm.search.index`) from the rows
  as stored, exactly as the `after_flush` listener would, and written in bulk;
- the audit chain gets one `demo.bulk_load` event per batch through `crm.audit.services.record`
  (the chain stays valid, `audit verify` passes), naming the table and the id range written.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum
from typing import Any, cast

from sqlalchemy import Connection, Table, func, insert, select, text
from sqlalchemy.orm import Session

from crm.audit.services import Target, record
from crm.search import index

Row = dict[str, Any]
INDEX_CHUNK = 500


def _plain(value: Any) -> Any:
    # psycopg's own Enum dumper writes a member's *name*; the columns hold the values.
    return value.value if isinstance(value, Enum) else value


class BulkWriter:
    """Writes rows and their search documents in the session's transaction (the caller commits)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.is_postgresql = session.get_bind().dialect.name == "postgresql"
        self.tables_with_ids: set[str] = set()

    @property
    def connection(self) -> Connection:
        return self.session.connection()

    def next_id(self, table: Table) -> int:
        """The first free id of `table` (the generator numbers its rows from here)."""
        return int(self.connection.scalar(select(func.coalesce(func.max(table.c.id), 0))) or 0) + 1

    def write(self, table: Table, rows: Sequence[Row]) -> None:
        """Insert `rows` (every row with the same keys)."""
        if not rows:
            return
        if "id" in rows[0]:
            self.tables_with_ids.add(table.name)
        if self.is_postgresql:
            self._copy(table, rows)
        else:
            self.connection.execute(insert(table), list(rows))

    def _copy(self, table: Table, rows: Sequence[Row]) -> None:
        columns = list(rows[0])
        raw = cast(Any, self.connection.connection.driver_connection)
        statement = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"  # noqa: S608 (names from the models)
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row([_plain(row[column]) for column in columns])

    def index(self, model: type[Any], ids: Sequence[int]) -> int:
        """Write the search documents of these new records, built by the index's own builder."""
        source = index.BY_MODEL[model]
        written = 0
        for start in range(0, len(ids), INDEX_CHUNK):
            docs = source.build(self.connection, ids[start : start + INDEX_CHUNK])
            self.write(index.DOCUMENTS, docs)
            written += len(docs)
        return written

    def audit(self, table: Table, first: int, last: int, **counts: int) -> None:
        """One event for the batch: what was loaded, by whom (the system), and which ids."""
        record(self.session, actor=None, action="demo.bulk_load", target=Target(table.name, f"{first}-{last}"),
               after={"rows": last - first + 1, **counts})  # fmt: skip

    def finish(self) -> None:
        """Move PostgreSQL's id sequences past the ids written; refresh the planners' statistics."""
        if self.is_postgresql:
            for name in sorted(self.tables_with_ids | {index.DOCUMENTS.name}):
                self.connection.execute(
                    # The table name comes from the models, never from input.
                    text(f"SELECT setval(pg_get_serial_sequence(:t, 'id'), (SELECT max(id) FROM {name}))"),  # noqa: S608
                    {"t": name},
                )
        self.connection.execute(text("ANALYZE"))
