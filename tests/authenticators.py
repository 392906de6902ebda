"""The test users' authenticator apps: TOTP secrets and recovery codes, by username.

The sign-in helper completes the second factor through the real pages. A code's time step
may be used once (replay refusal), so each user's last step is remembered and the next
sign-in takes the next step; when the app's window (one step either side of now) is used
up, a recovery code is spent instead, as a person without a fresh code would.
"""

from __future__ import annotations

import html
import re
import time
from dataclasses import dataclass, field
from typing import Any

import pyotp
from flask import redirect

ENROL_PATH = "/account/two-step/set-up"
VERIFY_PATH = "/sign-in/code"
_SECRET = re.compile(r'data-testid="totp-secret">([A-Z2-7 ]+)<')
_ENROLMENT = re.compile(r'name="enrolment" type="hidden" value="([^"]+)"')
_CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
_CODES = re.compile(r'<li><code class="secret">([a-z2-9-]+)</code></li>')
_CONTINUE = re.compile(r'<a class="button" href="([^"]+)">I have saved my codes')


@dataclass
class Authenticator:
    secret: str
    last_step: int
    recovery_codes: list[str] = field(default_factory=list)

    def next_code(self) -> str:
        totp = pyotp.TOTP(self.secret)
        now = totp.timecode(time.time())  # type: ignore[arg-type]
        step = max(self.last_step + 1, now - 1)
        if step > now + 1:
            return self.recovery_codes.pop()
        self.last_step = step
        return totp.generate_otp(step)


APPS: dict[str, Authenticator] = {}


def remember(username: str, secret: str, *, last_step: int, recovery_codes: list[str] | None = None) -> None:
    """Record a user enrolled by a test itself, so the sign-in helper can answer for them."""
    APPS[username] = Authenticator(secret, last_step, list(recovery_codes or []))


def _found(pattern: re.Pattern[str], page: str, what: str) -> str:
    match = pattern.search(page)
    assert match, f"no {what} on the page:\n{page[:2000]}"
    return html.unescape(match.group(1))


def enrol(client: Any, username: str, location: str) -> Any:
    """Set up TOTP on the real page; returns a redirect to where the "continue" link points."""
    page = client.get(location).get_data(as_text=True)
    secret = _found(_SECRET, page, "TOTP secret").replace(" ", "")
    totp = pyotp.TOTP(secret)
    step = totp.timecode(time.time()) - 1  # type: ignore[arg-type]
    data = {
        "csrf_token": _found(_CSRF, page, "CSRF token"),
        "enrolment": _found(_ENROLMENT, page, "enrolment token"),
        "code": totp.generate_otp(step),
    }
    shown = client.post(location, data=data)
    assert shown.status_code == 200, shown.get_data(as_text=True)[:2000]
    codes = _CODES.findall(shown.get_data(as_text=True))
    assert len(codes) == 10, "the recovery codes were not shown"
    APPS[username] = Authenticator(secret, step, codes)
    return redirect(_found(_CONTINUE, shown.get_data(as_text=True), "continue link"))


def verify(client: Any, username: str, location: str) -> Any:
    """Answer the code page with the next unused code of the user's app."""
    assert username in APPS, f"{username} has a second factor the tests do not know"
    page = client.get(location).get_data(as_text=True)
    data = {"csrf_token": _found(_CSRF, page, "CSRF token"), "code": APPS[username].next_code()}
    response = client.post(location, data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return response
