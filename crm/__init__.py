"""Rabta: the engagement CRM of the National Social Media Coordination Working Group."""

from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path
from typing import Any

from flask import Flask, g, request

from crm import config as config_module
from crm import db, errors, formatting, http, links, logging_setup, navigation, ops, ratelimit, security
from crm.extensions import csrf, login_manager
from crm.storage import Storage

ROOT = Path(__file__).resolve().parent.parent
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app: config → db → login → csrf → blueprints → errors → cli. No I/O."""
    app = Flask(
        __name__,
        instance_path=str(ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.update(config_module.load(Path(app.instance_path), test_config))
    logging_setup.init_app(app)  # first: the request id exists before any other hook logs
    db.init_app(app)
    app.extensions["rabta.storage"] = Storage(Path(app.config["ATTACHMENTS_DIR"]), app.config["MAX_CONTENT_LENGTH"])
    http.init_app(app)  # before blueprints: it sets the bounded <int:...> converter
    ops.init_app(app)  # /healthz, /readyz: answered before the limiter, session loader and token check
    register_write_intent(app)
    register_login(app)
    csrf.init_app(app)
    formatting.init_app(app)
    links.init_app(app)  # the templates' url_for, remembered per route
    app.context_processor(
        lambda: {"viewer": g.get("viewer"), "nav_items": navigation.nav_items, "nav_is_current": navigation.is_current}
    )
    security.init_app(app)
    ratelimit.apply_proxy_fix(app)  # only when PROXY_FIX_* says proxies are trusted
    ratelimit.init_app(app)  # before the blueprints: it must run before the API's token check
    register_blueprints(app)
    errors.register(app)
    register_cli(app)
    return app


def register_write_intent(app: Flask) -> None:
    """Requests that change state begin their SQLite transaction holding the write lock."""

    @app.before_request
    def _mark_write_intent() -> None:
        view = app.view_functions.get(request.endpoint or "")
        if request.method in UNSAFE_METHODS or getattr(view, "writes", False):
            g.write_intent_token = db.set_write_intent(True)

    @app.teardown_request
    def _clear_write_intent(_exc: BaseException | None) -> None:
        token = g.pop("write_intent_token", None)
        if token is not None:
            db._write_intent.reset(token)


def register_login(app: Flask) -> None:
    from crm.accounts.views import load_user_from_session

    login_manager.init_app(app)
    login_manager.user_loader(load_user_from_session)


# Feature packages with pages, in navigation order; each has views.py with a blueprint `bp`.
FEATURES = (
    "accounts",
    "dashboard",
    "companies",
    "contacts",
    "threads",
    "engagements",
    "commitments",
    "followups",
    "notifications",
    "feeds",
    "requests",
    "exceptions",
    "designations",
    "directives",
    "governance",
    "meetings",
    "statements",
    "notes",
    "reviews",
    "datarequests",
    "search",
    "reports",
    "filters",
    "transparency",
    "admin",
    "scheduler",
    "audit",
)


def register_blueprints(app: Flask) -> None:
    from crm.api import init_app as init_api

    for feature in FEATURES:
        # A feature may have no pages (yet): only an absent module is skipped, never a broken one.
        if importlib.util.find_spec(f"crm.{feature}") and importlib.util.find_spec(f"crm.{feature}.views"):
            app.register_blueprint(importlib.import_module(f"crm.{feature}.views").bp)
    init_api(app)


def register_cli(app: Flask) -> None:
    from crm.accounts.cli import users_cli
    from crm.audit.cli import audit_cli
    from crm.backup_cli import backup_command, restore_command
    from crm.cli import db_cli, setup_command
    from crm.commitments.cli import commitments_cli
    from crm.demo.cli import demo_command
    from crm.scheduler.cli import jobs_cli, scheduler_command
    from crm.search.cli import search_cli

    for command in (db_cli, users_cli, audit_cli, setup_command, demo_command, scheduler_command, jobs_cli):
        app.cli.add_command(command)
    for command in (backup_command, restore_command):
        app.cli.add_command(command)
    app.cli.add_command(search_cli)
    app.cli.add_command(commitments_cli)
