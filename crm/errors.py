"""The DomainError family and how it is shown: an HTML page, or the API's JSON error.

Services raise these; they never build HTTP responses. API paths always answer JSON in the
shape of DESIGN.md §5, even for errors raised by Flask itself (unknown URL, bad method).
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


class DomainError(Exception):
    """A refusal or failure the user can understand; `code` is the API's error.code."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, fields: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.fields = fields or {}


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class Conflict(DomainError):
    """The record changed since the user loaded it (R7): never overwrite silently."""

    status = 409
    code = "version_conflict"


class Invalid(DomainError):
    """Input that breaks a rule of shape or meaning; `fields` maps field → messages."""

    status = 422
    code = "validation_failed"


HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "version_conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
    429: "too_many_requests",
    500: "server_error",
}


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def error_body(code: str, message: str, fields: dict[str, Any] | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message}
    if fields:
        error["fields"] = fields
    return {"error": error}


def json_error(status: int, code: str, message: str, fields: dict[str, Any] | None = None) -> Response:
    response = jsonify(error_body(code, message, fields))
    response.status_code = status
    return response


FRIENDLY = {
    403: "Your account does not allow this page or action. If you need it, ask the chair or your administrator.",
    404: "There is nothing at this address. It may have been mistyped, or the record does not exist.",
    405: "This address does not accept that kind of request.",
    413: "The upload is larger than allowed.",
}


def _page(status: int, message: str) -> tuple[str, int]:
    template = f"errors/{status}.html" if status in (403, 404, 409, 500) else "errors/generic.html"
    return render_template(template, status=status, message=message), status


def _rollback() -> None:
    from crm.db import get_session  # a late import: errors is imported by db's users

    get_session().rollback()


def handle_domain_error(error: DomainError) -> Response | tuple[str, int]:
    _rollback()
    if is_api_request():
        return json_error(error.status, error.code, error.message, error.fields)
    return _page(error.status, error.message)


def _webargs_fields(error: HTTPException) -> dict[str, Any]:
    """Field errors that flask-smorest/webargs attach to a 422, flattened by location."""
    messages = getattr(error, "data", {}).get("messages", {}) if hasattr(error, "data") else {}
    fields: dict[str, Any] = {}
    for location_errors in messages.values():
        if isinstance(location_errors, dict):
            fields.update(location_errors)
    return fields


def handle_http_error(error: HTTPException) -> Response | tuple[str, int]:
    status = error.code or 500
    if is_api_request():
        fields = _webargs_fields(error) if status == 422 else {}
        message = "Some fields are not valid." if fields else (error.description or error.name)
        response = json_error(status, HTTP_CODES.get(status, "error"), message, fields)
        if status == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="rabta"'
        return response
    default = error.description is None or error.description == type(error).description
    return _page(status, FRIENDLY.get(status, error.name) if default else str(error.description))


def handle_csrf_error(error: CSRFError) -> Response | tuple[str, int]:
    message = "This form has expired or did not come from Rabta. Go back, reload the page and submit it again."
    if is_api_request():
        return json_error(400, "csrf_failed", message)
    return _page(400, message)


def handle_unexpected(error: Exception) -> Response | tuple[str, int]:
    log.exception("unhandled error on %s %s", request.method, request.path)
    _rollback()
    message = "Something went wrong on our side. Nothing was saved; please try again."
    if is_api_request():
        return json_error(500, "server_error", message)
    return _page(500, message)


def register(app: Flask) -> None:
    """Install the handlers (after extensions that register their own, so ours win)."""
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(Exception, handle_unexpected)
