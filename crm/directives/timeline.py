"""The due date of a directive, derived from its timeline as written in the letter.

The PMO letter of 04-10-2021 writes timelines as "Immediate", "1 month", "Ongoing",
"Upon formation of NSMCWG", "Upon nominations from NSMCWG", or leaves the cell empty.
Periods ("2 weeks", "15 days", "3 months") count from the letter's date.

"Immediate" is due on the letter's own date: the letter asks for compliance "as per given
timelines", and an immediate direction is owed from the day it was issued, so it shows as
behind schedule from the next day until it is reported complete.

Months are calendar months, clamped to the month's end: 31-01 + 1 month = 28-02 (29-02 in a
leap year), as a person counting on a calendar would.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

from crm.directives.models import Milestone, TimelineKind

PERIOD = re.compile(r"^(?:within\s+)?(\d{1,3}|one|two|three|four|six)\s+(day|week|month|year)s?$")
WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "six": 6}
# The events a timeline may wait for, by the words that name them.
EVENTS: tuple[tuple[re.Pattern[str], Milestone], ...] = (
    (re.compile(r"^upon (the )?formation of (the )?nsmcwg$"), Milestone.NSMCWG_FORMED),
    (re.compile(r"^upon (the )?nominations? (from|by|of) (the )?nsmcwg$"), Milestone.FOCAL_PERSON_NOMINATED),
)
ONGOING = frozenset({"ongoing", "continuous", "regular", "as and when required"})
IMMEDIATE = frozenset({"immediate", "immediately", "at once", "forthwith"})

Derived = tuple[TimelineKind, Milestone | None, date | None]


def add_months(start: date, months: int) -> date:
    """`start` plus calendar months, clamped to the last day of the target month."""
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(start.day, last))


def _normalise(text: str) -> str:
    return " ".join(text.lower().replace(".", " ").split())


def _period(words: str, source_date: date) -> date | None:
    match = PERIOD.match(words)
    if match is None:
        return None
    number = int(match.group(1)) if match.group(1).isdigit() else WORDS[match.group(1)]
    unit = match.group(2)
    if unit == "day":
        return source_date + timedelta(days=number)
    if unit == "week":
        return source_date + timedelta(weeks=number)
    return add_months(source_date, number * (12 if unit == "year" else 1))


def parse_timeline(timeline_text: str) -> tuple[TimelineKind, Milestone | None]:
    """What kind of timeline the words are, and the milestone it waits for (if any).

    Words the parser does not know are kept as written with no due date (TimelineKind.NONE):
    the secretariat can still read them, and a due date is never guessed.
    """
    words = _normalise(timeline_text)
    if not words:
        return TimelineKind.NONE, None
    if words in IMMEDIATE:
        return TimelineKind.IMMEDIATE, None
    if words in ONGOING:
        return TimelineKind.ONGOING, None
    for pattern, milestone in EVENTS:
        if pattern.match(words):
            return TimelineKind.UPON_EVENT, milestone
    if PERIOD.match(words):
        return TimelineKind.PERIOD, None
    return TimelineKind.NONE, None


def derive_due_date(timeline_text: str, source_date: date, milestones: dict[Milestone, date]) -> Derived:
    """(kind, milestone waited for, due date) for a timeline as written.

    Immediate: the letter's date. A period: counted from the letter's date. Upon an event:
    the date the milestone was recorded as happening, or None until it is. Ongoing, empty
    or unrecognised: None.
    """
    kind, milestone = parse_timeline(timeline_text)
    if kind is TimelineKind.IMMEDIATE:
        return kind, None, source_date
    if kind is TimelineKind.PERIOD:
        return kind, None, _period(_normalise(timeline_text), source_date)
    if kind is TimelineKind.UPON_EVENT:
        assert milestone is not None
        return kind, milestone, milestones.get(milestone)
    return kind, None, None
