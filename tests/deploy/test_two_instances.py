"""The multi-host deployment, for real: two gunicorn instances of the app (deploy/gunicorn.conf.py)
and the scheduler, on one PostgreSQL database and one Redis.

A browser signed in on one instance is signed in on the other (sessions live in the database);
a form's CSRF token from one is accepted by the other (same SECRET_KEY); failed sign-ins spread
over both hit one shared limit (Redis); both are live and ready, and an instance that cannot
reach the database is live but not ready; the scheduler lock passes to a standby when its
holder is killed. Every wait has a deadline; every process is stopped at the end.
"""

from __future__ import annotations

import json
import re
import signal
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import redis
import requests
from flask import Flask
from sqlalchemy import select
from sqlalchemy.engine import make_url

from crm.accounts.models import UserSession
from crm.db import get_session
from crm.scheduler.models import SchedulerLease
from tests.conftest import TEST_DATABASE_URL, is_postgres
from tests.factories import PASSWORD, make_user
from tests.hardening.live import ROOT, LiveServer, free_port, running
from tests.hardening.test_rate_limits import needs_redis, redis_reachable
from tests.jobs.fresh import migrated_database
from tests.jobs.test_scheduler_processes import wait_for

pytestmark = pytest.mark.skipif(
    not is_postgres(TEST_DATABASE_URL),
    reason="several app hosts share one PostgreSQL server; set TEST_DATABASE_URL=postgresql+psycopg://...",
)

REDIS_URI = "redis://127.0.0.1:6379/5"  # this module's own Redis database: flushed at start and end
SIGN_IN_LIMIT = 4
# WTForms' field on forms, or the sign-out form's own input in the page header.
CSRF = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')
TIMEOUT = 10


