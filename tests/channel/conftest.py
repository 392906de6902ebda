"""Helpers for the channel tests' pages and API (their fixtures are in tests/fixtures/common.py)."""

from __future__ import annotations

import re
from typing import Any

ANY_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def page_csrf(client: Any, path: str) -> str:
    """The CSRF token of the page at `path`, as a browser would get it."""
    match = ANY_CSRF.search(client.get(path).get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1) or match.group(2)


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    """The API's one error shape, with the given status and code."""
    assert response.status_code == status, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert error["code"] == code
    assert error["message"]
    return error
