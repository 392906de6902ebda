"""JSON API v1: bearer-token auth, the error format of DESIGN.md §5, and the OpenAPI spec.

flask-smorest builds /api/v1/openapi.json from the same marshmallow schemas that validate
requests, so the document cannot drift from what the API accepts.
"""

from __future__ import annotations

import importlib
import importlib.util

from flask import Flask, abort, g, request
from flask_smorest import Api

from crm.accounts import queries as account_queries
from crm.accounts.models import User
from crm.accounts.services import token_digest
from crm.api.schemas import ErrorSchema
from crm.db import get_session
from crm.extensions import csrf

API_PREFIX = "/api/v1"
PUBLIC_PATHS = {f"{API_PREFIX}/openapi.json"}


class RabtaApi(Api):
    """flask-smorest's Api, documenting our error body instead of its default one."""

    ERROR_SCHEMA = ErrorSchema


def api_actor() -> User:
    """The user the bearer token belongs to (set by the API's authentication step)."""
    user: User = g.api_user
    return user


def _authenticate() -> None:
    """Bearer tokens only: the browser's session cookie never authenticates the API.

    That is what makes exempting the API from CSRF safe.
    """
    if not request.path.startswith(API_PREFIX + "/") or request.path in PUBLIC_PATHS:
        return
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        abort(401, "Send an API token: Authorization: Bearer <token> (see `flask users token`).")
    user = account_queries.user_for_token(get_session(), token_digest(token.strip()))
    if user is None:
        abort(401, "This API token is not valid: it is unknown, revoked, or its user is deactivated.")
    g.api_user = user


# One module per resource under crm/api/, each with a flask-smorest Blueprint `blp`.
RESOURCES = (
    "me",
    "users",
    "designations",
    "companies",
    "contacts",
    "threads",
    "engagements",
    "commitments",
    "follow_ups",
    "notifications",
    "engagement_requests",
    "channel_exceptions",
    "directives",
    "statements",
    "notes_requests",
    "draft_reviews",
    "data_requests",
    "meetings",
    "recommendations",
    "nominations",
    "search",
    "audit_events",
)


def init_app(app: Flask) -> None:
    api = RabtaApi(app, spec_kwargs={"info": {"description": "Rabta engagement CRM — NSMCWG."}})
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    api.spec.options["security"] = [{"bearerAuth": []}]
    for resource in RESOURCES:
        if importlib.util.find_spec(f"crm.api.{resource}") is None:
            continue  # only an absent module is skipped, never a broken one
        blueprint = importlib.import_module(f"crm.api.{resource}").blp
        api.register_blueprint(blueprint)
        csrf.exempt(blueprint)
    app.before_request(_authenticate)