@pytest.fixture(scope="module")
def shared_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A freshly migrated database `<test database>_multi` (also the schedulers' database)."""
    yield from migrated_database(tmp_path_factory.mktemp("multi"), "multi")


@pytest.fixture(scope="module")
def shared_redis() -> Iterator[redis.Redis | None]:
    if not redis_reachable():
        yield None
        return
    client = redis.Redis.from_url(REDIS_URI)
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


def instance(database_url: str, directory: Path, name: str, *, use_redis: bool) -> LiveServer:
    """One app host: gunicorn with the deployment's config file, JSON logs, limits on."""
    server = LiveServer(database_url, directory / "attachments", directory / f"{name}.log")
    server.env.update(
        {
            "GUNICORN_CMD_ARGS": f"-c {ROOT / 'deploy' / 'gunicorn.conf.py'}",
            "RABTA_INSTANCE": name,
            "LOG_FORMAT": "json",
            "RATELIMIT_ENABLED": "true",
            "RATELIMIT_STORAGE_URI": REDIS_URI if use_redis else "memory://",
            "RATELIMIT_KEY_PREFIX": f"rabta-deploy-{uuid.uuid4().hex[:8]}",
            "RATELIMIT_SIGN_IN": f"{SIGN_IN_LIMIT} per minute",
        }
    )
    return server


@pytest.fixture(scope="module")
def cluster(shared_url, shared_redis, tmp_path_factory) -> Iterator[tuple[LiveServer, LiveServer]]:
    directory = tmp_path_factory.mktemp("instances")
    a, b = (instance(shared_url, directory, name, use_redis=shared_redis is not None) for name in ("web-a", "web-b"))
    b.env["RATELIMIT_KEY_PREFIX"] = a.env["RATELIMIT_KEY_PREFIX"]  # one deployment, one prefix
    try:
        with ThreadPoolExecutor(2) as pool:  # start both at once: each takes seconds to import the app
            list(pool.map(LiveServer.start, (a, b)))
        yield a, b
    finally:
        with ThreadPoolExecutor(2) as pool:
            list(pool.map(LiveServer.stop, (a, b)))


@pytest.fixture
def browser() -> Iterator[requests.Session]:
    with requests.Session() as session:  # closed after the test: no idle keep-alive delays a shutdown
        yield session


def form_token(browser: requests.Session, url: str) -> str:
    page = browser.get(url, timeout=TIMEOUT)
    match = CSRF.search(page.text)
    assert match, f"no form on {url} ({page.status_code})"
    return match.group(1)


def add_member(app: Flask, username: str) -> int:
    with app.app_context():
        session = get_session()
        user_id = make_user(session, username=username).id
        session.commit()
    return user_id


def sessions_of(app: Flask, user_id: int) -> list[UserSession]:
    with app.app_context():
        return list(get_session().scalars(select(UserSession).where(UserSession.user_id == user_id)))


def test_a_session_and_a_csrf_token_from_one_instance_work_on_the_other(cluster, observer_app, browser):
    a, b = cluster
    user_id = add_member(observer_app, "multi.member")

    token = form_token(browser, f"{a.url}/sign-in")
    form = {"username": "multi.member", "password": PASSWORD, "csrf_token": token}
    signed_in = browser.post(f"{b.url}/sign-in", data=form, allow_redirects=False, timeout=TIMEOUT)

    assert signed_in.status_code == 302, signed_in.text[:500]  # A's token, checked by B
    for server in (a, b):
        page = browser.get(f"{server.url}/account/sessions", allow_redirects=False, timeout=TIMEOUT)
        assert page.status_code == 200
        assert "Multi Member" in page.text
    [row] = sessions_of(observer_app, user_id)  # the server-side session both instances read
    assert row.ended_at is None

    cookie = browser.cookies.get("rabta_session")
    token = form_token(browser, f"{b.url}/account/sessions")
    assert browser.post(f"{a.url}/sign-out", allow_redirects=False, timeout=TIMEOUT).status_code == 400  # no token
    signed_out = browser.post(f"{a.url}/sign-out", data={"csrf_token": token}, allow_redirects=False, timeout=TIMEOUT)

    assert signed_out.status_code == 302
    replayed = requests.get(
        f"{b.url}/account/sessions", cookies={"rabta_session": cookie}, allow_redirects=False, timeout=TIMEOUT
    )
    assert replayed.status_code == 302
    assert "/sign-in" in replayed.headers["Location"]
    assert sessions_of(observer_app, user_id)[0].ended_at is not None


@needs_redis
def test_failed_sign_ins_spread_over_both_instances_share_one_limit(cluster, shared_redis, browser):
    a, b = cluster
    shared_redis.flushdb()  # only this module's database: earlier tests' counters are gone
    token = form_token(browser, f"{a.url}/sign-in")
    form = {"username": "nobody.anywhere", "password": "not the password", "csrf_token": token}

    responses = [
        browser.post(f"{(a, b)[n % 2].url}/sign-in", data=form, allow_redirects=False, timeout=TIMEOUT)
        for n in range(SIGN_IN_LIMIT + 2)
    ]

    # Two workers on each of two hosts: only one shared counter stops the fifth attempt.
    assert [r.status_code for r in responses] == [200] * SIGN_IN_LIMIT + [429, 429]
    assert int(responses[-1].headers["Retry-After"]) >= 1
    assert shared_redis.keys(f"*{a.env['RATELIMIT_KEY_PREFIX']}*")  # the counters are in Redis


def test_both_instances_are_live_and_ready_and_one_without_its_database_is_live_but_not_ready(
    cluster, shared_url, shared_redis, tmp_path
):
    expected = {"database": "ok", "migrations": "ok"} | ({"redis": "ok"} if shared_redis is not None else {})
    for server in cluster:
        assert requests.get(f"{server.url}/healthz", timeout=TIMEOUT).json() == {"status": "ok"}
        ready = requests.get(f"{server.url}/readyz", timeout=TIMEOUT)
        assert (ready.status_code, ready.json()) == (200, {"status": "ready", "checks": expected})

    nowhere = make_url(shared_url).set(port=free_port()).render_as_string(hide_password=False)
    with running(instance(nowhere, tmp_path, "web-lost", use_redis=shared_redis is not None)) as lost:
        assert requests.get(f"{lost.url}/healthz", timeout=TIMEOUT).status_code == 200
        ready = requests.get(f"{lost.url}/readyz", timeout=TIMEOUT)
        assert ready.status_code == 503
        assert ready.json()["checks"]["database"] == "unreachable"


def _holder(app: Flask) -> str:
    with app.app_context():
        lease = get_session().get(SchedulerLease, "scheduler", populate_existing=True)
        return lease.holder if lease is not None else ""


def test_the_scheduler_lock_passes_to_a_standby_when_its_holder_is_killed(cluster, observer_app, start_scheduler):
    first, first_log = start_scheduler("first")
    wait_for(lambda: "Active: holding" in first_log.read_text(), "the scheduler to take the lock")
    second, second_log = start_scheduler("second")
    wait_for(lambda: "Standby" in second_log.read_text(), "the second scheduler to wait as a standby")
    assert f":{first.pid}:" in _holder(observer_app)

    first.send_signal(signal.SIGKILL)  # the holder dies without releasing anything
    first.wait(timeout=TIMEOUT)

    wait_for(lambda: "Active: holding" in second_log.read_text(), "the standby to take the lock")
    wait_for(lambda: f":{second.pid}:" in _holder(observer_app), "the lease row to name the new holder")
    for server in cluster:  # the web instances never depended on the scheduler
        assert requests.get(f"{server.url}/readyz", timeout=TIMEOUT).status_code == 200


def test_the_instances_log_json_lines_only_with_the_request_id_they_answer_with(cluster):
    a, b = cluster
    answered = requests.get(f"{a.url}/sign-in?next=/secret-place", timeout=TIMEOUT)
    request_id = answered.headers["X-Request-Id"]

    def entries(server: LiveServer) -> list[dict[str, object]]:
        lines = [line for line in server.log.read_text().splitlines() if line.strip()]
        return [json.loads(line) for line in lines]  # any line that is not JSON fails here

    wait_for(lambda: any(e.get("request_id") == request_id for e in entries(a)), "the request line")
    [line] = [e for e in entries(a) if e.get("request_id") == request_id and e["logger"] == "rabta.request"]
    assert (line["path"], line["query_keys"], line["status"]) == ("/sign-in", ["next"], 200)
    assert not [e for e in entries(b) if e.get("request_id") == request_id]
    everything = a.log.read_text() + b.log.read_text()
    assert PASSWORD not in everything
    assert "secret-place" not in everything
    assert {e["logger"] for e in entries(a)} >= {"gunicorn.error", "rabta.request"}
