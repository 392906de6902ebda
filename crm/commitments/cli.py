"""`flask --app app commitments recount`: recount the commitment tallies from the commitments."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from crm.commitments import tallies
from crm.db import get_session, write_intent

commitments_cli = AppGroup("commitments", help="The commitments register.")


@commitments_cli.command("recount")
def recount_command() -> None:
    """Recount the open/closed tallies the board reads (after data was loaded around the app)."""
    with write_intent():
        session = get_session()
        connection = session.connection()
        drifted = bool(tallies.drifted(connection))
        keys = tallies.rebuild(connection)
        session.commit()
    click.echo(f"Commitment tallies recounted: {keys} keys" + (" (they had drifted)." if drifted else ", unchanged."))
