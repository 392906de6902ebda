"""Structured logs: one line per request, and a request id on every line of that request.

`LOG_FORMAT=json` (the production default) writes one JSON object a line, for a log shipper;
`text` writes readable lines for a terminal. Every record emitted while a request is handled
carries that request's id, which is also sent back in the `X-Request-Id` response header, so a
user's report ("it failed, request id ...") leads to every line of that request on any host.

The id comes from the client's `X-Request-Id` only when `TRUST_REQUEST_ID` says a proxy we
control sets it (nginx's `$request_id`); otherwise anyone could pick ids to confuse the trail.

The request line never holds query-string values (search words, `next` targets) nor secret
path segments (a calendar feed's token): only the path and the names of the parameters.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime
from typing import IO, Any
from urllib.parse import quote

from flask import Flask, Response, current_app, g, has_request_context, request
from flask.logging import default_handler
from sqlalchemy import inspect

HEADER = "X-Request-Id"
HANDLER_NAME = "rabta"
FORMATS = ("json", "text")
REQUEST_LOGGER = logging.getLogger("rabta.request")
# What a proxy's id may look like (nginx's $request_id is 32 hex digits); anything else is replaced.
TRUSTED_ID = re.compile(r"[A-Za-z0-9._:-]{8,128}")
# URL variables that are credentials: the request line shows the route's pattern instead.
SECRET_ARGS = frozenset({"token", "secret", "key", "code", "password"})
# Load-balancer probes answer every few seconds: logged only at DEBUG while they succeed.
QUIET_ENDPOINTS = frozenset({"ops.healthz", "ops.readyz"})
PATH_SAFE = "/:@!$&'()*+,;=-._~"
# Attributes every LogRecord has; anything else on a record was passed in `extra=`.
_RECORD_FIELDS = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime", "request_id"}


def current_request_id() -> str | None:
    """The id of the request being handled in this thread, if any."""
    return g.get("request_id") if has_request_context() else None


class RequestIdFilter(logging.Filter):
    """Stamps each record with the current request's id (None outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = current_request_id()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC), level, logger, message, request id, extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None) or current_request_id()
        if request_id:
            entry["request_id"] = request_id
        entry.update({k: v for k, v in vars(record).items() if k not in _RECORD_FIELDS and not k.startswith("_")})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """`time LEVEL logger [request id] message` for people reading a terminal."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        record.request_id = getattr(record, "request_id", None) or current_request_id() or "-"
        return super().format(record)


def make_handler(log_format: str, stream: IO[str] | None = None) -> logging.Handler:
    """A stream handler (stderr by default) writing `log_format` lines with request ids."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.set_name(HANDLER_NAME)
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    handler.addFilter(RequestIdFilter())
    return handler


def configure_logging(log_format: str, level: str = "INFO", stream: IO[str] | None = None) -> logging.Handler:
    """Install our handler on the root logger, replacing the one a previous call installed.

    Other handlers are left alone, so `basicConfig` calls after this one do nothing (the
    scheduler's, for instance) and a host's own logging set-up still works.
    """
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == HANDLER_NAME]:
        root.removeHandler(old)
    handler = make_handler(log_format, stream)
    root.addHandler(handler)
    root.setLevel(level)
    # Even at DEBUG, never SQL with its parameters (hashes, token digests): SQL_ECHO is the switch.
    logging.getLogger("sqlalchemy").setLevel(logging.WARNING)
    return handler


def _request_id() -> str:
    offered = request.headers.get(HEADER, "")
    if current_app.config.get("TRUST_REQUEST_ID") and TRUSTED_ID.fullmatch(offered):
        return offered
    return uuid.uuid4().hex


def _start() -> None:
    g.request_id = _request_id()
    g.request_started = time.perf_counter()


def loggable_path() -> str:
    """The path, ASCII-escaped, with credential segments replaced by the route's pattern."""
    rule = request.url_rule
    if rule is not None and SECRET_ARGS & set(request.view_args or {}):
        return rule.rule
    return quote(request.path, safe=PATH_SAFE)


def _user_id() -> int | None:
    viewer = g.get("viewer")
    if viewer is not None:
        return int(viewer.id)
    api_user = g.get("api_user")
    if api_user is None:
        return None
    identity = inspect(api_user).identity  # never loads: an expired object would query
    return int(identity[0]) if identity else None


def _finish(response: Response) -> Response:
    request_id = g.get("request_id") or _request_id()
    response.headers[HEADER] = request_id
    quiet = request.endpoint in QUIET_ENDPOINTS and response.status_code < 400
    level = logging.DEBUG if quiet else logging.INFO
    if REQUEST_LOGGER.isEnabledFor(level):
        _log_request(level, request_id, response.status_code)
    return response


def _log_request(level: int, request_id: str, status: int) -> None:
    started = g.get("request_started")
    duration = round((time.perf_counter() - started) * 1000, 1) if started is not None else None
    fields = {
        "request_id": request_id,
        "method": request.method,
        "path": loggable_path(),
        "query_keys": sorted(set(request.args.keys())),
        "status": status,
        "duration_ms": duration,
        "user_id": _user_id(),
        "remote_addr": request.remote_addr,
    }
    REQUEST_LOGGER.log(level, "%s %s %s %s ms", fields["method"], fields["path"], status, duration, extra=fields)


def init_app(app: Flask) -> None:
    """Request ids and the request line (the handler is the process's business: configure_for).

    Call it first in create_app: hooks run in the order they were added, so the id exists
    before any other hook can log, and the request line (an after-request hook, run in reverse
    order) is written last, with the final status.
    """
    app.before_request(_start)
    app.after_request(_finish)


def configure_for(app: Flask) -> None:
    """Set up the process's logging from the app's LOG_FORMAT and LOG_LEVEL.

    Called by the entry point (app.py: gunicorn and the `flask` commands), not by create_app:
    logging is global to a process, and the test suite builds many apps in one process.
    """
    configure_logging(app.config["LOG_FORMAT"], app.config["LOG_LEVEL"])
    # Flask adds its own handler to app.logger unless one is configured: lines would be doubled.
    app.logger.removeHandler(default_handler)
