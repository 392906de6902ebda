"""Schemathesis against /api/v1/openapi.json: every operation, as every role, must answer without a
server error and with a response the spec documents (status, content type, body schema), and
must refuse what the spec says is invalid.

Bounded in `make test` (FUZZ_EXAMPLES, default 15 examples per operation); `make fuzz` runs
1,000 per operation. Generation is derandomized, so a run is repeatable. Everything written
by one operation's examples is rolled back after it, leaving the module's world (see
tests/matrix/world.py) for the next.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import make_app
from tests.matrix.world import ACTORS, World

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "15"))
SPEC = "/api/v1/openapi.json"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]

# The spec does not depend on the database: read it once, at collection, from an app that never
# connects, so that each operation is its own test (and a new operation is fuzzed automatically).
_SCHEMA = schemathesis.openapi.from_wsgi(SPEC, make_app("sqlite://"))
OPERATIONS = sorted(
    (operation.ok().label for operation in _SCHEMA.get_all_operations()),
)


def test_the_spec_lists_every_api_route() -> None:
    """Each /api/v1 route of the app is an operation of the spec (so each is fuzzed)."""
    app = make_app("sqlite://")
    routes = {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/") and rule.rule != SPEC
        for method in rule.methods or ()
        if method not in ("HEAD", "OPTIONS")
    }
    documented = {(label.split(" ", 1)[0], _flask_rule(label.split(" ", 1)[1])) for label in OPERATIONS}
    assert routes == documented


def _flask_rule(path: str) -> str:
    import re

    return re.sub(r"\{(\w+)\}", r"<int:\1>", path)


@pytest.fixture(scope="module")
def api_schema(app: Flask) -> Any:
    schema = schemathesis.openapi.from_wsgi(SPEC, app)
    # Every request carries a real bearer token of the drawn role: a generated or removed
    # Authorization header would only test that the token is replaced (tests/api covers 401).
    schema.config.generation.update(with_security_parameters=False)
    return schema


@pytest.mark.parametrize("label", OPERATIONS)
@pytest.mark.usefixtures("rolled_back")
def test_operation_survives_fuzzing(label: str, api_schema: Any, world: World, app: Flask) -> None:
    operation = api_schema.find_operation_by_label(label)
    roles = sorted(ACTORS)
    cases = st.one_of(operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE))

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases, actor=st.sampled_from(roles))
    def fuzz(case: Any, actor: str) -> None:
        headers = world.bearer(actor)
        response = case.call(app=app, headers=headers)
        case.validate_response(response, checks=CHECKS, headers=headers, transport_kwargs={"app": app})

    fuzz()
