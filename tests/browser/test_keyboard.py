"""Keyboard use, focus and progressive enhancement, in a real browser.

Someone who cannot use a mouse signs in with Tab, typing and Enter; on a list page every
control is reached in document order, each with a visible focus indicator, and Tab never
gets stuck (no keyboard trap: it cycles back to the skip link). The navigation's groups open
and close from the keyboard, with and without JavaScript. A long operation (the CSV import)
says it is working, and its button cannot be pressed twice while the server works. Printed,
a record leaves out the application around it and keeps its classification on every sheet.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from crm.accounts.models import Clearance
from crm.db import get_session
from crm.engagements.models import Engagement
from tests.browser.conftest import TIMEOUT_MS, LiveSite
from tests.browser.people import PASSWORD, ROLES, next_totp, seed, sign_in

# What the page says about the focused element: enough to check order and visibility.
FOCUS_PROBE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const rect = el.getBoundingClientRect();
  const style = getComputedStyle(el);
  const all = Array.from(document.querySelectorAll('*'));
  return {
    tag: el.tagName.toLowerCase(),
    text: (el.getAttribute('aria-label') || (el.labels && el.labels.length ? el.labels[0].innerText : '')
           || el.innerText || el.value || el.name || '').trim().slice(0, 60),
    index: all.indexOf(el),
    visible: rect.width > 0 && rect.height > 0 && rect.bottom > 0 && rect.top < innerHeight
             && rect.right > 0 && rect.left < innerWidth,
    outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
    // Focus inside the browser's own parts of a control (a date field's calendar button):
    // the browser draws that ring, and no author style can reach it.
    native: !el.matches(':focus'),
    tabindex: el.tabIndex,
  };
}"""
MAX_TABS = 400


@dataclass(frozen=True)
class Focus:
    tag: str
    text: str
    index: int
    visible: bool
    outline: bool
    tabindex: int
    native: bool


@pytest.fixture(scope="module")
def site(live_site: LiveSite) -> LiveSite:
    seed(live_site.app, first_admin=live_site.server.admin_username, engagements=10)
    return live_site


@pytest.fixture
def no_js_page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB", java_script_enabled=False)
    context.set_default_timeout(TIMEOUT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


def focused(page: Page) -> Focus | None:
    probe = page.evaluate(FOCUS_PROBE)
    return Focus(**probe) if probe else None


def tab(page: Page, times: int = 1) -> Focus | None:
    for _ in range(times):
        page.keyboard.press("Tab")
    return focused(page)


def tab_through(page: Page) -> list[Focus]:
    """Press Tab from the top of the page until focus comes back to the first stop."""
    stops: list[Focus] = []
    first = tab(page)
    assert first is not None, "Tab focused nothing"
    stops.append(first)
    for _ in range(MAX_TABS):
        stop = tab(page)
        if stop is None:  # focus left the page (the browser's own controls): Tab again
            continue
        if stop.index == first.index:
            return stops
        stops.append(stop)
    pytest.fail(f"Focus never came back to the first stop after {MAX_TABS} tabs: a keyboard trap? Last: {stops[-3:]}")


def assert_visible_and_in_order(stops: list[Focus]) -> None:
    hidden = [stop for stop in stops if not stop.visible]
    unmarked = [stop for stop in stops if not stop.outline and not stop.native]
    assert not hidden, f"focused but not visible on screen: {hidden}"
    assert not unmarked, f"focused without a visible focus indicator: {unmarked}"
    assert all(stop.tabindex <= 0 for stop in stops), "a positive tabindex changes the reading order"
    order = [stop.index for stop in stops]
    assert order == sorted(order), f"focus order differs from the document order: {[s.text for s in stops]}"


@pytest.mark.browser
def test_sign_in_form_is_operable_with_the_keyboard_alone(page: Page, site: LiveSite) -> None:
    base = site.server.url
    page.goto(f"{base}/sign-in")
    skip = page.get_by_role("link", name="Skip to main content")
    stops = [tab(page)]
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()

    page.keyboard.press("Enter")  # the skip link moves focus to the main content ...
    expect(page.locator("main")).to_be_focused()
    stops.append(tab(page))  # ... so the next Tab lands on the form's first field
    expect(page.get_by_label("Username", exact=True)).to_be_focused()
    page.keyboard.type(ROLES["secretariat"])
    stops.append(tab(page))
    expect(page.get_by_label("Password", exact=True)).to_be_focused()
    page.keyboard.type(PASSWORD)
    assert_visible_and_in_order([stop for stop in stops if stop is not None])

    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"^{re.escape(base)}/sign-in/code"))  # "#main" may stay
    code = page.get_by_label("Code from your authenticator app, or a recovery code")
    for _ in range(10):
        if code.evaluate("el => el === document.activeElement"):
            break
        page.keyboard.press("Tab")
    expect(code).to_be_focused()
    page.keyboard.type(next_totp())
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"^{re.escape(base)}/(#main)?$"))


