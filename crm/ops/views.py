"""/healthz (the process answers; no database) and /readyz (ready to serve: database, schema,
rate-limit store). Both are public, exempt from CSRF and rate limits, and never cached.

They are answered by an early before-request hook, ahead of the rate limiter, the session
loader (which reads the database when a cookie is sent) and the API's token check: a probe
must not depend on what it is not checking, nor spend anyone's budget.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Flask, Response, current_app, g, jsonify, request

from crm.db import database
from crm.extensions import csrf, login_manager
from crm.ops import readiness

bp = Blueprint("ops", __name__)
MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def _probe_response(body: dict[str, object], status: int) -> Response:
    response = jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/healthz")
def healthz() -> Response:
    """Liveness: this process can answer. For the load balancer's upstream checks."""
    return _probe_response({"status": "ok"}, 200)


@bp.route("/readyz")
def readyz() -> Response:
    """Readiness: 200 when every check is `ok`, else 503 naming the failed check (no detail)."""
    checks = readiness.database_states(database().engine, readiness.script_revisions(MIGRATIONS))
    uri = current_app.config["RATELIMIT_STORAGE_URI"]
    if current_app.config["RATELIMIT_ENABLED"] and readiness.uses_redis(uri):
        checks["redis"] = readiness.redis_state(uri)
    ready = all(state == readiness.OK for state in checks.values())
    return _probe_response({"status": "ready" if ready else "not_ready", "checks": checks}, 200 if ready else 503)


PROBES = {"ops.healthz": healthz, "ops.readyz": readyz}


def _answer_probes_first() -> Response | None:
    # A value returned by a before-request hook ends the request: no later hook runs.
    probe = PROBES.get(request.endpoint or "")
    if probe is None or request.method not in ("GET", "HEAD"):
        return None
    # A probe is anonymous whatever cookie it sends: after-request hooks that ask flask-login
    # for the user (security headers) must not run the session loader, which reads the database.
    g._login_user = login_manager.anonymous_user()
    return probe()


def init_app(app: Flask) -> None:
    """Register the probes; call it before any other before-request hook but the logging's."""
    app.register_blueprint(bp)
    csrf.exempt(bp)
    app.before_request(_answer_probes_first)
