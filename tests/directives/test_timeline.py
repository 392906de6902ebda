"""The due date derived from each timeline form found in the PMO letter, and calendar arithmetic."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from crm.directives.models import Milestone, TimelineKind
from crm.directives.timeline import add_months, derive_due_date

LETTER = date(2021, 10, 4)


def test_immediate_is_due_on_the_letters_date():
    assert derive_due_date("Immediate", LETTER, {}) == (TimelineKind.IMMEDIATE, None, LETTER)


def test_one_month_counts_a_calendar_month_from_the_letter():
    assert derive_due_date("1 month", LETTER, {}) == (TimelineKind.PERIOD, None, date(2021, 11, 4))


@pytest.mark.parametrize(
    ("text", "due"),
    [
        ("2 weeks", date(2021, 10, 18)),
        ("15 days", date(2021, 10, 19)),
        ("3 months", date(2022, 1, 4)),
        ("Within 1 month", date(2021, 11, 4)),
        ("one month", date(2021, 11, 4)),
        ("1 Month", date(2021, 11, 4)),
    ],
)
def test_periods_count_from_the_letter(text, due):
    assert derive_due_date(text, LETTER, {}) == (TimelineKind.PERIOD, None, due)


def test_ongoing_has_no_due_date():
    assert derive_due_date("Ongoing", LETTER, {}) == (TimelineKind.ONGOING, None, None)


def test_an_empty_timeline_has_no_due_date():
    assert derive_due_date("", LETTER, {}) == (TimelineKind.NONE, None, None)
    assert derive_due_date("   ", LETTER, {}) == (TimelineKind.NONE, None, None)


def test_unknown_words_are_kept_without_guessing_a_date():
    assert derive_due_date("As soon as possible, please", LETTER, {}) == (TimelineKind.NONE, None, None)


def test_upon_formation_waits_for_the_milestone_then_takes_its_date():
    assert derive_due_date("Upon formation of NSMCWG", LETTER, {}) == (
        TimelineKind.UPON_EVENT,
        Milestone.NSMCWG_FORMED,
        None,
    )
    formed = {Milestone.NSMCWG_FORMED: date(2021, 10, 20)}
    assert derive_due_date("Upon formation of NSMCWG", LETTER, formed)[2] == date(2021, 10, 20)


def test_upon_nominations_waits_for_the_nomination_milestone_not_the_formation():
    formed = {Milestone.NSMCWG_FORMED: date(2021, 10, 20)}
    assert derive_due_date("Upon nominations from NSMCWG", LETTER, formed) == (
        TimelineKind.UPON_EVENT,
        Milestone.FOCAL_PERSON_NOMINATED,
        None,
    )
    nominated = formed | {Milestone.FOCAL_PERSON_NOMINATED: date(2021, 12, 1)}
    assert derive_due_date("Upon nominations from NSMCWG", LETTER, nominated)[2] == date(2021, 12, 1)


def test_month_ends_are_clamped():
    assert add_months(date(2021, 1, 31), 1) == date(2021, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2021, 3, 31), 1) == date(2021, 4, 30)
    assert add_months(date(2021, 12, 15), 1) == date(2022, 1, 15)
    assert add_months(date(2021, 11, 30), 3) == date(2022, 2, 28)


def test_over_many_dates_a_month_later_is_the_next_month_and_never_before_the_start():
    start = date(2019, 1, 1)
    for offset in range(0, 366 * 5, 3):
        day = start + timedelta(days=offset)
        due = derive_due_date("1 month", day, {})[2]
        assert due is not None
        assert due > day
        assert (due.year * 12 + due.month) - (day.year * 12 + day.month) == 1
        assert due.day == day.day or (due.day < day.day and (due + timedelta(days=1)).day == 1)


def test_over_many_dates_days_and_weeks_are_exact_and_immediate_is_the_date_itself():
    start = date(2020, 2, 20)
    for offset in range(0, 800, 7):
        day = start + timedelta(days=offset)
        assert derive_due_date("15 days", day, {})[2] == day + timedelta(days=15)
        assert derive_due_date("2 weeks", day, {})[2] == day + timedelta(days=14)
        assert derive_due_date("Immediate", day, {})[2] == day
        assert derive_due_date("Ongoing", day, {})[2] is None
