"""The structured request log (crm/logging_setup.py): one line per request with its id, the id
on every line of the request and in the response, and nothing secret in any line."""

from __future__ import annotations

import io
import logging
import re
from pathlib import Path
from typing import Any

import pytest

from crm import config
from crm.logging_setup import HANDLER_NAME, JsonFormatter, configure_logging
from tests.conftest import csrf_token, sign_in
from tests.factories import PASSWORD

GENERATED_ID = re.compile(r"[0-9a-f]{32}")


def _line_of(logs: Any, response: Any) -> dict[str, Any]:
    request_id = response.headers["X-Request-Id"]
    lines = [e for e in logs.requests() if e["request_id"] == request_id]
    assert len(lines) == 1, logs.text
    return lines[0]


def test_each_request_writes_one_json_line_with_its_id_method_path_status_duration_and_user(client, add_user, logs):
    member = add_user(username="log.member")
    assert sign_in(client, member.username).status_code == 302

    response = client.get("/account/sessions")

    assert response.status_code == 200
    assert GENERATED_ID.fullmatch(response.headers["X-Request-Id"])
    line = _line_of(logs, response)
    assert line["level"] == "INFO"
    assert (line["method"], line["path"], line["status"], line["user_id"]) == (
        "GET",
        "/account/sessions",
        200,
        member.id,
    )
    assert isinstance(line["duration_ms"], float)
    assert line["duration_ms"] >= 0
    assert line["message"].startswith("GET /account/sessions 200 ")
    assert line["remote_addr"] == "127.0.0.1"


def test_an_anonymous_request_and_an_unknown_page_are_logged_without_a_user(client, logs):
    redirected = client.get("/account/sessions")
    missing = client.get("/no/such/page")

    assert (_line_of(logs, redirected)["status"], _line_of(logs, redirected)["user_id"]) == (302, None)
    assert (_line_of(logs, missing)["status"], _line_of(logs, missing)["path"]) == (404, "/no/such/page")
    assert redirected.headers["X-Request-Id"] != missing.headers["X-Request-Id"]


def test_the_api_line_names_the_tokens_user(client, add_user, logs, app):
    from crm.db import get_session
    from tests.factories import make_token

    member = add_user(username="log.api")
    with app.app_context():
        session = get_session()
        token = make_token(session, member)
        session.commit()

    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 200
    assert _line_of(logs, response)["user_id"] == member.id
    assert token not in logs.text


def test_every_line_written_during_a_request_carries_that_requests_id(configured_app, logs):
    app = configured_app(RATELIMIT_ENABLED=True, RATELIMIT_SIGN_IN="1 per minute")
    client = app.test_client()
    token = csrf_token(client, "/sign-in")
    form = {"username": "nobody.here", "password": "not-the-password", "csrf_token": token}

    assert client.post("/sign-in", data=form).status_code == 200  # a failed attempt spends the budget
    limited = client.post("/sign-in", data=form)

    assert limited.status_code == 429
    lines = logs.of_request(limited.headers["X-Request-Id"])
    warning = [e for e in lines if e["logger"] == "crm.ratelimit"]
    assert warning
    assert "rate limit" in warning[0]["message"]
    assert [e["status"] for e in lines if e["logger"] == "rabta.request"] == [429]


def test_query_string_values_never_reach_the_log(client, add_user, logs):
    member = add_user(username="log.searcher")
    sign_in(client, member.username)

    response = client.get("/search?q=zanzibarsecret&next=/hidden-target")

    line = _line_of(logs, response)
    assert (line["path"], line["query_keys"]) == ("/search", ["next", "q"])
    assert "zanzibarsecret" not in logs.text
    assert "hidden-target" not in logs.text


def test_a_secret_in_the_path_is_logged_as_the_routes_pattern(client, logs):
    feed_token = "feedtoken-ZYXWVUT-0123456789"

    response = client.get(f"/calendar/{feed_token}.ics")

    assert response.status_code == 404
    assert _line_of(logs, response)["path"] == "/calendar/<token>.ics"
    assert feed_token not in logs.text


