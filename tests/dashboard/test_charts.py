"""The SVG chart builder and the figures behind the charts."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta

from crm.commitments.models import CommitmentStatus
from crm.commitments.queries import today
from crm.dashboard import figures
from crm.dashboard.charts import Bar, bar_chart, column_chart, describe
from tests.commitments.factories import close, make_commitment
from tests.dashboard.factories import add_late_directive
from tests.engagements.factories import build_world, log

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup: str) -> ET.Element:
    return ET.fromstring(str(markup))  # noqa: S314 - markup the app itself generated


def test_a_bar_chart_is_an_image_named_and_described_with_every_figure_in_words():
    svg = parse(bar_chart("c1", "Commitments by status", [Bar("Open", 4), Bar("Breached", 1)], unit="commitment"))
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "c1-title c1-desc"
    assert svg.find(f"{SVG}title").text == "Commitments by status"
    assert svg.find(f"{SVG}desc").text == "Open: 4 commitments; Breached: 1 commitment."
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert texts == ["Open", "4", "Breached", "1"]  # each bar labelled directly


def test_bars_differ_by_pattern_not_only_by_colour():
    svg = parse(bar_chart("c2", "T", [Bar(str(n), n + 1) for n in range(3)], unit="item"))
    fills = [r.get("fill") for r in svg.iter(f"{SVG}rect") if r.get("stroke")]
    assert len(set(fills)) == 3
    assert fills[1] == "url(#c2-p1)"
    assert {p.get("id") for p in svg.iter(f"{SVG}pattern")} == {"c2-p1", "c2-p2"}


def test_labels_are_escaped_and_bars_are_proportional():
    svg = parse(bar_chart("c3", "<b>x</b>", [Bar("<script>", 10), Bar("half", 5)], unit="item"))
    assert svg.find(f"{SVG}title").text == "<b>x</b>"  # text, not markup
    widths = [int(r.get("width")) for r in svg.iter(f"{SVG}rect") if r.get("stroke")]
    assert widths[0] == 2 * widths[1]


def test_an_empty_chart_says_so():
    svg = parse(bar_chart("c4", "Nothing", [], unit="item"))
    assert svg.find(f"{SVG}desc").text == "No figures to show."
    assert describe([], "item") == "No figures to show."


def test_a_column_chart_labels_each_column_with_its_value_and_month():
    svg = parse(column_chart("m", "Per month", [Bar("Jan 26", 3), Bar("Feb 26", 0)], unit="engagement"))
    assert [t.text for t in svg.iter(f"{SVG}text")] == ["3", "Jan 26", "0", "Feb 26"]
    assert len([r for r in svg.iter(f"{SVG}rect")]) == 1  # no bar drawn for zero


def test_the_last_twelve_months_cross_the_year():
    starts = figures.month_starts(date(2026, 2, 17))
    assert starts[0] == date(2025, 3, 1)
    assert starts[-1] == date(2026, 2, 1)
    assert len(starts) == 12
    assert figures.month_label(starts[-1]) == "Feb 26"


def test_engagements_are_counted_in_pakistans_month(session):
    world = build_world(session)
    this_month = today().replace(day=1)
    # 20:00 UTC on the last day of the previous month is 01:00 PKT on the 1st of this month.
    previous_last_day = this_month - timedelta(days=1)
    late_evening = datetime.combine(previous_last_day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=20)
    log(session, world.focal, world.company.id, occurred_at=late_evening, needs_no_response=True)
    log(session, world.focal, world.company.id, occurred_at=late_evening - timedelta(hours=2), needs_no_response=True)

    months, series = figures.engagements_per_month(session, today=today(), company_id=world.company.id)
    assert series[0].counts[-1] == 1
    assert series[0].counts[-2] == 1
    assert series[0].total == 2
    assert months[-1] == this_month


def test_commitments_and_directives_by_status(session):
    world = build_world(session)
    make_commitment(session, actor=world.chair, company_id=world.company.id)
    make_commitment(session, actor=world.chair, company_id=world.company.id, due_date=today() - timedelta(days=1))
    kept = make_commitment(session, actor=world.chair, company_id=world.company.id)
    close(session, actor=world.chair, commitment=kept, status=CommitmentStatus.BREACHED)
    add_late_directive(session, world)

    commitments = {b.label: b.value for b in figures.commitments_by_status(session, today=today())}
    directives = {b.label: b.value for b in figures.directive_progress(session, today=today())}
    assert commitments == {"Open, on time": 1, "Open, overdue": 1, "Fulfilled": 0, "Partially fulfilled": 0,
                           "Breached": 1, "Withdrawn": 0}  # fmt: skip
    assert directives["Behind schedule"] == 1  # open past its due date, whatever was declared
    assert directives["Not started"] == 0
