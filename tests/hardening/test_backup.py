"""`flask backup FILE` / `flask restore FILE`: a round trip keeps every row of every table and
every attachment, and the audit chain verifies afterwards (SQLite, or PostgreSQL when
TEST_DATABASE_URL is set)."""

from __future__ import annotations

import io
import tarfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from crm.accounts.models import Role
from crm.backup import table_rows
from crm.db import Base, get_session
from crm.demo import data as demo_data
from crm.demo.cli import build
from crm.engagements.models import Engagement
from crm.engagements.services import add_attachment
from crm.http import storage
from tests.conftest import TEST_DATABASE_URL, fresh_database_url, is_postgres, make_app, migrate_and_seed
from tests.factories import PASSWORD, make_user

PDF = b"%PDF-1.4\nannex\n%%EOF\n"


def _base_name() -> str:
    return (make_url(TEST_DATABASE_URL).database or "test") if is_postgres(TEST_DATABASE_URL) else "rabta"


@pytest.fixture
def fresh_app(tmp_path: Path) -> Iterator[Callable[[str], Flask]]:
    """Apps on new, empty databases of the engine under test, each with its own file store."""
    built: list[tuple[Flask, str]] = []

    def make(label: str) -> Flask:
        name = f"{_base_name()}_backup_{label}"
        url = fresh_database_url(tmp_path, name)
        app = make_app(url, ATTACHMENTS_DIR=str(tmp_path / f"files-{label}"))
        built.append((app, name))
        return app

    yield make
    for app, name in built:
        app.extensions["rabta.db"].engine.dispose()
        if is_postgres(TEST_DATABASE_URL):
            admin = create_engine(make_url(TEST_DATABASE_URL).set(database="postgres"), isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


def populate(app: Flask) -> None:
    """The demo data set (rows in most tables) and a stored attachment."""
    migrate_and_seed(app)
    with app.app_context():
        session = get_session()
        demo = build(session, password=PASSWORD, engagements=6)
        engagement = session.scalars(select(Engagement).order_by(Engagement.id)).first()
        assert engagement is not None
        chair = demo.users[demo_data.CHAIR]
        add_attachment(
            session, actor=chair, engagement_id=engagement.id, stored=storage().save(io.BytesIO(PDF), "a.pdf")
        )
        session.commit()


def files(app: Flask) -> dict[str, bytes]:
    root = Path(app.config["ATTACHMENTS_DIR"])
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def rows(app: Flask) -> dict[str, list[tuple[Any, ...]]]:
    return table_rows(app.extensions["rabta.db"].engine)


def assert_same_but_the_restore_event(before: dict[str, list[Any]], after: dict[str, list[Any]]) -> None:
    """Every table equal, but for the one audit event that records the restore itself."""
    assert set(after) == set(before)
    for table, old in before.items():
        if table == "audit_events":
            assert after[table][: len(old)] == old
            assert len(after[table]) == len(old) + 1
        elif table != "audit_chain_head":
            assert after[table] == old, f"table {table} differs after the restore"


def cli(app: Flask, *args: str) -> Any:
    return app.test_cli_runner().invoke(args=list(args))


def test_every_table_is_covered(fresh_app: Callable[[str], Flask]) -> None:
    app = fresh_app("cover")
    migrate_and_seed(app)
    assert set(Base.metadata.tables) <= set(rows(app))


def test_backup_and_restore_round_trip_keeps_every_row_and_file(fresh_app: Callable[[str], Flask], tmp_path: Path):
    app = fresh_app("source")
    populate(app)
    bundle = tmp_path / "rabta-backup.tar.gz"

    made = cli(app, "backup", str(bundle))

    assert made.exit_code == 0, made.output
    assert bundle.stat().st_mode & 0o077 == 0  # readable by its owner only
    snapshot, stored = rows(app), files(app)
    assert sum(map(len, snapshot.values())) > 200
    assert snapshot["audit_events"][-1][list(Base.metadata.tables["audit_events"].c.keys()).index("action")] == (
        "backup.create"
    )
    assert len(stored) == 1
    assert cli(app, "backup", str(bundle)).exit_code == 1  # never overwrites a bundle

    # Life goes on: a new user, a lost file.
    with app.app_context():
        make_user(get_session(), role=Role.MEMBER, username="after.backup")
        get_session().commit()
    (Path(app.config["ATTACHMENTS_DIR"]) / next(iter(stored))).unlink()
    changed = rows(app)

    refused = cli(app, "restore", str(bundle))
    assert refused.exit_code == 1
    assert "--yes" in refused.output
    assert rows(app) == changed  # refused: nothing replaced

    restored = cli(app, "restore", str(bundle), "--yes")

    assert restored.exit_code == 0, restored.output
    assert_same_but_the_restore_event(snapshot, rows(app))
    assert files(app) == stored
    verify = cli(app, "audit", "verify")
    assert verify.exit_code == 0, verify.output

    # Into a new, empty installation: no --yes needed, same rows, same files.
    other = fresh_app("target")
    into_empty = cli(other, "restore", str(bundle))
    assert into_empty.exit_code == 0, into_empty.output
    assert_same_but_the_restore_event(snapshot, rows(other))
    assert files(other) == stored
    assert cli(other, "audit", "verify").exit_code == 0


def _bundle_with(tmp_path: Path, source: Path, name: str, data: bytes) -> Path:
    forged = tmp_path / "forged.tar.gz"
    with tarfile.open(source, "r:gz") as original, tarfile.open(forged, "w:gz") as out:
        for member in original.getmembers():
            extracted = original.extractfile(member)
            out.addfile(member, extracted)
        info = tarfile.TarInfo(name)
        info.size = len(data)
        out.addfile(info, io.BytesIO(data))
    return forged


@pytest.mark.parametrize(
    ("entry", "message"),
    [("attachments/../../escape", "unexpected entry"), ("attachments/ab/" + "ab" + "0" * 62, "damaged")],
)
def test_a_forged_or_damaged_bundle_is_refused(
    fresh_app: Callable[[str], Flask], tmp_path: Path, entry: str, message: str
) -> None:
    app = fresh_app("forged")
    migrate_and_seed(app)
    bundle = tmp_path / "b.tar.gz"
    assert cli(app, "backup", str(bundle)).exit_code == 0
    forged = _bundle_with(tmp_path, bundle, entry, b"not what the name says")
    target = fresh_app("forged_target")

    result = cli(target, "restore", str(forged))

    assert result.exit_code == 1
    assert message in result.output
    assert not (tmp_path / "escape").exists()


def test_something_that_is_not_a_backup_is_refused(fresh_app: Callable[[str], Flask], tmp_path: Path) -> None:
    app = fresh_app("junk")
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not a tar")
    result = cli(app, "restore", str(junk), "--yes")
    assert result.exit_code == 1
    assert "not a readable Rabta backup" in result.output
