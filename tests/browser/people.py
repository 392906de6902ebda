"""People for the UI-quality browser tests: the demo data set's users, one per role, all
with the same password and a second factor, and a sign-in that passes both steps.

Every person gets TOTP (the chair, admins and designation holders must have it; giving it to
everyone makes one sign-in path). `sign_in` answers the second step with one of the person's
recovery codes: a TOTP code may be used once per 30-second step, and a test module signs the
same person in more often than that. A test of the TOTP step itself uses the code of the
*next* step (`next_totp`), which is always later than the step used to enrol.
"""

from __future__ import annotations

from datetime import timedelta

import pyotp
from flask import Flask
from playwright.sync_api import Page
from sqlalchemy.orm import Session

from crm.accounts import services as accounts
from crm.accounts.mfa.services import enable_mfa
from crm.accounts.models import Clearance, Role, User
from crm.accounts.queries import get_by_username
from crm.db import get_session, utcnow
from crm.demo import data
from crm.demo.cli import build
from crm.organisations.queries import get_by_short_name

PASSWORD = "juniper cobalt meadow lantern"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
ADMIN = "demo.admin"
# The recovery codes of the last seeded site, by username: each works once.
RECOVERY_CODES: dict[str, list[str]] = {}
ROLES = {
    "admin": ADMIN,
    "chair": data.CHAIR,
    "secretariat": data.SECRETARIAT,
    "member": "demo.moib",
    "observer": "demo.observer",
    "focal person": data.FOCAL_PERSON,
}


def seed(app: Flask, *, first_admin: str, engagements: int = 30) -> None:
    """The demo data set (small), an administrator, and TOTP for everyone: committed."""
    with app.app_context():
        session = get_session()
        build(session, password=PASSWORD, engagements=engagements)
        moit = get_by_short_name(session, "MoIT")
        assert moit is not None
        accounts.create_user(
            session, actor=get_by_username(session, first_admin), username=ADMIN,
            full_name="System administrator (demo)", role=Role.ADMIN, organisation_id=moit.id,
            clearance=Clearance.UNCLASSIFIED, password=PASSWORD,
        )  # fmt: skip
        for username in ROLES.values():
            user = get_by_username(session, username)
            assert user is not None
            _enable_totp(app, session, user)
        session.commit()


def _enable_totp(app: Flask, session: Session, user: User) -> None:
    keys = [app.config["SECRET_KEY"], *(app.config.get("SECRET_KEY_FALLBACKS") or [])]
    codes, _ = enable_mfa(session, actor=user, secret=TOTP_SECRET, code=pyotp.TOTP(TOTP_SECRET).now(), secret_keys=keys)
    RECOVERY_CODES[user.username] = codes


def next_totp() -> str:
    """The code of the next 30-second step: accepted now, and never a replay of enrolment's."""
    return pyotp.TOTP(TOTP_SECRET).at(utcnow() + timedelta(seconds=30))


def sign_in(page: Page, base_url: str, username: str) -> None:
    """Sign in through the real pages (password, then the code when asked); land on Home."""
    page.goto(f"{base_url}/sign-in")
    page.get_by_label("Username", exact=True).fill(username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: url.rstrip("/") == base_url or "/sign-in/code" in url)
    if "/sign-in/code" in page.url:
        code = RECOVERY_CODES[username].pop()
        page.get_by_label("Code from your authenticator app, or a recovery code").fill(code)
        page.get_by_role("button", name="Verify").click()
    page.wait_for_url(f"{base_url}/")
