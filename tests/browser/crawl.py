"""Crawl the pages a signed-in user can reach and check each one with axe-core.

The crawl follows same-origin GET links from Home, breadth first. Record ids are normalised
("/companies/7" and "/companies/9" are one pattern, "/companies/{id}"), and each pattern is
visited a bounded number of times, so the crawl's length depends on the number of kinds of
page, not on the amount of data. Downloads (CSV, XLSX, PDF, calendar feeds, attachments) are
skipped: they are not HTML. Forms reached only by a button ("new" forms) are visited through
their links, and each is also submitted empty once, so the re-shown form with its error
summary is checked too.
"""

from __future__ import annotations

import json
import re
from collections import Counter, deque
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urldefrag, urlsplit

from axe_playwright_python.base import AXE_SCRIPT
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page

# WCAG 2.0, 2.1 and 2.2 at levels A and AA, and axe's best practices (landmarks, heading order,
# one h1, unique landmark names) which make the pages predictable with a screen reader.
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}
DOWNLOAD_SUFFIXES = (".csv", ".xlsx", ".pdf", ".ics", ".zip", ".svg", ".png")
# Attachments and evidence files are served as downloads under ".../files/<id>".
DOWNLOAD_PARTS = ("/files/", "/static/", "/download")
ID = re.compile(r"/\d+(?=/|$)")
EXAMPLES_PER_KIND = 2  # across all roles; every role checks each kind it reaches once
# Pages that are a form for one record: the same for every role that may open them, so the
# first role to reach one checks it for all (lists, records and Home differ by role).
FORM_PAGE = re.compile(r"/(new|edit|status|access|correct|complete|end|import|stage|milestones|turn-off)$")
QUERY_VARIANTS = 1  # per path and role: "?view=mine", "?status=open" ...
MAX_PAGES = 100  # per role: a bound on time, above the number of paths any role reaches

# axe-core as shipped inside axe-playwright-python (no download, no CDN).
AXE_SOURCE = AXE_SCRIPT


@dataclass(frozen=True)
class Violation:
    rule: str
    impact: str
    url: str
    target: str
    summary: str

    def line(self) -> str:
        return f"  [{self.impact}] {self.rule} on {self.url}\n      at {self.target}\n      {self.summary}"


@dataclass
class CrawlReport:
    role: str
    visited: list[str] = field(default_factory=list)
    violations: list[Violation] = field(default_factory=list)
    broken: list[str] = field(default_factory=list)  # URL and status of pages that answered 5xx
    unvisited: list[str] = field(default_factory=list)  # new paths left when MAX_PAGES was reached

    def text(self) -> str:
        kinds = {pattern(url.split(" ")[0]) for url in self.visited}
        paths = {kind.split("?")[0] for kind in kinds}
        lines = [
            f"{self.role}: {len(self.visited)} pages checked ({len(paths)} paths, {len(kinds)} kinds),"
            f" {len(self.violations)} violations"
        ]
        lines += [violation.line() for violation in self.violations]
        lines += [f"  broken: {entry}" for entry in self.broken]
        lines += [f"  not reached within MAX_PAGES: {url}" for url in self.unvisited]
        return "\n".join(lines)


def pattern(url: str) -> str:
    """The kind of page: the path with ids replaced, plus the names (not values) of the query."""
    parts = urlsplit(url)
    keys = sorted({key for key, _ in parse_qsl(parts.query, keep_blank_values=True)})
    return ID.sub("/{id}", parts.path) + ("?" + "&".join(keys) if keys else "")


def is_crawlable(url: str, origin: str) -> bool:
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}" != origin:
        return False
    path = parts.path.lower()
    return not path.endswith(DOWNLOAD_SUFFIXES) and not any(part in path for part in DOWNLOAD_PARTS)


def install_axe(page: Page) -> None:
    """Load axe-core into every page the context opens (an init script: no CSP applies)."""
    page.context.add_init_script(script=AXE_SOURCE)


def check(page: Page, report: CrawlReport) -> None:
    """Run axe on the page as it is now; add what it finds to the report."""
    response = page.evaluate(f"axe.run(document, {json.dumps(AXE_OPTIONS)})")
    for violation in response["violations"]:
        for node in violation["nodes"]:
            report.violations.append(
                Violation(
                    rule=violation["id"],
                    impact=violation.get("impact") or "",
                    url=page.url,
                    target=" ".join(str(part) for part in node["target"]),
                    summary=node.get("failureSummary", "").replace("\n", " ")[:300],
                )
            )


