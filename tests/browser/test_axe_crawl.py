"""Zero axe-core violations on every page, for every role (WCAG 2.2 AA and axe best practice).

A live server is seeded with the demo data set (kept small: 30 engagements), then each role
signs in and crawls every kind of page reachable from Home (see tests/browser/crawl.py). The
focal person is a member holding the designation, so their pages (the channel's actions)
differ from an ordinary member's. A failure lists each violation with its rule, page and the
element's selector.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.conftest import TIMEOUT_MS, LiveSite
from tests.browser.crawl import CrawlReport, check, crawl, install_axe
from tests.browser.people import ROLES, seed, sign_in

# Pages reached only through a GET form, not a link.
EXTRA = ("/search?q=Google",)
# Kinds of page checked so far by any role: shared, so further examples of a kind are spread
# over the roles instead of every role repeating them (tests/browser/crawl.py).
CHECKED: Counter[str] = Counter()
IMPORT_CSV = "name,health,priority\nAcme Video,amber,high\nMeta,purple,low\n"


@pytest.fixture(scope="module")
def demo_site(live_site: LiveSite) -> LiveSite:
    seed(live_site.app, first_admin=live_site.server.admin_username)
    return live_site


@pytest.fixture
def signed_in(browser: Browser, demo_site: LiveSite, request: pytest.FixtureRequest) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB")
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = context.new_page()
        sign_in(page, demo_site.server.url, ROLES[request.param])
        yield page
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.parametrize("signed_in", list(ROLES), indirect=True)
def test_every_page_has_no_axe_violations(signed_in: Page, demo_site: LiveSite, request: pytest.FixtureRequest) -> None:
    role = request.node.callspec.params["signed_in"]
    report = crawl(signed_in, demo_site.server.url, role=role, extra=EXTRA, checked=CHECKED)
    print(report.text())
    assert len(report.visited) >= 5, report.text()
    assert not report.broken, report.text()
    assert not report.unvisited, report.text()
    assert not report.violations, report.text()


@pytest.mark.browser
@pytest.mark.parametrize("signed_in", ["chair"], indirect=True)
def test_import_preview_reached_only_by_a_form_has_no_axe_violations(
    signed_in: Page, demo_site: LiveSite, tmp_path: Path
) -> None:
    """The CSV import's preview (one new row, one rejected) exists only as a POST's answer."""
    page, report = signed_in, CrawlReport("chair: import")
    install_axe(page)
    upload = tmp_path / "companies.csv"
    upload.write_text(IMPORT_CSV, encoding="utf-8")
    page.goto(f"{demo_site.server.url}/companies/import")
    page.get_by_label("CSV file").set_input_files(upload)
    page.get_by_role("button", name="Preview the import").click()
    page.get_by_role("button", name="Confirm import").wait_for()
    report.visited.append(page.url + " (preview)")
    check(page, report)
    assert not report.violations, report.text()
