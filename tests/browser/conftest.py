"""Browser-test fixtures: a live Rabta server on its own SQLite file, and the system Chromium.

The live server commits for real (the browser's requests run on other threads, outside any
test transaction), so it never touches the shared test database: it always gets a fresh
SQLite file, even when TEST_DATABASE_URL points at PostgreSQL. Its schema, reference data and
first administrator come from the real `setup` command, exactly as a new installation's do.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, sync_playwright
from werkzeug.serving import make_server

from tests.conftest import make_app

CHROMIUM = Path("/usr/bin/chromium")
# No sandbox: CI containers run as root, where Chromium's sandbox cannot start. The rest keep
# the browser from talking to Google in the background, so a run works on an air-gapped host.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Short enough that a missing label fails in seconds, long enough for argon2 on a slow runner.
TIMEOUT_MS = 10_000
# A fixed place a reviewer knows to look; written only on request (RABTA_SHOTS=1).
SHOTS_DIR = Path("/tmp/rabta-shots")  # noqa: S108
SETUP_PASSWORD_LINE = re.compile(r"one-time password: (\S+)")


@dataclass(frozen=True)
class LiveServer:
    """Where the live app listens, and its first admin's credentials as `setup` printed them.

    The one-time password works until the first sign-in replaces it: a module's tests share
    one server, so only one of them may use it.
    """

    url: str
    admin_username: str
    admin_password: str


def run_setup(app: Flask) -> tuple[str, str]:
    """Run the real `setup` command; return the first admin's username and one-time password."""
    result = app.test_cli_runner().invoke(args=["setup"])
    assert result.exit_code == 0, f"`setup` failed:\n{result.output}"
    username = re.search(r"username: (\S+)", result.output)
    password = SETUP_PASSWORD_LINE.search(result.output)
    assert username, f"`setup` printed no admin username:\n{result.output}"
    assert password, f"`setup` printed no one-time password:\n{result.output}"
    return username.group(1), password.group(1)


@dataclass(frozen=True)
class LiveSite:
    """A live server together with its app, for tests that arrange data through the services.

    Push `app.app_context()` and use `crm.db.get_session()`: the session writes to the very
    database the browser's requests read, so commit before driving the page.
    """

    server: LiveServer
    app: Flask


@pytest.fixture(scope="module")
def live_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveSite]:
    """The app on a fresh SQLite file (it commits for real), set up and served on a free port."""
    app = make_app(f"sqlite:///{tmp_path_factory.mktemp('live') / 'rabta-live.db'}")
    try:
        username, password = run_setup(app)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, name="rabta-live-server", daemon=True)
        thread.start()
        try:
            yield LiveSite(LiveServer(f"http://127.0.0.1:{server.server_port}", username, password), app)
        finally:
            server.shutdown()
            server.server_close()
            thread.join(timeout=10)
    finally:
        app.extensions["rabta.db"].engine.dispose()


@pytest.fixture(scope="module")
def live_server(live_site: LiveSite) -> LiveServer:
    return live_site.server


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests drive the system Chromium, never a download."
            " Run `make test` (it installs Chromium when run as root) or `sudo apt-get install chromium`.",
            pytrace=False,
        )
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
    finally:
        playwright.stop()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh page in its own context: no cookies or storage carried over from another test."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB")
    context.set_default_timeout(TIMEOUT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def screenshot() -> Callable[[Page, str], None]:
    """Save a full-page screenshot to /tmp/rabta-shots/<name>.png, only when RABTA_SHOTS=1."""
    enabled = os.environ.get("RABTA_SHOTS") == "1"
    if enabled:
        SHOTS_DIR.mkdir(parents=True, exist_ok=True)

    def shoot(page: Page, name: str) -> None:
        if enabled:
            page.screenshot(path=str(SHOTS_DIR / f"{name}.png"), full_page=True)

    return shoot
