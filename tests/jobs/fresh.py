"""A separately migrated database for tests that need real commits (locks, subprocesses):
the suite's own database is wrapped in a rolled-back transaction per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.conftest import TEST_DATABASE_URL, fresh_database_url, is_postgres, make_app, migrate_and_seed


def database_name(suffix: str) -> str:
    """Beside the test database, named after it (so parallel suites with their own databases never collide)."""
    base = make_url(TEST_DATABASE_URL).database if is_postgres(TEST_DATABASE_URL) else "rabta"
    return f"{base}_{suffix}"


def migrated_database(directory: Path, suffix: str) -> Iterator[str]:
    """Create, migrate and seed a fresh database; yield its URL; drop it afterwards (PostgreSQL)."""
    name = database_name(suffix)
    url = fresh_database_url(directory, name)
    app = make_app(url)
    migrate_and_seed(app)
    app.extensions["rabta.db"].engine.dispose()
    yield url
    if is_postgres(TEST_DATABASE_URL):
        admin = create_engine(make_url(TEST_DATABASE_URL).set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
