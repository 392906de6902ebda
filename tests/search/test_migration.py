"""Migration 0007 on a database of its own: it builds the full-text machinery of the database
in use and its downgrade removes every trace of it (FTS5 shadow tables and triggers too)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from tests.conftest import TEST_DATABASE_URL, fresh_database_url, is_postgres, make_app
from tests.migrations.test_migrations import run

DATABASE_NAME = "rabta_search_migration"


@pytest.fixture
def fresh_app(tmp_path) -> Iterator[Flask]:
    app = make_app(fresh_database_url(tmp_path, DATABASE_NAME))
    yield app
    app.extensions["rabta.db"].engine.dispose()
    if is_postgres(TEST_DATABASE_URL):
        admin = create_engine(make_url(TEST_DATABASE_URL).set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{DATABASE_NAME}" WITH (FORCE)'))
        admin.dispose()


def search_objects(app: Flask) -> set[str]:
    """Every table, trigger and index whose name starts with `search` (SQLite: sqlite_master)."""
    engine = app.extensions["rabta.db"].engine
    names = {name for name in inspect(engine).get_table_names() if name.startswith("search")}
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            query = "SELECT name FROM sqlite_master WHERE name LIKE 'search%'"
        else:
            query = "SELECT indexname FROM pg_indexes WHERE indexname LIKE '%search%'"
        names |= set(connection.scalars(text(query)))
    return names


def test_upgrade_builds_the_full_text_index_and_downgrade_removes_all_of_it(fresh_app):
    run(fresh_app, "upgrade")
    built = search_objects(fresh_app)
    if is_postgres(TEST_DATABASE_URL):
        assert {"search_documents", "ix_search_documents_tsv"} <= built
    else:
        assert {"search_documents", "search_fts", "search_fts_data", "search_documents_ai", "search_documents_ad",
                "search_documents_au"} <= built  # fmt: skip

    run(fresh_app, "downgrade", "0006")

    assert search_objects(fresh_app) == set()
    run(fresh_app, "upgrade")
    assert search_objects(fresh_app) == built
