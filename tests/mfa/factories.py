"""Second-factor helpers for tests: enrol through the real service at a chosen moment."""

from __future__ import annotations

from datetime import datetime, timedelta

import pyotp
from sqlalchemy.orm import Session

from crm.accounts.mfa import services as mfa_services
from crm.accounts.mfa import totp
from crm.accounts.models import User
from crm.db import utcnow

KEYS = ["test-secret-key-that-is-long-enough-0123456789"]  # the test app's SECRET_KEY


def code_at(secret: str, when: datetime) -> str:
    return pyotp.TOTP(secret).at(when)


def enrol(session: Session, user: User, *, now: datetime | None = None) -> tuple[str, list[str]]:
    """Turn TOTP on for `user` with a fresh secret; returns the secret and the recovery codes."""
    now = now or utcnow()
    secret = totp.new_secret()
    codes, _ = mfa_services.enable_mfa(
        session, actor=user, secret=secret, code=code_at(secret, now), secret_keys=KEYS, now=now
    )
    return secret, codes


def later(now: datetime, steps: int) -> datetime:
    """`steps` TOTP steps after `now`."""
    return now + timedelta(seconds=30 * steps)
