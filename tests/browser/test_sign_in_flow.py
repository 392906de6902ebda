"""The first day of a new installation, in a real browser, through the real pages.

The first admin signs in with the one-time password `setup` printed, chooses a password,
creates a member, hands over the member's one-time password and signs out; the member signs
in with it, chooses a password and lands on their home page. Locators go by role and label
only, so the test also proves the forms are labelled for assistive technology. Along the way
the browser must not contact any other origin (Rabta runs on air-gapped networks) and must
report no Content Security Policy violation.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pyotp
import pytest
from playwright.sync_api import ConsoleMessage, Page, Request, expect

from tests import authenticators
from tests.browser.conftest import LiveServer

# Passphrases of four unrelated words: what the password hint on the page recommends.
ADMIN_PASSPHRASE = "copper lantern orchard drizzle"
MEMBER_PASSPHRASE = "velvet harbour saffron kite"
MEMBER_USERNAME = "a.malik"
MEMBER_NAME = "Ayesha Malik"
# Four groups of five characters from an alphabet without look-alikes (crm/accounts/passwords.py).
ONE_TIME_PASSWORD = re.compile(r"[a-hjkmnp-z2-9]{5}(-[a-hjkmnp-z2-9]{5}){3}")


@dataclass
class Traffic:
    """What the browser did besides rendering: requests, console errors, uncaught script errors."""

    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def foreign_requests(self, origin: str) -> list[str]:
        return [url for url in self.requests if _origin(url) != origin]

    def csp_violations(self) -> list[str]:
        # Chromium reports each blocked script, style or connection as a console error:
        # "Refused to ... because it violates the following Content Security Policy directive".
        return [text for text in self.console_errors if "Content Security Policy" in text]


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def watch(page: Page) -> Traffic:
    """Record the requests of the page's context (popups included) and the page's errors."""
    traffic = Traffic()

    def on_request(request: Request) -> None:
        traffic.requests.append(request.url)

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            traffic.console_errors.append(f"{message.text} ({message.location['url']})")

    page.context.on("request", on_request)
    page.on("console", on_console)
    page.on("pageerror", lambda error: traffic.page_errors.append(str(error)))
    return traffic


def sign_in(page: Page, username: str, password: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Rabta")
    page.get_by_label("Username", exact=True).fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: urlsplit(url).path != "/sign-in")
    second_factor(page, username)


def second_factor(page: Page, username: str) -> None:
    """After the password: set up TOTP or enter its code when the app asks (chair, admins,
    designation holders), with the user's "authenticator app" kept in tests.authenticators."""
    path = urlsplit(page.url).path
    if path == authenticators.ENROL_PATH:
        secret = page.get_by_test_id("totp-secret").inner_text().replace(" ", "")
        step = pyotp.TOTP(secret).timecode(time.time()) - 1  # type: ignore[arg-type]
        page.get_by_label("Code from your authenticator app", exact=True).fill(pyotp.TOTP(secret).generate_otp(step))
        page.get_by_role("button", name="Turn on two-step verification").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Your recovery codes")
        codes = page.get_by_test_id("recovery-codes").locator("code").all_inner_texts()
        authenticators.remember(username, secret, last_step=step, recovery_codes=codes)
        page.get_by_role("link", name="I have saved my codes — continue").click()
    elif path == authenticators.VERIFY_PATH:
        code = authenticators.APPS[username].next_code()
        page.get_by_label("Code from your authenticator app, or a recovery code").fill(code)
        page.get_by_role("button", name="Verify").click()
        page.wait_for_url(lambda url: urlsplit(url).path != authenticators.VERIFY_PATH)


def replace_one_time_password(page: Page, base_url: str, one_time_password: str, passphrase: str) -> None:
    """On the forced "Change your password" page, choose `passphrase` and land on home."""
    expect(page).to_have_url(f"{base_url}/account/password")
    expect(page.get_by_role("heading", level=1)).to_have_text("Change your password")
    expect(page.get_by_text("You signed in with a one-time password.")).to_be_visible()
    page.get_by_label("Current password", exact=True).fill(one_time_password)
    page.get_by_label("New password", exact=True).fill(passphrase)
    page.get_by_label("New password again", exact=True).fill(passphrase)
    page.get_by_role("button", name="Change password").click()
    expect(page).to_have_url(f"{base_url}/")
    expect(page.get_by_role("status")).to_contain_text("Your password is changed.")


def create_member(page: Page) -> str:
    """Fill "Create a user" for a MoIB member; return the one-time password shown once."""
    expect(page.get_by_role("heading", level=1)).to_have_text("Create a user")
    page.get_by_label("Username", exact=True).fill(MEMBER_USERNAME)
    page.get_by_label("Full name", exact=True).fill(MEMBER_NAME)
    page.get_by_label("Role", exact=True).select_option(label="Member")
    page.get_by_label("Organisation", exact=True).select_option(label="MoIB — Ministry of Information & Broadcasting")
    page.get_by_label("Clearance", exact=True).select_option(label="Restricted")
    page.get_by_role("button", name="Create user").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Account created for {MEMBER_NAME}")
    secret = page.get_by_test_id("one-time-password")
    expect(secret).to_have_text(ONE_TIME_PASSWORD)
    return secret.inner_text()


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("status")).to_have_text("You are signed out.")


@pytest.mark.browser
def test_first_admin_creates_a_member_who_signs_in_and_sees_their_home(
    page: Page, live_server: LiveServer, screenshot: Callable[[Page, str], None]
) -> None:
    base = live_server.url
    traffic = watch(page)
    main_nav = page.get_by_role("navigation", name="Main")

    page.goto(f"{base}/")  # anonymous: sent to sign in
    screenshot(page, "sign-in")
    sign_in(page, live_server.admin_username, live_server.admin_password)
    replace_one_time_password(page, base, live_server.admin_password, ADMIN_PASSPHRASE)
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Rabta administrator")
    screenshot(page, "home-admin")

    main_nav.get_by_role("link", name="Users").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Users")
    page.get_by_role("link", name="Create a user").click()
    member_password = create_member(page)
    page.get_by_role("link", name="Back to users").click()
    member_row = page.get_by_role("row").filter(has=page.get_by_role("cell", name=MEMBER_USERNAME, exact=True))
    for text in (MEMBER_NAME, "Member", "MoIB", "Restricted", "Active", "One-time password pending"):
        expect(member_row).to_contain_text(text)
    screenshot(page, "users")
    sign_out(page)

    sign_in(page, MEMBER_USERNAME, member_password)
    replace_one_time_password(page, base, member_password, MEMBER_PASSPHRASE)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Welcome, {MEMBER_NAME}")
    expect(page.get_by_text("You are signed in as")).to_have_text(
        "You are signed in as Member of MoIB, cleared to Restricted."
    )
    expect(page.get_by_role("banner")).to_contain_text(f"{MEMBER_NAME} Member · MoIB")
    expect(main_nav.get_by_role("link", name="Users")).to_have_count(0)
    screenshot(page, "home-member")

    assert traffic.requests, "the request listener saw nothing; the origin check would be vacuous"
    assert traffic.foreign_requests(_origin(base)) == []
    assert traffic.csp_violations() == []
    assert traffic.page_errors == []
