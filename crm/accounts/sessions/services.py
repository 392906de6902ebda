"""Browser sessions: a registry on the server, so they can be listed, timed out and ended.

The cookie carries a random token; only its SHA-256 is stored. Every function flushes and
audits in the caller's transaction; the caller commits.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from crm.accounts import policy, queries
from crm.accounts.digests import token_digest
from crm.accounts.models import User, UserSession
from crm.audit.services import Target, record
from crm.db import utcnow
from crm.errors import NotFound


def mark_ended(user_session: UserSession, *, reason: str, now: datetime) -> None:
    """Stamp one session as ended (the caller audits why)."""
    user_session.ended_at = now
    user_session.end_reason = reason


def start_session(
    session: Session, *, user: User, ip: str, user_agent: str, lifetime: timedelta, now: datetime | None = None
) -> tuple[UserSession, str]:
    """Open a browser session for a user whose password was right; return it and its token.

    Only the token's SHA-256 is stored. When the user has a second factor, or must have one,
    the session starts half-signed-in (`mfa_passed_at` empty): only the second-factor pages
    accept it until `pass_second_factor` or `enable_mfa`.
    """
    now = now or utcnow()
    needs_second_factor = policy.has_mfa(user) or policy.mfa_required(
        user, holds_designation=queries.holds_designation(session, user.id)
    )
    token = secrets.token_urlsafe(32)
    user_session = UserSession(
        user_id=user.id,
        token_digest=token_digest(token),
        created_at=now,
        last_seen_at=now,
        expires_at=now + lifetime,
        ip=ip[:64],
        user_agent=user_agent[:300],
        mfa_passed_at=None if needs_second_factor else now,
    )
    session.add(user_session)
    session.flush()
    return user_session, token


def touch_session(session: Session, *, user_session: UserSession, now: datetime | None = None) -> None:
    """Note that the session was used (for the idle timeout); not audited, it changes nothing."""
    session.execute(
        update(UserSession)
        .where(UserSession.id == user_session.id)
        .values(last_seen_at=now or utcnow())
        .execution_options(synchronize_session=False)
    )


def time_out_session(session: Session, *, user_session: UserSession, reason: str, now: datetime | None = None) -> None:
    """End a session found past its idle or absolute timeout (audited as the system's act)."""
    mark_ended(user_session, reason=reason, now=now or utcnow())
    session.flush()
    record(
        session,
        actor=None,
        action="session.timeout",
        target=Target.of(user_session),
        after={"user_id": user_session.user_id, "reason": reason},
    )


def end_sessions(
    session: Session, *, user: User, reason: str, keep_id: int | None = None, now: datetime | None = None
) -> int:
    """End every live session of `user` except `keep_id`; returns how many were ended.

    The caller audits the change that made this necessary (deactivation, password or role
    change, a second-factor reset, "sign out everywhere").
    """
    query = update(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
    if keep_id is not None:
        query = query.where(UserSession.id != keep_id)
    result = session.execute(
        query.values(ended_at=now or utcnow(), end_reason=reason).execution_options(synchronize_session="fetch")
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def end_other_sessions(
    session: Session, *, actor: User, current_session_id: int, ip: str = "", now: datetime | None = None
) -> int:
    """ "Sign out everywhere else": end all the actor's sessions but this one. Audited."""
    ended = end_sessions(session, user=actor, reason="signed_out_elsewhere", keep_id=current_session_id, now=now)
    record(session, actor=actor, action="session.end_others", target=Target.of(actor), after={"ended": ended}, ip=ip)
    return ended


def end_own_session(
    session: Session, *, actor: User, session_id: int, ip: str = "", now: datetime | None = None
) -> UserSession:
    """End one of the actor's own sessions. Raises NotFound for another's or an ended one."""
    user_session = session.get(UserSession, session_id)
    if user_session is None or user_session.user_id != actor.id or user_session.ended_at is not None:
        raise NotFound("There is no such session of yours.")
    mark_ended(user_session, reason="signed_out_elsewhere", now=now or utcnow())
    session.flush()
    record(session, actor=actor, action="session.end", target=Target.of(user_session), ip=ip)
    return user_session
