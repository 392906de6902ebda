"""The second factor (TOTP): what is stored and audited. The mechanics are in mfa.totp.

Every function flushes and audits in the caller's transaction; the caller commits. Failures
at sign-in are results, not exceptions: their lockout count and audit event must commit.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from crm.accounts import policy, queries
from crm.accounts.digests import token_digest
from crm.accounts.mfa import totp as mfa
from crm.accounts.models import RecoveryCode, User, UserSession
from crm.accounts.passwords import hash_password, verify_password
from crm.accounts.services import GENERIC_FAILURE, LockoutPolicy, new_nonce, note_failure, user_for_change
from crm.accounts.sessions.services import end_sessions, mark_ended
from crm.audit.services import Target, record
from crm.db import utcnow
from crm.errors import Conflict, Forbidden, Invalid


@dataclass(frozen=True)
class SecondFactorResult:
    """A second-factor outcome; failures are results (their count and audit must commit).

    On success `token` is the session's new token: the privilege changed, so the id does too.
    """

    passed: bool
    message: str = ""
    token: str = ""


WRONG_CODE = "That code is not right. Use the current code from your authenticator app, or a recovery code."
REPLAYED_CODE = "That code was already used. Wait for the next code from your authenticator app."


def _store_recovery_codes(session: Session, user: User, now: datetime) -> list[str]:
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = mfa.new_recovery_codes()
    session.add_all(
        RecoveryCode(user_id=user.id, code_hash=hash_password(mfa.normalise_recovery_code(c)), created_at=now)
        for c in codes
    )
    return codes


def _rotate_token(user_session: UserSession) -> str:
    token = secrets.token_urlsafe(32)
    user_session.token_digest = token_digest(token)
    return token


def enable_mfa(
    session: Session,
    *,
    actor: User,
    secret: str,
    code: str,
    secret_keys: list[str],
    user_session: UserSession | None = None,
    ip: str = "",
    now: datetime | None = None,
) -> tuple[list[str], str]:
    """Turn on TOTP with `secret` once `code` proves the authenticator has it.

    Returns the ten recovery codes (shown once; only their argon2id hashes are kept) and,
    when `user_session` is given, its new token: enrolling passes the second factor for it.
    Raises Conflict (already on) or Invalid (wrong code).
    """
    now = now or utcnow()
    if policy.has_mfa(actor):
        raise Conflict("Two-step verification is already on for your account.")
    result = mfa.check_totp(secret, mfa.normalise_code(code), now=now, last_step=None)
    if result.check is not mfa.CodeCheck.ACCEPTED:
        raise Invalid("Two-step verification was not turned on.", fields={"code": [WRONG_CODE]})
    actor.totp_secret = mfa.encrypt_secret(secret, secret_keys)
    actor.totp_enabled_at, actor.totp_last_step = now, result.step
    codes = _store_recovery_codes(session, actor, now)
    token = ""
    if user_session is not None:
        user_session.mfa_passed_at = now
        token = _rotate_token(user_session)
    session.flush()
    record(session, actor=actor, action="mfa.enable", target=Target.of(actor), ip=ip)
    return codes, token


def _check_recovery_code(session: Session, user: User, code: str, now: datetime) -> bool:
    typed = mfa.normalise_recovery_code(code)
    for stored in queries.unused_recovery_codes(session, user.id):
        if verify_password(stored.code_hash, typed):
            stored.used_at = now
            return True
    return False


def _failure(
    session: Session, user: User, user_session: UserSession, *, reason: str, message: str, ip: str, now: datetime
) -> SecondFactorResult:
    if policy.is_locked(user, now) or not user.is_active:
        # Start again from the password once the lock is over: the half-open session ends.
        mark_ended(user_session, reason="locked", now=now)
    record(session, actor=user, action="auth.mfa_failed", target=Target.of(user), after={"reason": reason}, ip=ip)
    return SecondFactorResult(False, message)


def _check_code(session: Session, user: User, code: str, secret_keys: list[str], now: datetime) -> tuple[str, str]:
    """("totp"|"recovery_code", "") when the code passes, else ("", the failure reason)."""
    typed = mfa.normalise_code(code)
    secret = mfa.decrypt_secret(user.totp_secret, secret_keys) if user.totp_secret else None
    if secret is not None and mfa.looks_like_totp(typed):
        result = mfa.check_totp(secret, typed, now=now, last_step=user.totp_last_step)
        if result.check is mfa.CodeCheck.ACCEPTED:
            user.totp_last_step = result.step
            return "totp", ""
        return "", result.check.value
    if not mfa.looks_like_totp(typed) and _check_recovery_code(session, user, code, now):
        return "recovery_code", ""
    return "", "wrong"


def pass_second_factor(
    session: Session,
    *,
    user: User,
    user_session: UserSession,
    code: str,
    secret_keys: list[str],
    lockout: LockoutPolicy | None = None,
    ip: str = "",
    now: datetime | None = None,
) -> SecondFactorResult:
    """Check the code asked for after the password: a TOTP code or an unused recovery code.

    A TOTP code of a step already used is refused (replay). Failures count toward the same
    lockout as wrong passwords; when the lock falls, the half-open session ends. Every
    attempt is audited.
    """
    lockout, now = lockout or LockoutPolicy(), now or utcnow()
    if policy.is_locked(user, now) or not user.is_active:
        return _failure(
            session, user, user_session, reason="locked", message="This account is locked for now.", ip=ip, now=now
        )
    method, reason = _check_code(session, user, code, secret_keys, now)
    if not method:
        message = note_failure(user, now, lockout)
        if message == GENERIC_FAILURE:
            message = REPLAYED_CODE if reason == "replayed" else WRONG_CODE
        return _failure(session, user, user_session, reason=reason, message=message, ip=ip, now=now)
    user.failed_sign_ins = 0
    user_session.mfa_passed_at = now
    token = _rotate_token(user_session)
    session.flush()
    left = queries.count_unused_recovery_codes(session, user.id)
    record(
        session,
        actor=user,
        action="auth.mfa_passed",
        target=Target.of(user),
        after={"method": method, "recovery_codes_left": left},
        ip=ip,
    )
    return SecondFactorResult(True, token=token)


def regenerate_recovery_codes(session: Session, *, actor: User, ip: str = "", now: datetime | None = None) -> list[str]:
    """Replace all the actor's recovery codes with ten new ones (the old stop working)."""
    if not policy.has_mfa(actor):
        raise Conflict("Turn on two-step verification first.")
    codes = _store_recovery_codes(session, actor, now or utcnow())
    session.flush()
    record(session, actor=actor, action="mfa.recovery_codes_regenerate", target=Target.of(actor), ip=ip)
    return codes


