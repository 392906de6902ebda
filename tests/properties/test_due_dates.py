"""Properties of the directive due-date derivation (crm/directives/timeline.py)."""

from __future__ import annotations

import calendar
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from crm.directives.models import Milestone, TimelineKind
from crm.directives.timeline import add_months, derive_due_date, parse_timeline

# The service accepts letters dated 2000-2100 (crm.directives.services EARLIEST, LATEST).
letter_dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))
milestones = st.dictionaries(st.sampled_from(list(Milestone)), letter_dates, max_size=len(Milestone))
UNITS = ("day", "week", "month", "year")
WORDS = ["immediate", "ongoing", "1 month", "within 2 weeks", "upon formation of nsmcwg", "15 days", "Six months"]
timeline_texts = st.one_of(
    st.text(), st.sampled_from(WORDS), st.builds(lambda n, u: f"{n} {u}s", st.integers(0, 999), st.sampled_from(UNITS))
)


@settings(max_examples=500, deadline=None, database=None, derandomize=True)
@given(timeline_texts, letter_dates, milestones)
def test_derivation_never_raises_and_is_consistent(text: str, source: date, recorded: dict[Milestone, date]) -> None:
    kind, milestone, due = derive_due_date(text, source, recorded)
    assert (kind, milestone) == parse_timeline(text)
    if kind is TimelineKind.IMMEDIATE:
        assert due == source
    elif kind is TimelineKind.PERIOD:
        assert due is not None
        assert due >= source
    elif kind is TimelineKind.UPON_EVENT:
        assert milestone is not None
        assert due == recorded.get(milestone)
    else:
        assert due is None


@settings(max_examples=300, deadline=None, database=None, derandomize=True)
@given(st.integers(0, 999), st.integers(0, 999), st.sampled_from(UNITS), letter_dates)
def test_a_longer_period_is_never_due_earlier(first: int, second: int, unit: str, source: date) -> None:
    shorter, longer = sorted((first, second))
    _, _, early = derive_due_date(f"{shorter} {unit}s", source, {})
    _, _, late = derive_due_date(f"within {longer} {unit}s", source, {})
    assert early is not None
    assert late is not None
    assert source <= early <= late


@settings(max_examples=300, deadline=None, database=None, derandomize=True)
@given(letter_dates, st.integers(0, 1200))
def test_months_clamp_to_the_end_of_the_month(start: date, months: int) -> None:
    result = add_months(start, months)
    index = start.year * 12 + start.month - 1 + months
    year, month0 = divmod(index, 12)
    assert (result.year, result.month) == (year, month0 + 1)
    assert result.day == min(start.day, calendar.monthrange(year, month0 + 1)[1])


def test_the_31st_of_january_plus_a_month_is_the_end_of_february() -> None:
    assert add_months(date(2021, 1, 31), 1) == date(2021, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
