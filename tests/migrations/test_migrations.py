"""The Alembic migrations, on a fresh database of their own: up, down, and in step with the models."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.engine import make_url

import crm.models  # noqa: F401  (every table on the metadata)
from crm.audit.models import GENESIS_HASH, AuditChainHead
from crm.db import Base, get_session
from crm.search.models import include_name, is_full_text_table
from tests.conftest import TEST_DATABASE_URL, fresh_database_url, is_postgres, make_app

DATABASE_NAME = "rabta_migrations"


@pytest.fixture
def fresh_app(tmp_path) -> Iterator[Flask]:
    url = fresh_database_url(tmp_path, DATABASE_NAME)
    app = make_app(url)
    yield app
    app.extensions["rabta.db"].engine.dispose()
    if is_postgres(TEST_DATABASE_URL):
        admin = create_engine(make_url(TEST_DATABASE_URL).set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{DATABASE_NAME}" WITH (FORCE)'))
        admin.dispose()


def run(app: Flask, *args: str) -> None:
    result = app.test_cli_runner().invoke(args=["db", *args])
    assert result.exit_code == 0, result.output + repr(result.exception)


def application_tables(app: Flask) -> set[str]:
    # SQLite's FTS5 search index (a virtual table and its shadow tables) is not a model.
    names = set(inspect(app.extensions["rabta.db"].engine).get_table_names()) - {"alembic_version"}
    return {name for name in names if not is_full_text_table(name)}


def current_revision(app: Flask) -> str | None:
    with app.extensions["rabta.db"].engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision(app: Flask) -> str:
    from alembic.script import ScriptDirectory

    from crm.cli import alembic_config

    with app.app_context():
        head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def test_upgrade_reaches_head_and_matches_the_models(fresh_app):
    run(fresh_app, "upgrade")

    assert current_revision(fresh_app) == head_revision(fresh_app)
    with fresh_app.extensions["rabta.db"].engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_name": include_name})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []
    assert application_tables(fresh_app) == set(Base.metadata.tables)


def test_downgrade_to_base_removes_every_table_and_upgrade_works_again(fresh_app):
    run(fresh_app, "upgrade")

    run(fresh_app, "downgrade", "base")

    assert application_tables(fresh_app) == set()
    assert current_revision(fresh_app) is None
    run(fresh_app, "upgrade")
    assert application_tables(fresh_app) == set(Base.metadata.tables)


def test_upgrade_creates_the_audit_chain_head_at_genesis(fresh_app):
    run(fresh_app, "upgrade")

    with fresh_app.app_context():
        heads = get_session().scalars(select(AuditChainHead)).all()
    assert [(head.id, head.seq, head.last_hash) for head in heads] == [(1, 0, GENESIS_HASH)]


def test_upgrade_twice_is_a_no_op(fresh_app):
    run(fresh_app, "upgrade")

    run(fresh_app, "upgrade")

    assert current_revision(fresh_app) == head_revision(fresh_app)
