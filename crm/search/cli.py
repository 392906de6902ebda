"""`flask --app app search reindex`: rebuild the search index from the records."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from crm.db import get_session, write_intent
from crm.search.services import rebuild_index

search_cli = AppGroup("search", help="The global search index.")


@search_cli.command("reindex")
def reindex_command() -> None:
    """Index every searchable record again (run after `db upgrade` to 0007, or after bulk loads)."""
    with write_intent():
        session = get_session()
        counts = rebuild_index(session, actor=None)
        session.commit()
    click.echo(
        "Search index rebuilt: " + ", ".join(f"{name} {count}" for name, count in counts.items()) + " documents."
    )
