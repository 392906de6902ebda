"""Helpers for the session tests (seed and rows come from tests/fixtures/common.py): cookie reading."""

from __future__ import annotations

from typing import Any

from flask import Flask


def cookie_session(app: Flask, client: Any) -> dict[str, Any]:
    """What the browser's (signed) session cookie holds."""
    cookie = client.get_cookie("rabta_session")
    if cookie is None:
        return {}
    data: dict[str, Any] = app.session_interface.get_signing_serializer(app).loads(cookie.value)  # type: ignore[attr-defined]
    return data
