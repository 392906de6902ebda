"""Account writes: users, signing in and out, browser sessions, the second factor, API tokens.

Every function flushes and audits in the caller's transaction; the caller commits. Times
default to now but can be passed (`now=`), so timeouts and TOTP steps are testable.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from crm.accounts import policy
from crm.accounts.digests import token_digest
from crm.accounts.models import ApiToken, Clearance, Role, User, UserSession
from crm.accounts.passwords import (
    hash_password,
    needs_rehash,
    one_time_password,
    password_problems,
    verify_password,
)
from crm.accounts.sessions.services import end_sessions, mark_ended
from crm.audit.services import Target, record, snapshot
from crm.db import utcnow
from crm.errors import Conflict, Forbidden, Invalid, NotFound
from crm.organisations.models import Organisation
from crm.validation import email_errors, length_errors, merge

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
USER_FIELDS = ("username", "full_name", "email", "role", "organisation_id", "clearance", "is_active")


@dataclass(frozen=True)
class LockoutPolicy:
    threshold: int = 5
    minutes: int = 15


@dataclass(frozen=True)
class SignInResult:
    """A sign-in outcome. Failures are results, not exceptions: they must be committed."""

    user: User | None
    message: str = ""


GENERIC_FAILURE = "The username or password is not right."


def new_nonce() -> str:
    return secrets.token_urlsafe(24)


def _require_admin(actor: User | None) -> None:
    if not policy.can_manage_users(actor):
        raise Forbidden("Only an administrator can manage user accounts.", code="not_admin")


def _validate_new_user(
    session: Session, username: str, full_name: str, email: str, organisation_id: int
) -> dict[str, list[str]]:
    fields = merge(length_errors(User, {"full_name": full_name, "email": email}), email_errors("email", email))
    if not USERNAME_PATTERN.match(username):
        fields["username"] = ["3–64 lower-case letters, digits, dots, dashes or underscores."]
    elif session.scalar(select(User.id).where(User.username == username)) is not None:
        fields["username"] = ["This username is taken."]
    if not full_name.strip():
        fields.setdefault("full_name", []).append("Enter the person's full name.")
    if session.get(Organisation, organisation_id) is None:
        fields["organisation_id"] = ["Choose an organisation from the list."]
    return fields


def create_user(
    session: Session,
    *,
    actor: User | None,
    username: str,
    full_name: str,
    role: Role,
    organisation_id: int,
    clearance: Clearance = Clearance.UNCLASSIFIED,
    email: str = "",
    password: str | None = None,
) -> tuple[User, str | None]:
    """Create an account; return it with its one-time password when none was given.

    A given password must pass the policy and is not single-use (for --password-stdin).
    Raises Forbidden (not an admin) or Invalid (field errors).
    """
    _require_admin(actor)
    username = username.strip().lower()
    email = email.strip()
    fields = _validate_new_user(session, username, full_name, email, organisation_id)
    if password is not None and (problems := password_problems(password, username=username)):
        fields["password"] = problems
    if fields:
        raise Invalid("The account was not created: please correct the fields shown.", fields=fields)
    issued = None if password is not None else one_time_password()
    user = User(
        username=username,
        full_name=full_name.strip(),
        email=email,
        role=role,
        organisation_id=organisation_id,
        clearance=clearance,
        password_hash=hash_password(password if password is not None else issued or ""),
        must_change_password=password is None,
        session_nonce=new_nonce(),
        is_active=True,
    )
    session.add(user)
    session.flush()
    record(session, actor=actor, action="user.create", target=Target.of(user), after=snapshot(user, *USER_FIELDS))
    return user, issued


def note_failure(user: User, now: datetime, lockout: LockoutPolicy) -> str:
    user.failed_sign_ins += 1
    if user.failed_sign_ins >= lockout.threshold:
        user.locked_until = now + timedelta(minutes=lockout.minutes)
        user.failed_sign_ins = 0
        return f"Too many failed attempts: the account is locked for {lockout.minutes} minutes."
    return GENERIC_FAILURE


def _failure(session: Session, username: str, user: User | None, message: str, ip: str) -> SignInResult:
    record(
        session,
        actor=None,
        actor_label=username[:100] or "(blank)",
        action="auth.sign_in_failed",
        target=Target.of(user) if user else Target("users", username[:64]),
        after={"reason": message},
        ip=ip,
    )
    return SignInResult(None, message)


def authenticate(
    session: Session,
    *,
    username: str,
    password: str,
    ip: str = "",
    lockout: LockoutPolicy | None = None,
    now: datetime | None = None,
) -> SignInResult:
    """Check a username and password; count failures and lock after the threshold.

    The same message answers an unknown user and a wrong password. A locked or inactive
    account is refused even with the right password. Every attempt is audited.
    """
    lockout = lockout or LockoutPolicy()
    now = now or utcnow()
    username = username.strip().lower()
    user = session.scalar(select(User).where(User.username == username))
    password_ok = verify_password(user.password_hash if user else None, password)
    if user is None:
        return _failure(session, username, None, GENERIC_FAILURE, ip)
    if policy.is_locked(user, now):
        return _failure(session, username, user, "This account is locked for now after repeated failures.", ip)
    if not password_ok:
        return _failure(session, username, user, note_failure(user, now, lockout), ip)
    if not user.is_active:
        return _failure(session, username, user, "This account has been deactivated.", ip)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.failed_sign_ins, user.locked_until, user.last_sign_in_at = 0, None, now
    record(session, actor=user, action="auth.sign_in", target=Target.of(user), ip=ip)
    return SignInResult(user)


def sign_out(
    session: Session, *, user: User, user_session: UserSession | None, ip: str = "", now: datetime | None = None
) -> None:
    """End this browser's session (the user's other sessions go on)."""
    if user_session is not None:
        mark_ended(user_session, reason="sign_out", now=now or utcnow())
    record(
        session,
        actor=user,
        action="auth.sign_out",
        target=Target.of(user),
        after={"session_id": user_session.id if user_session else None},
        ip=ip,
    )


def change_password(
    session: Session, *, actor: User, current_password: str, new_password: str, keep_session_id: int | None = None
) -> None:
    """Replace the actor's own password, ending every session but `keep_session_id`. Raises Invalid."""
    fields: dict[str, list[str]] = {}
    if not verify_password(actor.password_hash, current_password):
        fields["current_password"] = ["This is not your current password."]
    if problems := password_problems(new_password, username=actor.username):
        fields["new_password"] = problems
    elif verify_password(actor.password_hash, new_password):
        fields["new_password"] = ["Choose a password different from the current one."]
    if fields:
        raise Invalid("The password was not changed.", fields=fields)
    actor.password_hash = hash_password(new_password)
    actor.must_change_password = False
    actor.session_nonce = new_nonce()
    ended = end_sessions(session, user=actor, reason="password_change", keep_id=keep_session_id)
    record(
        session, actor=actor, action="user.password_change", target=Target.of(actor), after={"sessions_ended": ended}
    )


