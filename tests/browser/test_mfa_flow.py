"""The chair's first sign-in sets up TOTP; the next asks for a code. In a real browser.

Codes come from pyotp, as from the chair's phone. A code already used is refused in the
browser too, and the half-signed-in chair cannot open any other page meanwhile.
"""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from playwright.sync_api import Page, expect

from crm.accounts import services
from crm.accounts.models import Role
from crm.accounts.queries import get_by_username
from crm.db import get_session
from crm.organisations.queries import get_by_short_name
from tests.browser.conftest import LiveSite

CHAIR = "mfa.chair"
PASSWORD = "amber pelican quarry whistle"


def make_chair(site: LiveSite) -> None:
    with site.app.app_context():
        session = get_session()
        services.create_user(
            session,
            actor=get_by_username(session, site.server.admin_username),
            username=CHAIR,
            full_name="Chair With Phone",
            role=Role.CHAIR,
            organisation_id=get_by_short_name(session, "MoIT").id,  # type: ignore[union-attr]
            password=PASSWORD,
        )
        session.commit()


def password_step(page: Page, base: str) -> None:
    page.goto(f"{base}/sign-in")
    page.get_by_label("Username", exact=True).fill(CHAIR)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


@pytest.mark.browser
def test_the_chair_sets_up_totp_then_signs_in_with_a_code_used_only_once(page: Page, live_site: LiveSite) -> None:
    base = live_site.server.url
    make_chair(live_site)

    password_step(page, base)
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-step verification")
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    page.goto(f"{base}/admin/users")  # no way round the set-up
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-step verification")
    secret = page.get_by_test_id("totp-secret").inner_text()
    assert re.fullmatch(r"([A-Z2-7]{4} ){7}[A-Z2-7]{4}", secret)
    totp = pyotp.TOTP(secret.replace(" ", ""))
    step = totp.timecode(time.time())  # type: ignore[arg-type]
    page.get_by_label("Code from your authenticator app", exact=True).fill(totp.generate_otp(step))
    page.get_by_role("button", name="Turn on two-step verification").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your recovery codes")
    expect(page.get_by_test_id("recovery-codes").locator("code")).to_have_count(10)
    page.get_by_role("link", name="I have saved my codes — continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Users")  # where the chair was going
    page.get_by_role("button", name="Sign out").click()

    password_step(page, base)
    expect(page.get_by_role("heading", level=1)).to_have_text("Two-step verification")
    code_field = page.get_by_label("Code from your authenticator app, or a recovery code")
    code_field.fill(totp.generate_otp(step))  # the code the set-up used
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_text("That code was already used.").first).to_be_visible()
    code_field.fill(totp.generate_otp(step + 1))
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Chair With Phone")
    page.get_by_role("link", name="Sessions").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your sessions")
    expect(page.get_by_role("cell", name=re.compile(r"\(this session\)"))).to_be_visible()
    expect(page.get_by_text("You have 10 unused recovery codes.", exact=False)).to_be_visible()
