"""Rate limits: a first line against guessing and floods, in front of the database lockout.

The authority on an account stays the lockout stored on the user row (it holds across
workers, hosts and restarts); these limits only slow a client down before it reaches it. One
table below names every limited endpoint, applied once the blueprints are registered, so the
views carry no decorator and an endpoint that does not exist (yet) is simply skipped.

Counters live in memory (one process) unless `RATELIMIT_STORAGE_URI=redis://...` makes them
shared by every worker and host. If Redis stops answering, each process falls back to its own
memory counters and logs it: requests are never refused because the limiter is unwell.

The client is `request.remote_addr`: the peer, never `X-Forwarded-For`, unless the deployment
says how many proxies it trusts (`PROXY_FIX_X_FOR=1` ...), see `apply_proxy_fix`.
"""

from __future__ import annotations

import fnmatch
import hashlib
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, Response, current_app, render_template, request
from flask_limiter import Limit, Limiter, RequestLimit
from flask_limiter.errors import RateLimitExceeded
from werkzeug.middleware.proxy_fix import ProxyFix

from crm.errors import is_api_request, json_error

log = logging.getLogger(__name__)

API_PREFIX = "/api/v1/"
MESSAGE = "Too many requests from your address. Wait a little, then try again."
PROXY_SETTINGS = {
    "x_for": "PROXY_FIX_X_FOR",
    "x_proto": "PROXY_FIX_X_PROTO",
    "x_host": "PROXY_FIX_X_HOST",
    "x_port": "PROXY_FIX_X_PORT",
    "x_prefix": "PROXY_FIX_X_PREFIX",
}


def client_key() -> str:
    """The peer address (after ProxyFix, when one is configured)."""
    return "ip:" + (request.remote_addr or "unknown")


def api_key() -> str:
    """The bearer token's digest when one is sent (one budget per token), else the address."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return "token:" + hashlib.sha256(token.strip().encode()).hexdigest()
    return client_key()


def failed(response: Response) -> bool:
    """A sign-in or code check that did not succeed (success redirects)."""
    return not 300 <= response.status_code < 400


def unauthenticated(response: Response) -> bool:
    return response.status_code == 401


@dataclass(frozen=True)
class Rule:
    """One shared budget: the endpoints it covers (glob patterns; `@api` is every endpoint
    under /api/v1/ but the public spec), the setting that holds it, and how a client is keyed."""

    scope: str
    setting: str
    endpoints: tuple[str, ...]
    methods: tuple[str, ...] | None = None
    key: Callable[[], str] = client_key
    counts: Callable[[Response], bool] | None = None  # None: every request counts

    def covers(self, endpoint: str, path: str) -> bool:
        is_api = path.startswith(API_PREFIX) and not path.endswith("/openapi.json")
        return any(is_api if p == "@api" else fnmatch.fnmatchcase(endpoint, p) for p in self.endpoints)

    def exempt(self) -> bool:
        return not self.covers(request.endpoint or "", request.path)


MFA_ENDPOINTS = ("accounts.mfa_*", "accounts.*totp*", "accounts.*recovery*")
RULES = (
    # Only failed sign-ins spend the budget: a busy office behind one address is not slowed.
    Rule("sign_in", "RATELIMIT_SIGN_IN", ("accounts.sign_in",), ("POST",), counts=failed),
    # TOTP and recovery codes: six digits are guessable without a limit.
    Rule("mfa", "RATELIMIT_MFA", MFA_ENDPOINTS, ("POST",), counts=failed),
    Rule("calendar_feed", "RATELIMIT_FEED", ("feeds.ics",)),
    Rule("api", "RATELIMIT_API", ("@api",), key=api_key),
    # Guessing tokens: refusals (401) from one address are limited separately.
    Rule("api_auth", "RATELIMIT_API_AUTH_FAILURES", ("@api",), counts=unauthenticated),
)


def covered_endpoints(app: Flask, rule: Rule) -> list[str]:
    """The registered endpoints a rule covers (for tests and for the security notes)."""
    found = {r.endpoint for r in app.url_map.iter_rules() if rule.covers(r.endpoint, r.rule)}
    return sorted(found)


def _storage_options(uri: str) -> dict[str, Any]:
    # A Redis that does not answer must cost a request a second at most, never a hang.
    if uri.startswith(("redis://", "rediss://", "redis+")):
        return {"socket_connect_timeout": 1, "socket_timeout": 1}
    return {}


def _limits(app: Flask) -> list[Limit]:
    # Flask-Limiter's "default limits" are checked in its before-request hook, for every
    # endpoint; each rule exempts the requests it does not cover. No view needs a decorator.
    return [
        Limit(
            app.config[rule.setting],
            key_function=rule.key,
            scope=rule.scope,
            shared=True,
            methods=rule.methods,
            exempt_when=rule.exempt,
            deduct_when=rule.counts,
            error_message=MESSAGE,
            on_breach=_log_breach,
        )
        for rule in RULES
    ]


def init_app(app: Flask) -> Limiter | None:
    """Install the limiter (before the blueprints: its hook must run before the API's token
    check, or refused tokens would never be counted). None when RATELIMIT_ENABLED is off."""
    if not app.config["RATELIMIT_ENABLED"]:
        return None
    uri = app.config["RATELIMIT_STORAGE_URI"]
    limiter = Limiter(
        client_key,
        default_limits=list(_limits(app)),
        storage_uri=uri,
        storage_options=_storage_options(uri),
        key_prefix=app.config.get("RATELIMIT_KEY_PREFIX") or "rabta",
        strategy="moving-window",
        in_memory_fallback_enabled=True,
        swallow_errors=True,
        headers_enabled=False,  # Retry-After is set on the 429 itself; budgets are not advertised
    )
    limiter.init_app(app)
    app.extensions["rabta.limiter"] = limiter
    app.register_error_handler(RateLimitExceeded, too_many_requests)
    return limiter


def _log_breach(limit: RequestLimit) -> None:
    log.warning("rate limit %s hit on %s %s by %s", limit.limit, request.method, request.path, limit.key)


def retry_after() -> int:
    """Seconds until the breached budget has room again (at least 1)."""
    limiter: Limiter | None = current_app.extensions.get("rabta.limiter")
    current = limiter.current_limit if limiter else None
    if current is None:
        return 60
    return max(1, math.ceil(current.reset_at - time.time()))


def too_many_requests(_error: RateLimitExceeded) -> Response | tuple[str, int, dict[str, str]]:
    """429: the API's JSON error `too_many_requests`, or a page saying what to do."""
    wait = retry_after()
    if is_api_request():
        response = json_error(429, "too_many_requests", MESSAGE)
        response.headers["Retry-After"] = str(wait)
        return response
    page = render_template("errors/429.html", status=429, message=MESSAGE, wait=wait)
    return page, 429, {"Retry-After": str(wait)}


def apply_proxy_fix(app: Flask) -> None:
    """Trust X-Forwarded-* only when told how many proxies set them (default: none).

    Without this, a client could claim any address in X-Forwarded-For and so escape every
    per-address limit and falsify the addresses in the audit log.
    """
    counts = {name: int(app.config.get(setting) or 0) for name, setting in PROXY_SETTINGS.items()}
    if any(counts.values()):
        app.wsgi_app = ProxyFix(app.wsgi_app, **counts)  # type: ignore[method-assign]