def user_for_change(session: Session, *, actor: User | None, user_id: int, version: int | None) -> User:
    """The user an admin is about to change. Raises Forbidden (not an admin, or oneself), NotFound, Conflict."""
    _require_admin(actor)
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("There is no such user.")
    if not policy.can_change_account(actor, user):
        raise Forbidden("You cannot change your own account this way.", code="self_change")
    if version is not None and version != user.version:
        raise Conflict(f"{user.full_name}'s account was changed by someone else meanwhile. Reload and try again.")
    return user


def set_user_active(
    session: Session, *, actor: User | None, user_id: int, active: bool, version: int | None = None
) -> User:
    """Deactivate (ending every session and token use) or reactivate an account."""
    user = user_for_change(session, actor=actor, user_id=user_id, version=version)
    before = snapshot(user, "is_active")
    user.is_active = active
    if not active:
        user.session_nonce = new_nonce()
        end_sessions(session, user=user, reason="deactivated")
    session.flush()
    action = "user.reactivate" if active else "user.deactivate"
    record(
        session, actor=actor, action=action, target=Target.of(user), before=before, after=snapshot(user, "is_active")
    )
    return user


def reset_password(session: Session, *, actor: User | None, user_id: int, version: int | None = None) -> str:
    """Give the user a new one-time password (returned once), ending their sessions."""
    user = user_for_change(session, actor=actor, user_id=user_id, version=version)
    issued = one_time_password()
    user.password_hash = hash_password(issued)
    user.must_change_password = True
    user.failed_sign_ins, user.locked_until = 0, None
    user.session_nonce = new_nonce()
    end_sessions(session, user=user, reason="password_reset")
    session.flush()
    record(session, actor=actor, action="user.password_reset", target=Target.of(user))
    return issued


def issue_api_token(session: Session, *, actor: User | None, user: User, name: str = "") -> str:
    """Create a bearer token for `user` and return it; only its digest is kept."""
    if actor is not None and actor.id != user.id:
        _require_admin(actor)
    token = "rbt_" + secrets.token_urlsafe(32)
    api_token = ApiToken(user_id=user.id, token_hash=token_digest(token), prefix=token[:10], name=name[:100])
    session.add(api_token)
    session.flush()
    record(
        session,
        actor=actor,
        action="token.issue",
        target=Target.of(api_token),
        after={"user_id": user.id, "name": name},
    )
    return token


def revoke_api_tokens(session: Session, *, actor: User | None, user: User) -> int:
    """Revoke every live token of `user`; returns how many."""
    if actor is not None and actor.id != user.id:
        _require_admin(actor)
    result = session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    count = int(result.rowcount or 0)  # type: ignore[attr-defined]
    record(session, actor=actor, action="token.revoke_all", target=Target.of(user), after={"revoked": count})
    return count


def change_user_role(
    session: Session, *, actor: User | None, user_id: int, role: Role, version: int | None = None
) -> User:
    """Give a user another role (admin, never their own), ending every session of theirs.

    A session was opened with the old role's powers and second-factor requirement, so none
    survives the change. Raises Forbidden, NotFound, Conflict.
    """
    user = user_for_change(session, actor=actor, user_id=user_id, version=version)
    if user.role is role:
        return user
    before = snapshot(user, "role")
    user.role = role
    user.session_nonce = new_nonce()
    end_sessions(session, user=user, reason="role_change")
    session.flush()
    record(session, actor=actor, action="user.role_change", target=Target.of(user), before=before, after={"role": role})
    return user