def links(page: Page) -> list[str]:
    hrefs: list[str] = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    return [urldefrag(href).url for href in hrefs]


def crawl(
    page: Page, origin: str, role: str, extra: tuple[str, ...] = (), checked: Counter[str] | None = None
) -> CrawlReport:
    """Visit every page kind reachable from Home (and `extra` paths), checking each with axe.

    In order of priority: each path this role reaches (ids normalised; a record's form only
    if no other role has checked it); then up to
    QUERY_VARIANTS query variants of each path (a tab, a filter, a sort); then further
    records of a kind while fewer than EXAMPLES_PER_KIND have been checked in all
    (`checked` is shared by the roles' crawls), all within MAX_PAGES.
    """
    crawler = _Crawler(page, origin, CrawlReport(role), Counter() if checked is None else checked)
    install_axe(page)
    crawler.run([f"{origin}/", *(origin + path for path in extra)])
    return crawler.report


@dataclass
class _Crawler:
    page: Page
    origin: str
    report: CrawlReport
    checked: Counter[str]
    queues: tuple[deque[str], ...] = field(default_factory=lambda: (deque(), deque(), deque()))
    seen: set[str] = field(default_factory=set)
    kinds: Counter[str] = field(default_factory=Counter)  # this role's visits per kind ...
    variants: Counter[str] = field(default_factory=Counter)  # ... and query variants per path

    def priority(self, url: str) -> int | None:
        """0: a new path; 1: a new query variant of a visited path; 2: another example; None: skip."""
        if url in self.seen:
            return None
        kind, path = pattern(url), pattern(url.split("?")[0])
        if FORM_PAGE.search(path) and self.checked[kind]:
            return None  # a form looks the same whoever opens it: one role checks it
        if not self.kinds[kind]:
            if self.kinds[path] and urlsplit(url).query:
                return 1 if self.variants[path] < QUERY_VARIANTS else None
            return 0
        # Another record of the same kind (its data may differ: minutes, markings, long names).
        return 2 if kind.endswith("/{id}") and self.checked[kind] < EXAMPLES_PER_KIND else None

    def next_url(self) -> str | None:
        while any(self.queues):
            index = next(index for index, queue in enumerate(self.queues) if queue)
            url = self.queues[index].popleft()
            rank = self.priority(url)
            if rank is not None and rank > index:  # its kind was visited since: wait behind new kinds
                self.queues[rank].append(url)
            elif rank is not None:
                return url
        return None

    def run(self, start: list[str]) -> None:
        self.queues[0].extend(start)
        while len(self.report.visited) < MAX_PAGES and (url := self.next_url()) is not None:
            self.seen.add(url)
            kind = pattern(url)
            self.kinds[kind] += 1
            self.variants[pattern(url.split("?")[0])] += bool(urlsplit(url).query)
            if _visit(self.page, url, self.report):
                self.checked[kind] += 1
                check(self.page, self.report)
                self.follow(links(self.page))
                if kind.endswith("/new") and self.kinds[kind] == 1:
                    _submit_empty(self.page, self.report)
        self.report.unvisited = sorted({pattern(url) for url in self.queues[0] if self.priority(url) == 0})

    def follow(self, found: list[str]) -> None:
        for link in found:
            if is_crawlable(link, self.origin) and (rank := self.priority(link)) is not None:
                self.queues[rank].append(link)


def _visit(page: Page, url: str, report: CrawlReport) -> bool:
    """Open `url`; true when it is an HTML page worth checking (5xx are reported as broken)."""
    try:
        response = page.goto(url)
    except PlaywrightError as error:  # a link that turned out to be a download
        if "Download is starting" in str(error):
            return False
        raise
    if response is None:
        return False
    if response.status >= 500:
        report.broken.append(f"{url} answered {response.status}")
        return False
    if "text/html" not in (response.headers.get("content-type") or ""):
        return False
    report.visited.append(url)
    return True


def _submit_empty(page: Page, report: CrawlReport) -> None:
    """Submit the page's main POST form without input (browser validation off) and check the
    page that comes back: normally the form again, with its error summary."""
    form = page.locator("main form[method='post' i]").last
    if form.count() == 0:
        return
    with page.expect_navigation():
        form.evaluate("f => { f.noValidate = true; HTMLFormElement.prototype.submit.call(f); }")
    if page.url.startswith("http"):
        report.visited.append(page.url + " (submitted empty)")
        check(page, report)
