"""How the access matrix turns a route of `app.url_map` into a request, for one actor.

Path parameters are filled with the ids of the world's records (tests/matrix/world.py). Pages
get a form POST with a valid CSRF token and no fields; the API gets `{}` as JSON with the
actor's bearer token. Each request runs inside a savepoint rolled back after it, so no
request of the matrix sees what another one wrote.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Connection

from tests.conftest import sign_in
from tests.matrix.world import ACTORS, World

ANONYMOUS = "anonymous"
COLUMNS = (ANONYMOUS, *ACTORS)  # the matrix's columns, in the order of the expectation strings
METHODS = ("GET", "POST", "PATCH", "PUT", "DELETE")
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')

# Which record a path parameter names, by parameter, refined by the route's blueprint.
PARAMETERS: dict[str, str | dict[str, str]] = {
    "user_id": "user",
    "company_id": "company",
    "service_id": "service",
    "contact_id": "contact",
    "thread_id": "thread",
    "engagement_id": "engagement",
    "commitment_id": "commitment",
    "follow_up_id": "follow_up",
    "exception_id": "channel_exception",
    "notification_id": "notification",
    "feed_id": "calendar_feed",
    "session_id": "user_session",
    "filter_id": "saved_filter",
    "designation_id": "designation",
    "directive_id": "directive",
    "review_id": "draft_review",
    "meeting_id": "meeting",
    "decision_id": "decision",
    "statement_id": "statement",
    "nomination_id": "nomination",
    "recommendation_id": "recommendation",
    "request_id": {
        "requests": "engagement_request", "api_engagement_requests": "engagement_request",
        "notes": "notes_request", "api_notes_requests": "notes_request",
        "datarequests": "data_request", "api_data_requests": "data_request",
    },
    "attachment_id": {
        "engagements": "engagement_file", "commitments": "evidence_file", "reviews": "review_file",
        "datarequests": "data_response_file", "directives": "progress_file",
    },
}  # fmt: skip
# Non-id parameters: a value that names nothing (the calendar token is its own credential).
LITERALS = {"token": "not-a-feed-token", "filename": "css/rabta.css", "style": "uk", "fmt": "csv"}
# Parameters that must agree with another one (a service belongs to the company in the path).
COMPANIONS = {"company_id": ("service_id", "service_company"), "meeting_id": ("decision_id", "decision_meeting")}


# What a page form POST carries: the fields most action forms need (a record's version, which
# is 1 in the fresh world, and a note or reason), so that a POST reaches the service's policy
# check rather than stopping at a missing field; forms that need more are re-shown (200/422).
FORM = {"version": "1", "note": "Matrix note.", "reason": "Matrix reason.", "text": "Matrix text."}


class UnclassifiedParameter(LookupError):
    pass


def _value(name: str, blueprint: str, arguments: set[str], world: World) -> str:
    if name in LITERALS:
        return LITERALS[name]
    for companion, (other, key) in COMPANIONS.items():
        if name == companion and other in arguments:
            return str(world.ids[key])
    entry = PARAMETERS.get(name)
    key = entry.get(blueprint) if isinstance(entry, dict) else entry
    if key is None:
        raise UnclassifiedParameter(f"add {name!r} of blueprint {blueprint!r} to tests/matrix/harness.py PARAMETERS")
    return str(world.ids[key])


def url_for_rule(rule: Any, world: World) -> str:
    """The rule's path with every parameter replaced by a record of the world."""
    blueprint = rule.endpoint.split(".", 1)[0]
    arguments = set(rule.arguments)

    def fill(match: re.Match[str]) -> str:
        return _value(match.group(1), blueprint, arguments, world)

    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", fill, rule.rule)


@dataclass
class Actor:
    name: str
    client: FlaskClient
    headers: dict[str, str]
    csrf: str


def sign_in_actors(app: Flask, world: World) -> dict[str, Actor]:
    """One test client per column, signed in once through the real forms (anonymous: not)."""
    actors: dict[str, Actor] = {}
    for name in COLUMNS:
        client = app.test_client()
        headers = {}
        if name != ANONYMOUS:
            response = sign_in(client, world.users[name].username)
            assert response.status_code == 302, (name, response.status_code)
            headers = world.bearer(name)
        page = client.get("/sign-in" if name == ANONYMOUS else "/account/password")
        match = CSRF.search(page.get_data(as_text=True))
        assert match, f"no CSRF token for {name}"
        actors[name] = Actor(name, client, headers, match.group(1) or match.group(2))
    return actors


def perform(actor: Actor, method: str, path: str, connection: Connection) -> tuple[int, str]:
    """The status and body of one request, with everything it wrote undone afterwards."""
    savepoint = connection.begin_nested()
    # Signing out, or a new session cookie, must not carry over to the next request: the
    # client's cookies are put back as they were, as the savepoint puts the rows back.
    cookies = dict(actor.client._cookies or {})
    try:
        if path.startswith("/api/"):
            response = actor.client.open(path, method=method, headers=actor.headers,
                                         json={} if method != "GET" else None)  # fmt: skip
        elif method == "GET":
            response = actor.client.get(path)
        else:
            response = actor.client.open(path, method=method, data={**FORM, "csrf_token": actor.csrf})
        body = response.get_data().decode("utf-8", "replace")
        response.close()  # a file download holds its file open until closed
        return response.status_code, body
    finally:
        if savepoint.is_active:
            savepoint.rollback()
        if actor.client._cookies is not None:
            actor.client._cookies.clear()
            actor.client._cookies.update(cookies)
