"""Reading accounts, with the organisation always loaded (templates never query)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Exists, exists, func, select
from sqlalchemy.orm import Session, joinedload

from crm.accounts.models import ApiToken, RecoveryCode, Role, User, UserSession
from crm.designations.models import Designation


@dataclass(frozen=True)
class SignedInSession:
    """A live session row with its user, and whether that user holds a designation now."""

    row: UserSession
    user: User
    holds_designation: bool


def _holds_designation() -> Exists:
    return exists().where(Designation.user_id == User.id, Designation.ended_at.is_(None)).correlate(User)


def session_for_token(session: Session, digest: str, nonce: str) -> SignedInSession | None:
    """The unended session with this token digest, of an active user whose nonce matches.

    One query per request: the row, its user and organisation, and the designation check
    that decides whether the user must use a second factor. Timeouts are judged by the
    caller (policy.session_end_reason), which also ends the row.
    """
    query = (
        select(UserSession, User, _holds_designation().label("holds_designation"))
        .join(User, UserSession.user_id == User.id)
        .options(joinedload(User.organisation))
        .where(
            UserSession.token_digest == digest,
            UserSession.ended_at.is_(None),
            User.session_nonce == nonce,
            User.is_active,
        )
    )
    found = session.execute(query).one_or_none()
    return SignedInSession(found[0], found[1], bool(found[2])) if found else None


def holds_designation(session: Session, user_id: int) -> bool:
    """True while the user holds any designation (focal person, spokesperson)."""
    query = select(Designation.id).where(Designation.user_id == user_id, Designation.ended_at.is_(None)).limit(1)
    return session.scalar(query) is not None


def live_sessions(session: Session, user_id: int, *, now: datetime, idle_cutoff: datetime) -> list[UserSession]:
    """The user's sessions that are neither ended nor timed out, most recently used first."""
    query = (
        select(UserSession)
        .where(
            UserSession.user_id == user_id,
            UserSession.ended_at.is_(None),
            UserSession.expires_at > now,
            UserSession.last_seen_at > idle_cutoff,
        )
        .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
    )
    return list(session.scalars(query))


def unused_recovery_codes(session: Session, user_id: int) -> list[RecoveryCode]:
    """The user's recovery codes not yet used."""
    query = select(RecoveryCode).where(RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None))
    return list(session.scalars(query.order_by(RecoveryCode.id)))


def count_unused_recovery_codes(session: Session, user_id: int) -> int:
    query = select(func.count()).where(RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None))
    return session.scalar(query) or 0


def user_for_token(session: Session, digest: str) -> User | None:
    """The active user owning a live (unrevoked) token with this digest, else None."""
    query = (
        select(User)
        .join(ApiToken, ApiToken.user_id == User.id)
        .options(joinedload(User.organisation))
        .where(ApiToken.token_hash == digest, ApiToken.revoked_at.is_(None), User.is_active)
    )
    return session.scalar(query)


def get_user(session: Session, user_id: int) -> User | None:
    return session.scalar(select(User).options(joinedload(User.organisation)).where(User.id == user_id))


def get_by_username(session: Session, username: str) -> User | None:
    query = select(User).options(joinedload(User.organisation)).where(User.username == username.strip().lower())
    return session.scalar(query)


def list_users(
    session: Session, *, username: str | None = None, after_id: int | None = None, limit: int = 100
) -> list[User]:
    """Users by id with keyset pagination; `username` filters to an exact match."""
    query = select(User).options(joinedload(User.organisation)).order_by(User.id).limit(limit)
    if username:
        query = query.where(User.username == username.strip().lower())
    if after_id is not None:
        query = query.where(User.id > after_id)
    return list(session.scalars(query))


def count_admins(session: Session) -> int:
    """How many admin accounts exist (setup creates the first only when none)."""
    return session.scalar(select(func.count()).select_from(User).where(User.role == Role.ADMIN)) or 0
