"""Reading accounts, with the organisation always loaded (templates never query)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from crm.accounts.models import ApiToken, Role, User


def user_for_session(session: Session, user_id: int, nonce: str) -> User | None:
    """The active user whose session cookie carries this id and nonce, else None."""
    query = (
        select(User)
        .options(joinedload(User.organisation))
        .where(User.id == user_id, User.session_nonce == nonce, User.is_active)
    )
    return session.scalar(query)


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
