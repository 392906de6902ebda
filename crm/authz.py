"""Coarse access checks for views: sign-in guards and role gates.

Record-level rules live in each feature's policy.py; these only keep anonymous users and
the wrong roles away from whole pages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Blueprint, abort, g, redirect, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from crm.accounts.models import Role, User

F = TypeVar("F", bound=Callable[..., Any])

# Pages a user who must replace a one-time password may still reach.
PASSWORD_CHANGE_ENDPOINTS = {"accounts.change_password", "accounts.sign_out", "static"}


@dataclass(frozen=True)
class Viewer:
    """Plain facts about the signed-in user for layouts, taken when the user is loaded.

    Templates read these instead of the ORM object, which a rollback would expire.
    """

    id: int
    username: str
    full_name: str
    role: Role
    organisation: str
    clearance: str

    @classmethod
    def of(cls, user: User) -> Viewer:
        return cls(
            user.id, user.username, user.full_name, user.role, user.organisation.short_name, user.clearance.label
        )


def remember_viewer(user: User) -> None:
    g.viewer = Viewer.of(user)


def actor() -> User:
    """The signed-in user, typed (call only behind a login guard)."""
    return cast(User, current_user._get_current_object())


def require_login(blueprint: Blueprint) -> None:
    """Every page of `blueprint` needs a signed-in user who has no pending password change."""

    @blueprint.before_request
    def _guard() -> Response | None:
        if not current_user.is_authenticated:
            return redirect(url_for("accounts.sign_in", next=request.full_path.rstrip("?")))
        if current_user.must_change_password and request.endpoint not in PASSWORD_CHANGE_ENDPOINTS:
            return redirect(url_for("accounts.change_password"))
        return None


def role_required(*roles: Role) -> Callable[[F], F]:
    """Refuse (403) users whose role is not one of `roles`."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated or current_user.role not in roles:
                abort(403, "Your role does not give access to this page.")
            return view(*args, **kwargs)

        return cast(F, wrapper)

    return decorator
