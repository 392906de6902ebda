"""Fixtures for the second-factor and session tests: committed set-up steps, cookie reading."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from crm.audit.models import AuditEvent
from crm.db import get_session


@pytest.fixture
def seed(app: Flask, connection: Any) -> Callable[[Callable[[Any], Any]], Any]:
    """Run `build(session)` as a separate request would, committed into the test transaction."""

    def run(build: Callable[[Any], Any]) -> Any:
        with app.app_context():
            session = get_session()
            result = build(session)
            session.commit()
        return result

    return run


@pytest.fixture
def rows(app: Flask, connection: Any) -> Callable[..., tuple[int, ...]]:
    """Row counts of the given models, then of audit events: proof that a refusal wrote nothing."""

    def counts(*models: Any) -> tuple[int, ...]:
        with app.app_context():
            session = get_session()
            return tuple(session.scalar(select(func.count()).select_from(m)) or 0 for m in (*models, AuditEvent))

    return counts


def cookie_session(app: Flask, client: Any) -> dict[str, Any]:
    """What the browser's (signed) session cookie holds."""
    cookie = client.get_cookie("rabta_session")
    if cookie is None:
        return {}
    data: dict[str, Any] = app.session_interface.get_signing_serializer(app).loads(cookie.value)  # type: ignore[attr-defined]
    return data