def _clear_mfa(session: Session, user: User) -> None:
    user.totp_secret, user.totp_enabled_at, user.totp_last_step = "", None, None
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


def disable_mfa(
    session: Session, *, actor: User, code: str, secret_keys: list[str], ip: str = "", now: datetime | None = None
) -> None:
    """Turn off the actor's own second factor, proven by a current code.

    Raises Forbidden (`mfa_required`: the chair, admins and designation holders must keep it),
    Conflict (not on) or Invalid (wrong or replayed code).
    """
    now = now or utcnow()
    if policy.mfa_required(actor, holds_designation=queries.holds_designation(session, actor.id)):
        raise Forbidden("Your role or designation requires two-step verification.", code="mfa_required")
    if not policy.has_mfa(actor):
        raise Conflict("Two-step verification is not on.")
    method, reason = _check_code(session, actor, code, secret_keys, now)
    if not method:
        raise Invalid(
            "Two-step verification is still on.",
            fields={"code": [REPLAYED_CODE if reason == "replayed" else WRONG_CODE]},
        )
    _clear_mfa(session, actor)
    session.flush()
    record(session, actor=actor, action="mfa.disable", target=Target.of(actor), ip=ip)


def reset_mfa(session: Session, *, actor: User | None, user_id: int, version: int | None = None, ip: str = "") -> User:
    """An admin clears another user's second factor (lost phone), ending their sessions.

    At the next sign-in the user enrols again if their role or designation requires it.
    Raises Forbidden (not an admin, or one's own account), NotFound, Conflict (stale version).
    """
    user = user_for_change(session, actor=actor, user_id=user_id, version=version)
    had = policy.has_mfa(user)
    _clear_mfa(session, user)
    user.session_nonce = new_nonce()
    ended = end_sessions(session, user=user, reason="mfa_reset")
    session.flush()
    record(
        session,
        actor=actor,
        action="mfa.reset",
        target=Target.of(user),
        before={"mfa": had},
        after={"mfa": False, "sessions_ended": ended},
        ip=ip,
    )
    return user


def reencrypt_mfa_secrets(session: Session, *, secret_keys: list[str]) -> int:
    """Re-encrypt every stored TOTP secret under the first key (after SECRET_KEY rotation).

    Secrets no key opens are left as they are; returns how many were re-encrypted.
    """
    users = session.scalars(select(User).where(User.totp_secret != ""))
    count = 0
    for user in users:
        if mfa.decrypt_secret(user.totp_secret, secret_keys) is not None:
            user.totp_secret = mfa.reencrypt_secret(user.totp_secret, secret_keys)
            count += 1
    session.flush()
    record(session, actor=None, action="mfa.reencrypt", target=Target("users", "*"), after={"count": count})
    return count
