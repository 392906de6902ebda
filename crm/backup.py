"""Backups: one bundle holding the database and the attachment files, and its restore.

A bundle is a gzipped tar (written with mode 0600: it holds classified records):

    manifest.json          format, version, engine, created_at, Alembic revision, audit head
    database.sqlite        SQLite: a consistent copy by the online backup API
    database.pgdump        PostgreSQL: `pg_dump -Fc` (one snapshot; restored with pg_restore)
    attachments/ab/ab...   every stored file, under its SHA-256 (checked again on restore)

The database is copied first and the files after: files are content-addressed and never
rewritten, so every file the copied database refers to is already in the store and lands in
the bundle. Restoring goes to the same engine it came from (SQLite to SQLite, PostgreSQL to
PostgreSQL); moving between engines is a migration, not a restore.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess  # noqa: S404 (pg_dump and pg_restore, with fixed arguments and no shell)
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Connection, Engine, make_url

FORMAT = "rabta-backup"
VERSION = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite"
PG_FILE = "database.pgdump"
ATTACHMENT_NAME = re.compile(r"^attachments/([0-9a-f]{2})/(\1[0-9a-f]{62})$")


class BackupError(RuntimeError):
    """The backup or restore cannot go on; the message says why and what to do."""


@dataclass(frozen=True)
class Manifest:
    engine: str
    created_at: str
    revision: str | None
    audit_seq: int
    audit_hash: str
    files: int

    def as_json(self) -> bytes:
        return json.dumps({"format": FORMAT, "version": VERSION, **self.__dict__}, indent=2).encode()

    @classmethod
    def parse(cls, raw: bytes) -> Manifest:
        data = json.loads(raw)
        if data.get("format") != FORMAT or data.get("version") != VERSION:
            raise BackupError("This file is not a Rabta backup (or is from an unknown version).")
        return cls(**{name: data[name] for name in cls.__dataclass_fields__})


def engine_kind(engine: Engine) -> str:
    return "sqlite" if engine.dialect.name == "sqlite" else "postgresql"


def _state(engine: Engine) -> tuple[str | None, int, str]:
    """The Alembic revision and the audit chain's head (seq, hash) of the database."""
    with engine.connect() as connection:
        return _state_in(connection)


def _state_in(connection: Connection) -> tuple[str | None, int, str]:
    revision = connection.scalar(text("SELECT version_num FROM alembic_version"))
    head = connection.execute(text("SELECT seq, last_hash FROM audit_chain_head")).first()
    return revision, (head[0] if head else 0), (head[1] if head else "")


def is_empty(engine: Engine) -> bool:
    """No tables at all: a fresh database that a restore cannot damage."""
    return not inspect(engine).get_table_names()


# PostgreSQL: the client tools take the connection from PG* variables, never the command
# line, so a password is not visible in the process list.
def _pg_env(engine: Engine) -> dict[str, str]:
    url = make_url(engine.url)
    values = {
        "PGHOST": url.host,
        "PGPORT": str(url.port) if url.port else None,
        "PGUSER": url.username,
        "PGPASSWORD": url.password,
        "PGDATABASE": url.database,
    }
    return {**os.environ, **{k: str(v) for k, v in values.items() if v}}


def _run(command: list[str], env: dict[str, str]) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed; install the Debian package postgresql-client.")
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip() or result.stdout.strip()}")


def _dump(engine: Engine, target: Path) -> tuple[str, tuple[str | None, int, str]]:
    """Copy the database to `target`; return the bundle name and the copy's (revision, audit head)."""
    if engine_kind(engine) == "sqlite":
        source = sqlite3.connect(str(make_url(engine.url).database))
        copy = sqlite3.connect(str(target))
        try:
            with copy:
                source.backup(copy)  # the online backup API: consistent while others write
        finally:
            copy.close()
            source.close()
        return SQLITE_FILE, _state_of_dump(target)
    # pg_dump reads the very snapshot this transaction holds, so the manifest's audit head is
    # the dump's even while the application keeps writing.
    with engine.connect() as connection:
        connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            snapshot = connection.scalar(text("SELECT pg_export_snapshot()"))
            state = _state_in(connection)
            flags = ["--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}"]
            _run(["pg_dump", *flags, "--file", str(target)], _pg_env(engine))
    return PG_FILE, state


def _attachment_files(root: Path) -> Iterator[Path]:
    if root.is_dir():
        for path in sorted(root.glob("??/*")):
            if path.is_file() and ATTACHMENT_NAME.match(f"attachments/{path.parent.name}/{path.name}"):
                yield path