def test_control_characters_in_a_path_cannot_forge_log_lines(client, capture_logs):
    logs = capture_logs("text")

    response = client.get("/x%0Aforged INFO line")

    assert response.status_code == 404
    lines = [line for line in logs.text.splitlines() if "rabta.request" in line]
    assert len(lines) == 1
    assert "/x%0Aforged%20INFO%20line" in lines[0]


def test_no_password_appears_in_any_log_line_on_sign_in(client, add_user, logs):
    member = add_user(username="log.signer")
    wrong = "Wrong-Horse-Battery-Staple-9"

    token = csrf_token(client, "/sign-in")
    failed = client.post("/sign-in", data={"username": member.username, "password": wrong, "csrf_token": token})
    succeeded = sign_in(client, member.username)

    assert (failed.status_code, succeeded.status_code) == (200, 302)
    assert [e["status"] for e in logs.requests() if e["path"] == "/sign-in" and e["method"] == "POST"] == [200, 302]
    assert wrong not in logs.text
    assert PASSWORD not in logs.text
    assert token not in logs.text


def test_a_request_id_from_the_client_is_ignored_unless_trusted(configured_app, logs):
    offered = "edge-0123456789abcdef"
    untrusted = configured_app().test_client().get("/healthz", headers={"X-Request-Id": offered})
    trusted = configured_app(TRUST_REQUEST_ID=True).test_client().get("/healthz", headers={"X-Request-Id": offered})

    assert GENERATED_ID.fullmatch(untrusted.headers["X-Request-Id"])
    assert trusted.headers["X-Request-Id"] == offered
    assert logs.of_request(offered)  # the probe's line (at DEBUG) carries the proxy's id


@pytest.mark.parametrize("offered", ["short", "has spaces in it", "x" * 129, "semi;colon-0123456789"])
def test_a_malformed_trusted_request_id_is_replaced(configured_app, offered):
    response = configured_app(TRUST_REQUEST_ID=True).test_client().get("/healthz", headers={"X-Request-Id": offered})

    assert GENERATED_ID.fullmatch(response.headers["X-Request-Id"])


def test_text_format_shows_the_request_id_in_brackets(client, capture_logs):
    logs = capture_logs("text")

    response = client.get("/sign-in")

    request_id = response.headers["X-Request-Id"]
    assert re.search(rf"INFO rabta\.request \[{request_id}\] GET /sign-in 200 ", logs.text), logs.text


def test_a_line_outside_any_request_has_no_request_id_and_keeps_extra_fields():
    record = logging.makeLogRecord({"name": "crm.scheduler", "levelname": "INFO", "msg": "ran %s", "args": ("x",)})
    record.job = "digest"

    line = JsonFormatter().format(record)

    assert '"request_id"' not in line
    assert '"message": "ran x"' in line
    assert '"job": "digest"' in line


def test_configuring_twice_keeps_one_handler_and_hides_sql_even_at_debug(capture_logs):
    capture_logs("json")
    configure_logging("text", "DEBUG", stream=io.StringIO())

    assert len([h for h in logging.getLogger().handlers if h.get_name() == HANDLER_NAME]) == 1
    assert not logging.getLogger("sqlalchemy.engine").isEnabledFor(logging.INFO)


def test_log_format_defaults_to_json_in_production_and_rejects_other_values(monkeypatch, tmp_path: Path):
    monkeypatch.setenv("SECRET_KEY", "production-secret-key-0123456789-abcdefghij")
    monkeypatch.delenv("LOG_FORMAT", raising=False)
    assert config.load(tmp_path, {"RABTA_ENV": "production"})["LOG_FORMAT"] == "json"
    assert config.load(tmp_path, {"RABTA_ENV": "test"})["LOG_FORMAT"] == "text"

    monkeypatch.setenv("LOG_FORMAT", "xml")
    with pytest.raises(config.ConfigError, match="LOG_FORMAT"):
        config.load(tmp_path, {"RABTA_ENV": "test"})
