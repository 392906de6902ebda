"""Rate limits (crm/ratelimit.py): sign-in, MFA, API tokens, the calendar feed; proxies; Redis."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from crm import create_app
from crm.accounts.models import User
from crm.audit.models import AuditEvent
from crm.config import ConfigError
from crm.db import get_session
from crm.ratelimit import RULES, covered_endpoints
from tests.conftest import csrf_token, sign_in
from tests.factories import make_token

REDIS = ("127.0.0.1", 6379)
OTHER_ADDRESS = {"REMOTE_ADDR": "10.9.8.7"}


def redis_reachable() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


needs_redis = pytest.mark.skipif(not redis_reachable(), reason="no Redis on 127.0.0.1:6379")


def audit_count(app: Flask) -> int:
    with app.app_context():
        return get_session().scalar(select(func.count()).select_from(AuditEvent)) or 0


def token_for(app: Flask, user: User) -> dict[str, str]:
    with app.app_context():
        session = get_session()
        token = make_token(session, session.get(User, user.id))
        session.commit()
    return {"Authorization": f"Bearer {token}"}


def wrong_sign_in(client: Any, username: str, **environ: str) -> Any:
    token = csrf_token(client, "/sign-in")
    return client.post(
        "/sign-in",
        data={"username": username, "password": "not-the-password", "csrf_token": token},
        environ_base=environ,
    )


def test_limits_are_off_in_the_test_suite_and_on_elsewhere(app: Flask, tmp_path: Any) -> None:
    assert app.config["RATELIMIT_ENABLED"] is False
    assert "rabta.limiter" not in app.extensions
    production_like = create_app({"RABTA_ENV": "development", "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"})
    assert production_like.config["RATELIMIT_ENABLED"] is True
    assert production_like.config["RATELIMIT_STORAGE_URI"] == "memory://"
    assert "rabta.limiter" in production_like.extensions


def test_failed_sign_ins_beyond_the_limit_get_429_and_are_not_even_checked(configured_app: Any, add_user: Any) -> None:
    app = configured_app(RATELIMIT_ENABLED=True, RATELIMIT_SIGN_IN="3 per minute")
    user = add_user(username="limited.user")
    client = app.test_client()
    for _ in range(3):
        assert wrong_sign_in(client, user.username).status_code == 200
    before = audit_count(app)

    refused = wrong_sign_in(client, user.username)

    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) >= 1
    page = refused.get_data(as_text=True)
    assert "<h1>Too many attempts</h1>" in page
    assert "try again" in page
    assert audit_count(app) == before  # the attempt never reached authenticate(): nothing audited
    # The right password is refused too while the address is limited (the limit comes first) ...
    assert sign_in(client, user.username).status_code == 429
    # ... but another address is not affected.
    other = app.test_client()
    assert wrong_sign_in(other, user.username, **OTHER_ADDRESS).status_code == 200


def test_successful_sign_ins_do_not_spend_the_budget(configured_app: Any, add_user: Any) -> None:
    app = configured_app(RATELIMIT_ENABLED=True, RATELIMIT_SIGN_IN="2 per minute")
    users = [add_user(username=f"office.user{n}") for n in range(4)]
    for user in users:  # a busy office behind one address signs in without hindrance
        assert sign_in(app.test_client(), user.username).status_code == 302


def test_the_database_lockout_stays_the_authority(configured_app: Any, add_user: Any, load_user: Any) -> None:
    app = configured_app(RATELIMIT_ENABLED=True, RATELIMIT_SIGN_IN="100 per minute", LOCKOUT_THRESHOLD=3)
    user = add_user(username="lockout.user")
    for n in range(3):  # from three addresses: the per-address limit never bites
        wrong_sign_in(app.test_client(), user.username, REMOTE_ADDR=f"10.0.0.{n}")
    assert load_user(user.id).locked_until is not None
    assert sign_in(app.test_client(), user.username).status_code == 200  # locked: the form again


def test_forwarded_for_is_ignored_without_a_proxy_setting(configured_app: Any, add_user: Any) -> None:
    app = configured_app(RATELIMIT_ENABLED=True, RATELIMIT_SIGN_IN="2 per minute")
    user = add_user(username="spoofing.user")
    client = app.test_client()
    statuses = [
        wrong_sign_in(client, user.username, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code for n in range(3)
    ]
    assert statuses == [200, 200, 429]  # a made-up X-Forwarded-For does not buy a new budget
    with app.app_context():
        ips = get_session().scalars(select(AuditEvent.ip).where(AuditEvent.action == "auth.sign_in_failed")).all()
    assert "203.0.113.0" not in ips


def test_forwarded_for_is_the_client_behind_one_trusted_proxy(configured_app: Any, add_user: Any) -> None:
    app = configured_app(RATELIMIT_ENABLED=True, RATELIMIT_SIGN_IN="2 per minute", PROXY_FIX_X_FOR=1)
    user = add_user(username="proxied.user")
    client = app.test_client()
    for n in range(3):  # three clients behind the proxy: three budgets
        assert wrong_sign_in(client, user.username, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code == 200
    for _ in range(2):
        wrong_sign_in(client, user.username, HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert wrong_sign_in(client, user.username, HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 429
    # Only the last hop counts: a client cannot prepend an address of its choosing.
    spoofed = wrong_sign_in(client, user.username, HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7")
    assert spoofed.status_code == 429
    with app.app_context():
        ips = set(
            get_session()
            .scalars(
                select(AuditEvent.ip).where(
                    AuditEvent.action == "auth.sign_in_failed", AuditEvent.target_id == str(user.id)
                )
            )
            .all()
        )
    assert {"203.0.113.0", "203.0.113.2", "198.51.100.7"} <= ips  # the audit log names the real client


def test_api_requests_are_limited_per_token_with_a_json_429(configured_app: Any, add_user: Any) -> None:
    app = configured_app(RATELIMIT_ENABLED=True, RATELIMIT_API="3 per minute")
    user = add_user(username="api.user")
    first, second = token_for(app, user), token_for(app, user)
    client = app.test_client()
    assert [client.get("/api/v1/me", headers=first).status_code for _ in range(3)] == [200, 200, 200]

    refused = client.get("/api/v1/companies", headers=first)

    assert refused.status_code == 429
    assert refused.get_json()["error"]["code"] == "too_many_requests"
    assert int(refused.headers["Retry-After"]) >= 1
    assert refused.headers["Content-Type"].startswith("application/json")
    assert client.get("/api/v1/me", headers=second).status_code == 200  # each token has its own budget
    assert client.get("/api/v1/openapi.json").status_code == 200  # the public spec is not limited


def test_refused_api_tokens_are_limited_per_address(configured_app: Any, add_user: Any) -> None:
    app = configured_app(RATELIMIT_ENABLED=True, RATELIMIT_API_AUTH_FAILURES="2 per minute")
    user = add_user(username="api.guessed")
    client = app.test_client()
    guesses = [client.get("/api/v1/me", headers={"Authorization": f"Bearer rbt_guess{n}"}) for n in range(3)]
    assert [r.status_code for r in guesses] == [401, 401, 429]
    assert guesses[-1].get_json()["error"]["code"] == "too_many_requests"
    # A guessing address is held back even with a good token; other addresses are not.
    good = token_for(app, user)
    assert client.get("/api/v1/me", headers=good).status_code == 429
    assert client.get("/api/v1/me", headers=good, environ_base=OTHER_ADDRESS).status_code == 200


def test_calendar_feed_fetches_are_limited(configured_app: Any) -> None:
    app = configured_app(RATELIMIT_ENABLED=True, RATELIMIT_FEED="2 per minute")
    client = app.test_client()
    assert [client.get(f"/calendar/guess{n}.ics").status_code for n in range(3)] == [404, 404, 429]


def test_code_checks_of_mfa_endpoints_are_limited_by_name(configured_app: Any) -> None:
    app = configured_app(RATELIMIT_ENABLED=True, RATELIMIT_MFA="2 per minute", WTF_CSRF_ENABLED=False)
    # A stand-in with the naming the MFA pages use: the table covers them by name, not by import.
    app.add_url_rule("/mfa-probe", "accounts.mfa_probe", lambda: "wrong code", methods=["GET", "POST"])
    client = app.test_client()
    assert [client.post("/mfa-probe").status_code for _ in range(3)] == [200, 200, 429]
    assert client.get("/mfa-probe").status_code == 200  # only submitted codes are limited


def test_the_table_covers_sign_in_mfa_the_feed_and_every_api_endpoint_but_the_spec(app: Flask) -> None:
    covered = {rule.scope: covered_endpoints(app, rule) for rule in RULES}
    assert covered["sign_in"] == ["accounts.sign_in"]
    assert covered["calendar_feed"] == ["feeds.ics"]
    assert all(e.startswith("accounts.") for e in covered["mfa"])
    api = {r.endpoint for r in app.url_map.iter_rules() if r.rule.startswith("/api/v1/")}
    assert set(covered["api"]) == set(covered["api_auth"]) == api - {"api-docs.openapi_json"}
    assert "api-docs.openapi_json" in api
    assert len(covered["api"]) > 30


@needs_redis
def test_redis_makes_one_budget_for_every_worker(configured_app: Any) -> None:
    settings = {
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_FEED": "3 per minute",
        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
    }
    worker_a = configured_app(**settings)
    worker_b = configured_app(**settings, RATELIMIT_KEY_PREFIX=worker_a.config["RATELIMIT_KEY_PREFIX"])
    statuses = [
        (worker_a if n % 2 else worker_b).test_client().get("/calendar/guess.ics").status_code for n in range(4)
    ]
    assert statuses == [404, 404, 404, 429]  # the two "workers" share the counters


def test_an_unreachable_redis_falls_back_to_memory_without_failing_requests(configured_app: Any) -> None:
    app = configured_app(
        RATELIMIT_ENABLED=True, RATELIMIT_FEED="2 per minute", RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0"
    )
    client = app.test_client()
    assert [client.get("/calendar/guess.ics").status_code for _ in range(3)] == [404, 404, 429]


@pytest.mark.parametrize(
    ("variable", "value"),
    [("RATELIMIT_SIGN_IN", "ten a minute"), ("RATELIMIT_STORAGE_URI", "memcached://x"), ("PROXY_FIX_X_FOR", "one")],
)
def test_bad_settings_fail_at_start_up(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError, match=variable):
        create_app({"RABTA_ENV": "test", "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"})
