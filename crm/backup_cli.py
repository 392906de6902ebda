"""`flask --app app backup FILE` and `flask --app app restore FILE [--yes]` (see crm/backup.py)."""

from __future__ import annotations

from pathlib import Path
from typing import NoReturn

import click
from flask import current_app
from flask.cli import with_appcontext

from crm import backup
from crm.audit.queries import verify_chain
from crm.audit.services import Target, record
from crm.db import database, get_session, write_intent


def _attachments() -> Path:
    return Path(current_app.config["ATTACHMENTS_DIR"])


def _fail(error: backup.BackupError) -> NoReturn:
    click.echo(f"error: {error}", err=True)
    raise SystemExit(1)


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(file: Path) -> None:
    """Write the database and the attachment files to FILE (a .tar.gz bundle, mode 0600)."""
    # Audited first, so the backup carries the record of its own making (R8: an export).
    with write_intent():
        session = get_session()
        record(session, actor=None, action="backup.create", target=Target("backup", file.name[:64]))
        session.commit()
    try:
        manifest = backup.create_backup(database().engine, _attachments(), file)
    except backup.BackupError as error:
        _fail(error)
    click.echo(
        f"Backup written to {file}: {manifest.engine} database at revision {manifest.revision},"
        f" {manifest.audit_seq} audit events, {manifest.files} attachment file(s)."
    )


@click.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Replace the current database's content (required unless it is empty).")
@with_appcontext
def restore_command(file: Path, yes: bool) -> None:
    """Replace the database and add the attachment files from a bundle written by `backup`."""
    engine = database().engine
    try:
        manifest = backup.read_manifest(file)
        if not yes and not backup.is_empty(engine):
            _fail(backup.BackupError("The database is not empty: restoring replaces everything in it. Add --yes."))
        backup.restore_backup(engine, _attachments(), file)
    except backup.BackupError as error:
        _fail(error)
    report = verify_chain(get_session())
    if not report.ok:
        click.echo(f"error: the restored audit chain does not verify: {report.reason}", err=True)
        raise SystemExit(1)
    with write_intent():
        session = get_session()
        record(session, actor=None, action="backup.restore", target=Target("backup", file.name[:64]))
        session.commit()
    click.echo(
        f"Restored {file} (taken {manifest.created_at}): {manifest.audit_seq} audit events verified,"
        f" {manifest.files} attachment file(s). Run `flask db upgrade` if the code is newer than the backup."
    )
