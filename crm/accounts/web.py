"""The browser's side of a session: what the cookie carries and how a request finds its user.

The signed session cookie carries `"<token>:<nonce>"` under flask-login's own key, so the
registered user loader receives it. The token names one `UserSession` row (only its SHA-256
is stored); the nonce is the user's, so rotating it ends every session of theirs at once
("sign out everywhere", kept from the foundation as a second switch behind the registry).

A session whose second factor is not yet passed (or must first be set up) is "pending": the
loader returns no user for it, so every page but the second-factor pages treats the browser
as signed out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from flask import current_app, g, request
from flask import session as flask_session
from flask_login import current_user

from crm.accounts import policy, queries
from crm.accounts.digests import token_digest
from crm.accounts.models import User, UserSession
from crm.accounts.sessions import services as session_services
from crm.authz import remember_viewer
from crm.db import get_session, utcnow

COOKIE_KEY = "_user_id"  # flask-login's key: its user loader is handed this value


class Pending(StrEnum):
    NONE = ""
    VERIFY = "verify"  # the user has a second factor: ask for a code
    ENROL = "enrol"  # the user must have one and has none: set it up first


@dataclass(frozen=True)
class Current:
    """This request's session row and user, loaded once by the user loader."""

    row: UserSession
    user: User
    holds_designation: bool
    pending: Pending


def secret_keys() -> list[str]:
    """The current secret key first, then any being retired (Flask's SECRET_KEY_FALLBACKS)."""
    config = current_app.config
    return [config["SECRET_KEY"], *(config.get("SECRET_KEY_FALLBACKS") or [])]


def idle_timeout() -> timedelta:
    return timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])


def lifetime() -> timedelta:
    return timedelta(hours=current_app.config["SESSION_ABSOLUTE_HOURS"])


def open_browser_session(token: str, nonce: str, *, remember: bool = False) -> None:
    """Give this browser a new session cookie holding only the token and nonce.

    Whatever the cookie held before is dropped (no session fixation: the id an attacker may
    have planted before sign-in is not the one in use after). The cookie lives until the
    browser closes unless remember-me is configured and chosen.
    """
    flask_session.clear()
    flask_session[COOKIE_KEY] = f"{token}:{nonce}"
    flask_session["_fresh"] = True
    flask_session.permanent = remember and bool(current_app.config["REMEMBER_ME"])


def cookie_token() -> str:
    return str(flask_session.get(COOKIE_KEY, "")).partition(":")[0]


def current() -> Current | None:
    """The session row of this request (pending or not), as the loader found it."""
    found: Current | None = g.get("rabta_session")
    return found


def pending() -> Pending:
    found = current()
    return found.pending if found is not None else Pending.NONE


def _pending(found: queries.SignedInSession) -> Pending:
    required = policy.mfa_required(found.user, holds_designation=found.holds_designation)
    if required and not policy.has_mfa(found.user):
        return Pending.ENROL
    if found.row.mfa_passed_at is None:
        return Pending.VERIFY if policy.has_mfa(found.user) else Pending.ENROL
    return Pending.NONE


def _write_apart(write: Callable[[], None]) -> None:
    """Commit a small write of the loader's in a transaction of its own.

    The read that found the session ends first, so on SQLite the write starts a fresh
    transaction (no stale read snapshot to upgrade). The loader runs before the view
    (see load_early), so nothing of the view's is committed with it.
    """
    session = get_session()
    session.commit()
    write()
    session.commit()


def load_user(session_id: str) -> User | None:
    """flask-login's loader: the user of a live, fully signed-in session, else None.

    A session past its idle or absolute timeout is ended here (and audited); a live one has
    `last_seen_at` written at most once a minute.
    """
    token, _, nonce = session_id.partition(":")
    if not token or not nonce:
        return None
    session, now = get_session(), utcnow()
    found = queries.session_for_token(session, token_digest(token), nonce)
    if found is None:
        return None
    row = found.row
    reason = policy.session_end_reason(row.last_seen_at, row.expires_at, now, idle=idle_timeout())
    if reason is not None:
        _write_apart(lambda: session_services.time_out_session(session, user_session=row, reason=reason, now=now))
        return None
    if policy.touch_due(row.last_seen_at, now):
        _write_apart(lambda: session_services.touch_session(session, user_session=row, now=now))
    state = Current(row, found.user, found.holds_designation, _pending(found))
    g.rabta_session = state
    if state.pending is not Pending.NONE:
        return None
    remember_viewer(found.user)
    return found.user


def load_early() -> None:
    """Load the session before any view code runs (an app-wide before_request).

    The loader may commit its own small writes; running it first means no view's work can
    be in the transaction then. The API never reads the cookie (bearer tokens only).
    """
    if request.endpoint == "static" or request.path.startswith("/api/"):
        return
    if COOKIE_KEY in flask_session:
        current_user._get_current_object()
