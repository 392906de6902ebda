"""`flask --app app audit verify`."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from crm.audit.queries import verify_chain
from crm.db import get_session

audit_cli = AppGroup("audit", help="The tamper-evident audit log.")


@audit_cli.command("verify")
def verify_command() -> None:
    """Check the hash chain; exit 1 naming the first broken event."""
    report = verify_chain(get_session())
    if report.ok:
        click.echo(f"Audit chain intact: {report.checked} events verified.")
        return
    where = f"event #{report.broken_seq}" if report.broken_seq else "the chain"
    if report.broken_id:
        where += f" (id {report.broken_id})"
    click.echo(f"Audit chain BROKEN at {where}: {report.reason}. {report.checked} events before it verified.", err=True)
    raise SystemExit(1)