@pytest.mark.browser
def test_a_list_page_is_tabbed_through_in_order_with_visible_focus_and_no_trap(page: Page, site: LiveSite) -> None:
    sign_in(page, site.server.url, ROLES["chair"])
    page.goto(f"{site.server.url}/engagements")
    stops = tab_through(page)
    assert stops[0].text == "Skip to main content"
    texts = [stop.text for stop in stops]
    for expected in ("Companies", "Negotiations", "Working group", "Company", "Sign out"):
        assert any(text.startswith(expected) for text in texts), f"{expected!r} never received focus: {texts}"
    assert_visible_and_in_order(stops)


@pytest.mark.browser
def test_navigation_groups_open_and_close_from_the_keyboard(page: Page, site: LiveSite) -> None:
    sign_in(page, site.server.url, ROLES["chair"])
    nav = page.get_by_role("navigation", name="Main")
    group = nav.locator("summary", has_text="Working group")
    directives = nav.get_by_role("link", name="Directives")
    expect(directives).to_be_hidden()

    group.focus()
    page.keyboard.press("Enter")
    expect(directives).to_be_visible()
    page.keyboard.press("Tab")
    expect(nav.get_by_role("link", name="Directives")).to_be_focused()
    page.keyboard.press("Escape")  # enhancement: closes the group, focus back on its summary
    expect(directives).to_be_hidden()
    expect(group).to_be_focused()

    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Directives")
    expect(group).to_have_class("site-nav__summary--current")


@pytest.mark.browser
def test_every_page_works_without_javascript(no_js_page: Page, site: LiveSite) -> None:
    """Sign in, open a navigation group and follow one of its links, with scripts off."""
    page = no_js_page
    sign_in(page, site.server.url, ROLES["secretariat"])
    nav = page.get_by_role("navigation", name="Main")
    nav.locator("summary", has_text="Records").click()
    nav.get_by_role("link", name="Contacts").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Contacts")


@pytest.mark.browser
def test_a_long_import_says_it_is_working_and_cannot_be_sent_twice(page: Page, site: LiveSite, tmp_path: Path) -> None:
    sign_in(page, site.server.url, ROLES["secretariat"])
    upload = tmp_path / "companies.csv"
    upload.write_text("name,health\nSlow Upload Co,amber\n", encoding="utf-8")
    page.goto(f"{site.server.url}/companies/import")
    form = page.locator("main form[data-long]")
    # Stand in for a slow server: the page stays as it is after the submission starts.
    form.evaluate("f => f.addEventListener('submit', event => event.preventDefault())")

    page.get_by_label("CSV file").set_input_files(upload)
    button = page.get_by_role("button", name="Preview the import")
    button.click()
    expect(page.locator(".working[role=status]")).to_contain_text("preparing the preview")
    expect(button).to_be_disabled()
    expect(form).to_have_attribute("aria-busy", "true")

    page.reload()  # and with the real server, the preview follows
    page.get_by_label("CSV file").set_input_files(upload)
    page.get_by_role("button", name="Preview the import").click()
    expect(page.get_by_role("button", name="Confirm import")).to_be_enabled()


PRINT_PROBE = """() => {
  const shown = sel => {
    const el = document.querySelector(sel);
    return !!el && el.getClientRects().length > 0;
  };
  const top = document.querySelector('.marking[data-position=top]');
  const bottom = document.querySelector('.marking[data-position=bottom]');
  const back = document.querySelector('main a[href^="/"]:not(.button)');
  return {
    nav: shown('.site-nav'), header: shown('.site-header'), form: shown('main form'), button: shown('main .button'),
    top: top && getComputedStyle(top).position, topText: top && top.textContent.trim(),
    bottom: bottom && getComputedStyle(bottom).position,
    linkUrl: back && getComputedStyle(back, '::after').content,
  };
}"""


@pytest.mark.browser
def test_a_printed_record_drops_the_application_and_keeps_its_marking_on_every_sheet(
    page: Page, site: LiveSite
) -> None:
    with site.app.app_context():
        engagement_id = get_session().scalar(
            select(Engagement.id).where(Engagement.classification == Clearance.RESTRICTED).limit(1)
        )
    assert engagement_id is not None
    sign_in(page, site.server.url, ROLES["chair"])
    page.goto(f"{site.server.url}/engagements/{engagement_id}")
    page.emulate_media(media="print")
    printed = page.evaluate(PRINT_PROBE)
    assert not printed["nav"], "the navigation is printed"
    assert not printed["header"], "the header is printed"
    assert not printed["form"], "forms are printed"
    assert not printed["button"], "buttons are printed"
    assert printed["topText"] == "RESTRICTED"
    # position: fixed is how print repeats an element at the top and bottom of every sheet.
    assert (printed["top"], printed["bottom"]) == ("fixed", "fixed")
    assert printed["linkUrl"].startswith('" <'), "a record link's address is not printed"
    assert "/engagements" in printed["linkUrl"]
