"""Test factories: plain functions that go through the real services."""

from __future__ import annotations

import itertools

from sqlalchemy.orm import Session

from crm.accounts import services as account_services
from crm.accounts.models import Clearance, Role, User
from crm.organisations.queries import get_by_short_name

PASSWORD = "correct horse battery staple"
_counter = itertools.count(1)


def make_user(
    session: Session,
    *,
    role: Role = Role.MEMBER,
    org: str = "MoIT",
    clearance: Clearance = Clearance.UNCLASSIFIED,
    username: str | None = None,
    password: str | None = PASSWORD,
) -> User:
    """A user with a known password (already changed, so no one-time password pending)."""
    organisation = get_by_short_name(session, org)
    assert organisation is not None, f"unknown organisation {org}"
    name = username or f"{role.value}{next(_counter)}"
    user, _ = account_services.create_user(
        session,
        actor=None,
        username=name,
        full_name=name.replace(".", " ").title(),
        role=role,
        organisation_id=organisation.id,
        clearance=clearance,
        password=password,
    )
    session.flush()
    return user


def make_token(session: Session, user: User) -> str:
    return account_services.issue_api_token(session, actor=None, user=user, name="test")
