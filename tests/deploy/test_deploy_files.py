"""The example deployment in deploy/ stays in step with the app: every setting is in the env
example and the example passes the app's own checks; gunicorn's file leaves the access log to
the app; nginx takes the upload size, the proxy headers and the probes the app expects."""

from __future__ import annotations

import re
import runpy
from pathlib import Path

import pytest

from crm import config
from tests.hardening.live import ROOT

DEPLOY = ROOT / "deploy"
ENV_EXAMPLE = DEPLOY / "rabta.env.example"
SETTING = re.compile(r'_(?:env|int|bool|rate|int_list)\("([A-Z_]+)"')


def example_values() -> dict[str, str]:
    lines = [line for line in ENV_EXAMPLE.read_text().splitlines() if line and not line.startswith("#")]
    return dict(line.split("=", 1) for line in lines)


def test_every_setting_the_app_reads_is_in_the_env_example():
    read = set(SETTING.findall((ROOT / "crm" / "config.py").read_text()))
    listed = set(re.findall(r"^#?([A-Z_]+)=", ENV_EXAMPLE.read_text(), re.MULTILINE))

    assert read
    assert read - listed == set()


def test_the_env_example_passes_the_apps_checks(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    for name, value in example_values().items():
        monkeypatch.setenv(name, value)

    settings = config.load(tmp_path)

    assert settings["RABTA_ENV"] == "production"
    assert settings["LOG_FORMAT"] == "json"
    assert (settings["PROXY_FIX_X_FOR"], settings["PROXY_FIX_X_PROTO"]) == (1, 1)
    assert settings["TRUST_REQUEST_ID"]
    assert settings["SESSION_COOKIE_SECURE"]
    assert settings["RATELIMIT_STORAGE_URI"].startswith("redis://")


def test_gunicorn_settings_leave_the_access_log_to_the_app(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("GUNICORN_BIND", "127.0.0.1:8002")
    monkeypatch.setenv("WEB_CONCURRENCY", "3")

    settings = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))

    assert (settings["bind"], settings["workers"], settings["accesslog"]) == ("127.0.0.1:8002", 3, None)
    assert settings["logconfig_dict"]["loggers"]["gunicorn.access"]["handlers"] == []
    assert settings["timeout"] < 35  # nginx's proxy_read_timeout


def test_nginx_site_matches_the_apps_settings():
    site = (DEPLOY / "nginx" / "rabta.conf").read_text()
    proxy = (DEPLOY / "nginx" / "rabta-proxy.conf").read_text()
    default_upload_mb = config.load(ROOT / "instance", {"RABTA_ENV": "test", "SECRET_KEY": "x" * 40})[
        "MAX_CONTENT_LENGTH"
    ] // (1024 * 1024)

    body_mb = int(re.search(r"client_max_body_size (\d+)m;", site).group(1))
    assert default_upload_mb <= body_mb <= default_upload_mb + 2
    assert {"127.0.0.1:8001", "127.0.0.1:8002"} <= set(re.findall(r"server (\S+) max_fails", site))
    for header in ("X-Forwarded-For", "X-Forwarded-Proto", "X-Request-Id"):
        assert f"proxy_set_header {header} " in proxy
    assert "location = /healthz" in site
    assert "alias /opt/rabta/static/;" in site


def test_systemd_units_run_gunicorn_with_the_config_file_and_the_scheduler_alone():
    web = (DEPLOY / "systemd" / "rabta-web@.service").read_text()
    scheduler = (DEPLOY / "systemd" / "rabta-scheduler.service").read_text()

    assert "gunicorn -c /opt/rabta/deploy/gunicorn.conf.py app:app" in web
    assert "GUNICORN_BIND=127.0.0.1:%i" in web
    assert "EnvironmentFile=/etc/rabta/rabta.env" in web
    assert "flask --app app scheduler" in scheduler
    assert "EnvironmentFile=/etc/rabta/rabta.env" in scheduler
