"""The access matrix: every route of the app × every method it answers × every role and both
designations (and no one signed in), against the expectation table in expectations.py.

The routes come from `app.url_map`, so a new route without a row in the table fails
`test_every_route_is_classified` until someone decides who may use it. The table was
reviewed against DESIGN.md §3 and docs/decisions.md (see the comments there); to see what the
app does now, run with MATRIX_RECORD=1 and diff (never copy it over unreviewed).

Leaks: no response to a reader R5 refuses ever contains the engagement's minutes (a marker
word in them is searched for in every body), and records with per-record visibility answer
404 to a guess — the same 404 as an id that does not exist.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Connection

from tests.conftest import make_app
from tests.matrix.expectations import EXPECTED
from tests.matrix.harness import COLUMNS, METHODS, Actor, perform, sign_in_actors, url_for_rule
from tests.matrix.world import SECRET_MARKER, World

# Readers R5 refuses for the world's confidential engagement (no grant, not a keeper of minutes).
MINUTES_REFUSED = ("anonymous", "admin", "member", "observer", "spokesperson")
MINUTES_READERS = ("chair", "secretariat", "focal")


def _routes(app: Flask) -> list[tuple[str, str]]:
    found = []
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods or ()):
            if method in METHODS:
                found.append((method, rule.rule))
    return sorted(found, key=lambda item: (item[1], item[0]))


ROUTES = _routes(make_app("sqlite://"))


def test_every_route_is_classified() -> None:
    """A route nobody classified fails here: add its row to expectations.py."""
    keys = {f"{method} {rule}" for method, rule in ROUTES}
    assert sorted(keys - set(EXPECTED)) == [], "routes without an expectation"
    assert sorted(set(EXPECTED) - keys) == [], "expectations for routes that no longer exist"


@pytest.fixture(scope="module")
def actors(app: Flask, world: World) -> dict[str, Actor]:
    return sign_in_actors(app, world)


@pytest.fixture(scope="module")
def observed(app: Flask, world: World, actors: dict[str, Actor], module_connection: Connection) -> Iterator[Any]:
    """Status and body of every route × column, requested once for the module."""
    rules = {rule.rule: rule for rule in app.url_map.iter_rules()}
    results: dict[str, dict[str, tuple[int, str]]] = {}
    for method, rule in ROUTES:
        path = url_for_rule(rules[rule], world)
        results[f"{method} {rule}"] = {
            column: perform(actors[column], method, path, module_connection) for column in COLUMNS
        }
    yield results
    if os.environ.get("MATRIX_RECORD"):
        _record(results)


def _record(results: dict[str, dict[str, tuple[int, str]]]) -> None:
    with open("/tmp/matrix-observed.txt", "w") as out:  # noqa: S108 (a developer's scratch file)
        for key, row in results.items():
            out.write(f'    "{key}": "{" ".join(str(row[c][0]) for c in COLUMNS)}",\n')
    with open("/tmp/matrix-bodies.txt", "w") as out:  # noqa: S108
        for key, row in results.items():
            for column in COLUMNS:
                out.write(f"=== {key} | {column} | {row[column][0]}\n{row[column][1][:6000]}\n")


@pytest.mark.parametrize(("method", "rule"), ROUTES, ids=[f"{m} {r}" for m, r in ROUTES])
def test_route_answers_each_role_as_expected(method: str, rule: str, observed: Any) -> None:
    key = f"{method} {rule}"
    if key not in EXPECTED:
        pytest.fail(f"{key} is not classified: add its row to tests/matrix/expectations.py")
    expected = dict(zip(COLUMNS, (int(code) for code in EXPECTED[key].split()), strict=True))
    actual = {column: observed[key][column][0] for column in COLUMNS}
    assert actual == expected


@pytest.mark.parametrize(("method", "rule"), ROUTES, ids=[f"{m} {r}" for m, r in ROUTES])
def test_no_response_carries_minutes_to_a_refused_reader(method: str, rule: str, observed: Any) -> None:
    row = observed[f"{method} {rule}"]
    leaks = [column for column in MINUTES_REFUSED if SECRET_MARKER in row[column][1]]
    assert leaks == []


def test_the_minutes_marker_is_found_where_minutes_may_be_read(observed: Any) -> None:
    """The leak check can fail: the keepers of minutes do see the marker on the engagement."""
    for key in ("GET /engagements/<int:engagement_id>", "GET /api/v1/engagements/<int:engagement_id>"):
        for column in MINUTES_READERS:
            assert SECRET_MARKER in observed[key][column][1], (key, column)


# Records with per-record visibility: the path parameter, the page that shows one (its 404
# marks who may not see it; None: only its owner, who is none of the columns), and text of it
# that must not appear in any answer to those people.
PRIVATE = {
    "follow_up_id": ("GET /follow-ups/<int:follow_up_id>", "Owner's own item"),
    "exception_id": ("GET /exceptions/<int:exception_id>", "outside the channel"),
    "notification_id": (None, "For the owner only"),
    "feed_id": (None, None),
    "filter_id": (None, "status=open"),
    "session_id": (None, None),
}
PRIVATE_REQUESTS = {
    "requests": ("GET /requests/<int:request_id>", "takedown backlog"),
    "api_engagement_requests": ("GET /requests/<int:request_id>", "takedown backlog"),
    "notes": ("GET /notes/<int:request_id>", "Preparing the brief"),
    "api_notes_requests": ("GET /notes/<int:request_id>", "Preparing the brief"),
}
GUESS = "2147483647"  # an id no record has


def _private(rule: Any) -> tuple[str, str | None, str | None] | None:
    blueprint = rule.endpoint.split(".", 1)[0]
    for name in rule.arguments:
        if name in PRIVATE:
            return name, *PRIVATE[name]
        if name == "request_id" and blueprint in PRIVATE_REQUESTS:
            return name, *PRIVATE_REQUESTS[blueprint]
    return None


def test_guessing_the_id_of_a_record_one_may_not_see_is_a_plain_404(
    app: Flask,
    world: World,
    actors: dict[str, Actor],
    observed: Any,
    module_connection: Connection,
) -> None:
    """IDOR: for everyone who may not see a private record, every route on it answers exactly as
    for an id that does not exist, and no answer carries its text."""
    checked, differ = 0, []
    for method, rule_text in ROUTES:
        rule = next(r for r in app.url_map.iter_rules() if r.rule == rule_text)
        private = _private(rule)
        if private is None:
            continue
        name, detail, text = private
        guessed = _with_guess(rule, world, name)
        for column in COLUMNS[1:]:
            if detail is not None and observed[detail][column][0] != 404:
                continue  # this actor may see the record
            real = observed[f"{method} {rule_text}"][column]
            fake = perform(actors[column], method, guessed, module_connection)
            if real[0] != fake[0]:
                differ.append(f"{method} {rule_text} as {column}: {real[0]}, for a guess {fake[0]}")
            assert text is None or text not in real[1], (method, rule_text, column)
            checked += 1
    assert differ == [], "\n".join(differ)
    assert checked > 50


def _with_guess(rule: Any, world: World, name: str) -> str:
    """The rule's path for the world's records, except `name`, which gets an id nobody has."""
    pattern = re.compile(rf"<(?:[^:<>]+:)?{name}>")
    segments = zip(rule.rule.split("/"), url_for_rule(rule, world).split("/"), strict=True)
    return "/".join(
        pattern.sub(GUESS, template) if pattern.search(template) else filled for template, filled in segments
    )
