"""Charts drawn on the server as inline SVG: no JavaScript, no CDN, no colour-only meaning.

Every chart is an `<svg role="img">` named by its `<title>` and described by its `<desc>`
(which states the figures in words), every bar is labelled directly with its category and
value, and categories of a bar chart are told apart by fill patterns as well as by position.
Pages put the same figures in a table beside each chart (see `templates/dashboard/_charts.html`).

Colours and patterns are presentation attributes, not `style=`: the Content-Security-Policy
allows no inline styles.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

INK = "#1d2a22"
BAR = "#1f5f46"
AXIS = "#6b7a70"
FONT = 'font-family="system-ui, sans-serif"'


@dataclass(frozen=True)
class Bar:
    """One category of a chart and its figure."""

    label: str
    value: int


def _patterns(chart_id: str, count: int) -> str:
    """Distinct fills (solid, hatches, dots, grid...) so bars differ without colour."""
    shapes = (
        "",
        f'<path d="M0,8 L8,0" stroke="{BAR}" stroke-width="2.5"/>',
        f'<circle cx="4" cy="4" r="2" fill="{BAR}"/>',
        f'<path d="M0,4 H8" stroke="{BAR}" stroke-width="2.5"/>',
        f'<path d="M0,0 L8,8 M0,8 L8,0" stroke="{BAR}" stroke-width="1.5"/>',
        f'<path d="M4,0 V8" stroke="{BAR}" stroke-width="2.5"/>',
    )
    defs = []
    for n in range(count):
        shape = shapes[n % len(shapes)]
        if not shape:
            continue
        defs.append(f'<pattern id="{chart_id}-p{n}" width="8" height="8" patternUnits="userSpaceOnUse">'
                    f'<rect width="8" height="8" fill="#ffffff"/>{shape}</pattern>')  # fmt: skip
    return f"<defs>{''.join(defs)}</defs>" if defs else ""


def _fill(chart_id: str, n: int) -> str:
    return BAR if n % 6 == 0 else f"url(#{chart_id}-p{n})"


def _open(chart_id: str, title: str, desc: str, width: int, height: int) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" aria-labelledby="{chart_id}-title {chart_id}-desc">'
        f'<title id="{chart_id}-title">{escape(title)}</title><desc id="{chart_id}-desc">{escape(desc)}</desc>'
    )


def describe(bars: Sequence[Bar], unit: str) -> str:
    """The figures in words, for the chart's <desc>: `Open: 4 commitments; Breached: 1 commitment.`"""
    if not bars:
        return "No figures to show."
    parts = [f"{bar.label}: {bar.value} {unit if bar.value == 1 else unit + 's'}" for bar in bars]
    return "; ".join(parts) + "."


def bar_chart(chart_id: str, title: str, bars: Sequence[Bar], *, unit: str, width: int = 520) -> Markup:
    """Horizontal bars, one per category: its label on the left, its value at the bar's end."""
    row, label_width, gap = 28, 170, 8
    height = max(row * len(bars) + 2 * gap, 40)
    longest = max((bar.value for bar in bars), default=0) or 1
    span = width - label_width - 60
    parts = [_open(chart_id, title, describe(bars, unit), width, height), _patterns(chart_id, len(bars))]
    for n, bar in enumerate(bars):
        y = gap + n * row
        length = round(span * bar.value / longest) if bar.value else 0
        parts.append(
            f'<text x="0" y="{y + 18}" {FONT} font-size="13" fill="{INK}">{escape(bar.label)}</text>'
            f'<rect x="{label_width}" y="{y + 4}" width="{max(length, 1)}" height="{row - 10}" '
            f'fill="{_fill(chart_id, n)}" stroke="{BAR}" stroke-width="1"/>'
            f'<text x="{label_width + length + 6}" y="{y + 18}" {FONT} font-size="13" font-weight="700" '
            f'fill="{INK}">{bar.value}</text>'
        )
    if not bars:
        parts.append(f'<text x="0" y="24" {FONT} font-size="13" fill="{INK}">No figures to show.</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text value above is escaped


def column_chart(chart_id: str, title: str, bars: Sequence[Bar], *, unit: str, height: int = 150) -> Markup:
    """Vertical columns in order (e.g. months): the value above each, its label below."""
    column, top, bottom = 42, 20, 34
    width = max(column * len(bars), column)
    plot = height - top - bottom
    highest = max((bar.value for bar in bars), default=0) or 1
    parts = [_open(chart_id, title, describe(bars, unit), width, height)]
    baseline = top + plot
    parts.append(f'<line x1="0" y1="{baseline}" x2="{width}" y2="{baseline}" stroke="{AXIS}" stroke-width="1"/>')
    for n, bar in enumerate(bars):
        x = n * column
        size = round(plot * bar.value / highest)
        middle = x + column / 2
        if size:
            parts.append(f'<rect x="{x + 5}" y="{baseline - size}" width="{column - 10}" height="{size}" '
                         f'fill="{BAR}"/>')  # fmt: skip
        parts.append(
            f'<text x="{middle}" y="{baseline - size - 4}" {FONT} font-size="11" text-anchor="middle" '
            f'fill="{INK}">{bar.value}</text>'
            f'<text x="{middle}" y="{baseline + 14}" {FONT} font-size="10" text-anchor="middle" '
            f'fill="{INK}">{escape(bar.label)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text value above is escaped
