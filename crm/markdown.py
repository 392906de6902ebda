"""Minutes in Markdown, rendered safely.

markdown-it-py with raw HTML off turns Markdown into HTML; nh3 (the Rust ammonia sanitiser)
then keeps only an allow-list of tags and attributes. Two layers: a parser bug alone cannot
let script or an event handler through.
"""

from __future__ import annotations

from functools import cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "s", "del", "code", "pre", "blockquote", "ul", "ol", "li",
    "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td", "a",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}, "ol": {"start"}}
HEADING_SHIFT = 2
URL_SCHEMES = {"http", "https", "mailto"}


@cache
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
        ["table", "strikethrough"]
    )


def render(text: str) -> Markup:
    """Sanitised HTML for Markdown `text` (safe to insert into a page)."""
    parser = _parser()
    tokens = parser.parse(text or "")
    # Minutes sit under the page's own h1/h2: their headings start at h3 and never skip a
    # level (WCAG 1.3.1), whichever level the author began with ("## Points" becomes h3).
    levels = sorted({int(token.tag[1]) for token in tokens if token.type == "heading_open"})
    rank = {level: min(index + HEADING_SHIFT + 1, 6) for index, level in enumerate(levels)}
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{rank[int(token.tag[1])]}"
    html = parser.renderer.render(tokens, parser.options, {})
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(clean)  # noqa: S704 (sanitised by nh3 just above)