def create_backup(engine: Engine, attachments: Path, destination: Path) -> Manifest:
    """Write a bundle to `destination` (not overwritten: BackupError if it exists)."""
    if destination.exists():
        raise BackupError(f"{destination} exists already; choose a new file name.")
    with tempfile.TemporaryDirectory(prefix="rabta-backup-") as work:
        dump = Path(work) / "dump"
        name, (revision, seq, head_hash) = _dump(engine, dump)
        files = list(_attachment_files(attachments))
        created = datetime.now(UTC).isoformat(timespec="seconds")
        manifest = Manifest(engine_kind(engine), created, revision, seq, head_hash, len(files))
        partial = destination.with_name(destination.name + ".partial")
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as bundle:
            _add_bytes(bundle, MANIFEST, manifest.as_json())
            bundle.add(dump, arcname=name)
            for path in files:
                bundle.add(path, arcname=f"attachments/{path.parent.name}/{path.name}")
        os.replace(partial, destination)
    return manifest


def _state_of_dump(dump: Path) -> tuple[str | None, int, str]:
    # The head recorded is the copy's, not the live database's, which may have moved on since.
    copy = create_engine(f"sqlite:///{dump}")
    try:
        return _state(copy)
    finally:
        copy.dispose()


def _add_bytes(bundle: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(data), 0o600, int(datetime.now(UTC).timestamp())
    bundle.addfile(info, fileobj=io.BytesIO(data))


def read_manifest(source: Path) -> Manifest:
    """The bundle's manifest (BackupError if the file is not a readable bundle)."""
    try:
        with tarfile.open(source, mode="r:gz") as bundle:
            member = bundle.extractfile(MANIFEST)
            if member is None:
                raise BackupError("The backup has no manifest.")
            return Manifest.parse(member.read())
    except (OSError, tarfile.TarError, KeyError, ValueError, TypeError) as error:
        raise BackupError(f"{source} is not a readable Rabta backup ({error}).") from error


def restore_backup(engine: Engine, attachments: Path, source: Path) -> Manifest:
    """Replace the database's content and add the bundle's files to the store.

    The caller checks first that replacing is wanted (see is_empty). Every file's SHA-256 is
    checked against its name, and the restored database's audit head against the manifest.
    """
    manifest = read_manifest(source)
    if manifest.engine != engine_kind(engine):
        raise BackupError(f"This is a {manifest.engine} backup; the configured database is {engine_kind(engine)}.")
    with tempfile.TemporaryDirectory(prefix="rabta-restore-") as work, tarfile.open(source, mode="r:gz") as bundle:
        dump = Path(work) / "dump"
        _extract(bundle, SQLITE_FILE if manifest.engine == "sqlite" else PG_FILE, dump)
        _restore_files(bundle, attachments)
        engine.dispose()  # no pooled connection may keep the old database open
        _load(engine, dump)
    revision, seq, head_hash = _state(engine)
    if (revision, seq, head_hash) != (manifest.revision, manifest.audit_seq, manifest.audit_hash):
        raise BackupError("The restored database does not match the backup's manifest; do not use it.")
    return manifest


def _extract(bundle: tarfile.TarFile, name: str, target: Path) -> None:
    member = bundle.extractfile(name)
    if member is None:
        raise BackupError(f"The backup has no {name}.")
    with member, target.open("wb") as out:
        shutil.copyfileobj(member, out)


def _restore_files(bundle: tarfile.TarFile, attachments: Path) -> None:
    for member in bundle.getmembers():
        match = ATTACHMENT_NAME.match(member.name)
        if not member.name.startswith("attachments/"):
            continue
        if match is None or not member.isfile():  # never a link or a path outside the store
            raise BackupError(f"The backup holds an unexpected entry {member.name!r}; it was not restored.")
        data = bundle.extractfile(member)
        assert data is not None
        content = data.read()
        if hashlib.sha256(content).hexdigest() != match.group(2):
            raise BackupError(f"The file {member.name} in the backup is damaged (its SHA-256 does not match).")
        target = attachments / match.group(1) / match.group(2)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)


def _load(engine: Engine, dump: Path) -> None:
    if engine_kind(engine) == "postgresql":
        flags = ["--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error"]
        env = _pg_env(engine)
        _run(["pg_restore", *flags, "--dbname", env["PGDATABASE"], str(dump)], env)
        return
    copy = sqlite3.connect(str(dump))
    try:
        if copy.execute("PRAGMA integrity_check").fetchone() != ("ok",):
            raise BackupError("The database in the backup is damaged (SQLite integrity check failed).")
        target = sqlite3.connect(str(make_url(engine.url).database))
        try:
            with target:
                copy.backup(target)  # page by page into the live file, under SQLite's own locking
        finally:
            target.close()
    finally:
        copy.close()


def table_rows(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in primary-key order: what a round trip must preserve."""
    rows: dict[str, list[tuple[Any, ...]]] = {}
    inspector = inspect(engine)
    with engine.connect() as connection:
        for table in sorted(inspector.get_table_names()):
            keys = inspector.get_pk_constraint(table).get("constrained_columns") or []
            order = ", ".join(f'"{k}"' for k in keys) or "1"
            query = text(f'SELECT * FROM "{table}" ORDER BY {order}')  # noqa: S608 (names from the catalogue)
            rows[table] = [tuple(r) for r in connection.execute(query)]
    return rows
