"""Property: whatever Markdown (or HTML, or garbage) goes into minutes, the rendered HTML carries
no script element, no event-handler attribute and no link outside http, https and mailto."""

from __future__ import annotations

import html
from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st

from crm.markdown import ALLOWED_TAGS, URL_SCHEMES, render

# Pieces attackers use, to be mixed with arbitrary text so the search reaches them quickly.
FRAGMENTS = [
    "<script>alert(1)</script>", "<SCRIPT SRC=//x.js></SCRIPT>", "<scr<script>ipt>", "</script", "<script",
    "<img src=x onerror=alert(1)>", "<a href=\"javascript:alert(1)\">x</a>", "<svg onload=alert(1)>",
    "<div onmouseover='x'>", " onclick=\"x\" ", "[x](javascript:alert(1))", "[x](JaVaScRiPt:alert(1))",
    "[x](java\tscript:alert(1))", "[x](&#106;avascript:alert(1))", "[x](&#x6A;avascript:x)",
    "[x](vbscript:msgbox)", "[x](data:text/html;base64,PHNjcmlwdD4=)", "<javascript:alert(1)>",
    "[x]: javascript:alert(1)\n\n[x]", "![i](javascript:alert(1))", "[x](http://ok.example \"t\" onmouseover=x)",
    "<iframe src=x>", "<style>*{}</style>", "<math><mi xlink:href=\"javascript:x\">", "`<script>`",
    "```\n<script>\n```", "# h\n", "| a | b |\n|---|---|\n| <script> | x |\n", "> <b onclick=x>q</b>",
    "\x00", "&lt;script&gt;", "<!-- <script> -->", "<![CDATA[<script>]]>", "[x](  javascript:x  )",
]  # fmt: skip
markdown_like = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=30)), max_size=12).map("".join)


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += [(name, value or "") for name, value in attrs]

    handle_startendtag = handle_starttag


def _scheme(url: str) -> str:
    """The scheme a browser would see: entities decoded, controls and blanks dropped, any case."""
    cleaned = "".join(ch for ch in html.unescape(url) if ch.isprintable() and not ch.isspace()).lower()
    head, colon, _ = cleaned.partition(":")
    return head if colon and "/" not in head and "?" not in head and "#" not in head else ""


def _assert_safe(text: str) -> None:
    output = str(render(text))
    assert "<script" not in output.lower()
    collector = _Collector()
    collector.feed(output)
    collector.close()
    assert set(collector.tags) <= ALLOWED_TAGS
    for name, value in collector.attributes:
        assert not name.lower().startswith("on"), (name, output)
        if name in ("href", "src"):
            assert _scheme(value) in URL_SCHEMES | {""}, (value, output)


@settings(max_examples=300, deadline=None, database=None, derandomize=True)
@given(markdown_like)
def test_no_script_handler_or_dangerous_link_survives_markdown(text: str) -> None:
    _assert_safe(text)


@settings(max_examples=200, deadline=None, database=None, derandomize=True)
@given(st.text())
def test_arbitrary_text_renders_safely(text: str) -> None:
    _assert_safe(text)


def test_known_attacks_are_neutralised() -> None:
    for fragment in FRAGMENTS:
        _assert_safe(fragment)
    assert "href" not in str(render("[x](javascript:alert(1))"))
