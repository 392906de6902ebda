"""/healthz and /readyz (crm/ops): public, never rate limited, no database for liveness, and
readiness that fails (503) naming the check, never the detail, when something is not right."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from crm.ops.readiness import Revisions, migration_state
from tests.conftest import make_app, sign_in
from tests.hardening.test_rate_limits import needs_redis

UNREACHABLE_DB = "postgresql+psycopg://rabta_probe:probe-password@127.0.0.1:1/rabta_nowhere"
# Words a failure body must never hold: hosts, ports, users, drivers, revisions, tracebacks.
DETAIL = ("127.0.0.1", "rabta_probe", "rabta_nowhere", "probe-password", "psycopg", "Traceback", "alembic", "0007")


@pytest.fixture
def statements(app) -> Callable[[Callable[[], Any]], list[str]]:
    """The SQL statements sent while `work()` runs, on any connection of the app's engine."""

    def during(work: Callable[[], Any]) -> list[str]:
        seen: list[str] = []

        def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            seen.append(statement)

        engine = app.extensions["rabta.db"].engine
        event.listen(engine, "before_cursor_execute", note)
        try:
            work()
        finally:
            event.remove(engine, "before_cursor_execute", note)
        return seen

    return during


@pytest.fixture
def other_app() -> Any:
    built: list[Any] = []

    def build(url: str, **settings: Any) -> Any:
        app = make_app(url, **settings)
        built.append(app)
        return app

    yield build
    for app in built:
        app.extensions["rabta.db"].engine.dispose()


def test_healthz_answers_anyone_without_touching_the_database(client, statements):
    responses: list[Any] = []

    sent = statements(lambda: responses.append(client.get("/healthz")))

    assert (responses[0].status_code, responses[0].get_json()) == (200, {"status": "ok"})
    assert responses[0].headers["Cache-Control"] == "no-store"
    assert sent == []


def test_readyz_is_ready_on_a_migrated_database(client):
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.get_json() == {"status": "ready", "checks": {"database": "ok", "migrations": "ok"}}
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_costs_one_query_when_all_is_well(client, statements):
    client.get("/readyz")  # the migration scripts are read once per process

    sent = statements(lambda: client.get("/readyz"))

    queries = [s for s in sent if s.lstrip().upper().startswith("SELECT")]  # not SQLite's BEGIN
    assert queries == ["SELECT version_num FROM alembic_version"]


def test_readyz_is_not_ready_before_the_migrations_ran(other_app, tmp_path: Path):
    client = other_app(f"sqlite:///{tmp_path / 'empty.db'}").test_client()

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.get_json() == {"status": "not_ready", "checks": {"database": "ok", "migrations": "pending"}}


def test_an_unreachable_database_fails_readyz_only_and_the_body_tells_no_detail(other_app, client, add_user):
    member = add_user(username="probe.member")
    sign_in(client, member.username)  # a signed-in browser's cookie, sent to a host without its database
    broken = other_app(UNREACHABLE_DB).test_client()
    broken.set_cookie("rabta_session", client.get_cookie("rabta_session").value)

    alive, ready = broken.get("/healthz"), broken.get("/readyz")

    assert alive.status_code == 200  # no session lookup: liveness needs no database
    assert ready.status_code == 503
    assert ready.get_json() == {"status": "not_ready", "checks": {"database": "unreachable", "migrations": "unknown"}}
    assert not [word for word in DETAIL if word in ready.get_data(as_text=True)]


def test_an_unreachable_redis_fails_readyz_when_rate_limits_use_it(configured_app):
    app = configured_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0")

    response = app.test_client().get("/readyz")

    assert response.status_code == 503
    assert response.get_json()["checks"] == {"database": "ok", "migrations": "ok", "redis": "unreachable"}
    assert "127.0.0.1" not in response.get_data(as_text=True)


@needs_redis
def test_a_reachable_redis_is_part_of_readiness(configured_app):
    app = configured_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/5")

    response = app.test_client().get("/readyz")

    assert (response.status_code, response.get_json()["checks"]["redis"]) == (200, "ok")


def test_probes_spend_no_rate_limit_budget(configured_app):
    tight = "1 per minute"
    app = configured_app(RATELIMIT_ENABLED=True, RATELIMIT_SIGN_IN=tight, RATELIMIT_API=tight, RATELIMIT_FEED=tight)
    client = app.test_client()

    statuses = {client.get(path).status_code for path in ("/healthz", "/readyz") * 5}

    assert statuses == {200}
    assert {client.get("/calendar/x.ics").status_code for _ in range(2)} == {404, 429}  # the limiter is on


def test_probes_do_not_ask_for_a_session_or_csrf_and_refuse_writes(client):
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405
    assert client.get("/readyz", headers={"Authorization": "Bearer not-a-token"}).status_code == 200


@pytest.mark.parametrize(
    ("stamped", "state"),
    [({"b"}, "ok"), ({"a"}, "pending"), (set(), "pending"), ({"z"}, "unknown"), ({"a", "b"}, "pending")],
)
def test_migration_state_compares_the_stamp_with_the_scripts(stamped, state):
    assert migration_state(stamped, Revisions(heads=frozenset({"b"}), known=frozenset({"a", "b"}))) == state
