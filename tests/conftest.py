"""Fixtures: one migrated database per test run, and a transaction rolled back per test.

SQLite by default; PostgreSQL when TEST_DATABASE_URL is set. The schema is built by the real
Alembic migrations (so every run also tests them) and the reference data by the real loader.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import Connection, create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from crm import create_app
from crm.accounts.models import Role, User
from crm.accounts.passwords import use_cheapest_hashing_for_tests
from crm.db import Database, get_session
from tests import authenticators
from tests.factories import PASSWORD, make_user

# seed, rows, login, bearer, store, count_queries...: one copy for every test directory.
pytest_plugins = ["tests.fixtures.common"]

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")

# Real argon2id parameters cost ~50 ms a hash; the suite hashes thousands of times.
use_cheapest_hashing_for_tests()


def is_postgres(url: str) -> bool:
    return url.startswith("postgresql")


def reset_postgres(url: str) -> None:
    """Empty the PostgreSQL test database: drop and recreate its public schema."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def fresh_database_url(directory: Path, name: str) -> str:
    """A new, empty database: a SQLite file, or a new PostgreSQL database beside the test one."""
    if not is_postgres(TEST_DATABASE_URL):
        return f"sqlite:///{directory / (name + '.db')}"
    admin = create_engine(make_url(TEST_DATABASE_URL).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(TEST_DATABASE_URL).set(database=name).render_as_string(hide_password=False)


def make_app(database_url: str, **overrides: object) -> Flask:
    config = {
        "RABTA_ENV": "test",
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
        "DATABASE_URL": database_url,
        "SERVER_NAME": None,
    }
    config.update(overrides)
    return create_app(config)


def migrate_and_seed(app: Flask) -> None:
    """`flask db upgrade` and the reference data, through the real commands' code."""
    from crm.db import get_session
    from crm.organisations.services import load_reference_organisations

    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        session = get_session()
        load_reference_organisations(session)
        session.commit()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    if is_postgres(TEST_DATABASE_URL):
        reset_postgres(TEST_DATABASE_URL)
        return TEST_DATABASE_URL
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'rabta-test.db'}"


@pytest.fixture(scope="session")
def app(database_url: str) -> Iterator[Flask]:
    app = make_app(database_url)
    migrate_and_seed(app)
    yield app
    app.extensions["rabta.db"].engine.dispose()


@pytest.fixture
def connection(app: Flask) -> Iterator[Connection]:
    """An outer transaction that every session of the test joins, rolled back at the end.

    Commits inside the app become savepoint releases, so views and CLI commands run their
    real code and still leave the database as they found it.
    """
    db: Database = app.extensions["rabta.db"]
    connection = db.engine.connect()
    transaction = connection.begin()
    db.sessionmaker.configure(bind=connection, join_transaction_mode="create_savepoint")
    yield connection
    db.sessionmaker.configure(bind=db.engine, join_transaction_mode="conservative_savepoint")
    transaction.rollback()
    connection.close()


@pytest.fixture
def session(app: Flask, connection: Connection) -> Iterator[Session]:
    """A session of the app's own factory (joined to the test transaction), for service tests.

    No app context is pushed: one left open would be reused by the test client's requests,
    carrying flask-login's cached user and `g` from one request to the next.
    """
    session = app.extensions["rabta.db"].sessionmaker()
    yield session
    session.close()


@pytest.fixture
def client(app: Flask, connection: Connection) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask, connection: Connection) -> FlaskCliRunner:
    return app.test_cli_runner()


CSRF_PATTERN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def csrf_token(client: FlaskClient, path: str) -> str:
    """The CSRF token from the form on `path`, as a browser would get it."""
    page = client.get(path)
    match = CSRF_PATTERN.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {path} (status {page.status_code})"
    return match.group(1)


def sign_in(client: FlaskClient, username: str, password: str = PASSWORD, next_url: str | None = None):  # noqa: ANN201
    """Submit the real sign-in form, then the second-factor step when the app asks for one.

    Users who must have a second factor (chair, admins, designation holders) are enrolled
    through the real set-up page the first time, as a person would; see authenticators.
    """
    token = csrf_token(client, "/sign-in")
    path = "/sign-in" + (f"?next={next_url}" if next_url else "")
    response = client.post(path, data={"username": username, "password": password, "csrf_token": token})
    location = response.headers.get("Location", "") if response.status_code == 302 else ""
    if location.startswith(authenticators.ENROL_PATH):
        return authenticators.enrol(client, username, location)
    if location.startswith(authenticators.VERIFY_PATH):
        return authenticators.verify(client, username, location)
    return response


# Data set-up for page and API tests: each helper commits in its own short app context
# (into the test's outer transaction), as a separate request of the app would.
@pytest.fixture
def add_user(app: Flask, connection: Connection):  # noqa: ANN201
    def add(**kwargs: Any) -> User:
        with app.app_context():
            session = get_session()
            user = make_user(session, **kwargs)
            session.commit()
        return user

    return add


@pytest.fixture
def load_user(app: Flask, connection: Connection):  # noqa: ANN201
    def load(user_id: int) -> User | None:
        with app.app_context():
            return get_session().get(User, user_id)

    return load


@pytest.fixture
def count(app: Flask, connection: Connection):  # noqa: ANN201
    def count_rows(model: Any) -> int:
        with app.app_context():
            return get_session().scalar(select(func.count()).select_from(model)) or 0

    return count_rows


@pytest.fixture
def admin_client(client: FlaskClient, add_user: Any) -> FlaskClient:
    """A test client signed in as a fresh admin."""
    admin = add_user(role=Role.ADMIN, username="root.admin")
    assert sign_in(client, admin.username).status_code == 302
    return client
