"""The iCalendar document of a feed, built from plain rows.

No classified text ever enters it (R5): follow-ups appear by number only (their titles may
quote engagement subjects), commitments by company and number, and an engagement's subject
only when the engagement is unclassified. Every event links back to the record in Rabta,
where the usual rules decide what the reader sees.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from icalendar import Calendar, Event

from crm.accounts.models import Clearance
from crm.feeds.queries import DueItem, Meeting

# A logged engagement has a time but no length: show it as an hour.
MEETING_LENGTH = timedelta(hours=1)
UID_DOMAIN = "rabta"


@dataclass(frozen=True)
class FeedItems:
    """What a user's feed holds at one fetch."""

    follow_ups: list[DueItem]
    commitments: list[DueItem]
    meetings: list[Meeting]


def meeting_title(meeting: Meeting) -> str:
    """`Engagement with Meta: Data localisation` when unclassified; else the company and the
    marking only, so the calendar app (and whoever syncs it) never holds the subject."""
    if meeting.classification is Clearance.UNCLASSIFIED:
        return f"Engagement with {meeting.company}: {meeting.subject}"
    return f"Engagement with {meeting.company} ({meeting.classification.label} — see Rabta)"


def _event(uid: str, summary: str, url: str, stamp: datetime) -> Event:
    event = Event()
    event.add("uid", f"{uid}@{UID_DOMAIN}")
    event.add("dtstamp", stamp)
    event.add("summary", summary)
    event.add("url", url)
    return event


def _all_day(event: Event, item: DueItem) -> Event:
    event.add("dtstart", item.due_date)
    event.add("dtend", item.due_date + timedelta(days=1))
    event.add("transp", "TRANSPARENT")  # a deadline does not make anyone busy
    return event


def build_calendar(items: FeedItems, *, link: Callable[[str, int], str], now: datetime) -> bytes:
    """The feed as iCalendar bytes. `link(kind, id)` gives each record's absolute URL."""
    calendar = Calendar()
    calendar.add("prodid", "-//NSMCWG//Rabta//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "Rabta")
    for item in items.follow_ups:
        event = _event(f"followup-{item.id}", f"Follow-up due (#{item.id})", link("followup", item.id), now)
        calendar.add_component(_all_day(event, item))
    for item in items.commitments:
        summary = f"Commitment due: {item.company} (#{item.id})"
        calendar.add_component(
            _all_day(_event(f"commitment-{item.id}", summary, link("commitment", item.id), now), item)
        )
    for meeting in items.meetings:
        event = _event(f"engagement-{meeting.id}", meeting_title(meeting), link("engagement", meeting.id), now)
        event.add("dtstart", meeting.occurred_at)
        event.add("dtend", meeting.occurred_at + MEETING_LENGTH)
        calendar.add_component(event)
    return calendar.to_ical()
