"""What the reminder, escalation, digest and audit jobs share: Pakistan's today, the delivery
settings, absolute links, the reminder thresholds, and the reminder and escalation loops
themselves. Jobs run in an app context, never in a request, so links are built from
PUBLIC_URL rather than from a request's host.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from flask import current_app
from sqlalchemy.orm import Session
from werkzeug.routing import BuildError

from crm.accounts.models import Role, User
from crm.formatting import format_date, local
from crm.notifications.models import NotificationKind
from crm.notifications.services import notify, queue_webhook_event
from crm.scheduler.queries import active_users_with_roles

Item = TypeVar("Item")

# An item is escalated when it falls overdue; one overdue for longer than this is assumed
# escalated already (or older than the scheduler) and is left to the daily digest, so a first
# run on years of history does not bury the chair.
ESCALATION_LOOKBACK_DAYS = 7


def today(now: datetime) -> date:
    """Pakistan's date at `now`: due dates are Pakistani calendar dates."""
    return local(now).date()


def send_email() -> bool:
    """E-mail is queued only when SMTP is configured (else in-app only)."""
    return bool(current_app.config.get("SMTP_HOST"))


def webhook_urls() -> list[str]:
    return list(current_app.config.get("WEBHOOK_URLS") or [])


def reminder_days() -> list[int]:
    return sorted({int(days) for days in current_app.config.get("REMINDER_DAYS") or []})


def public_link(endpoint: str, *fallbacks: str, **values: Any) -> str:
    """An absolute link under PUBLIC_URL to `endpoint` with `values`, else to the first of
    `fallbacks` (then the home page) that exists: a link never breaks a job."""
    adapter = current_app.url_map.bind("localhost")
    for name, arguments in [(endpoint, values), *((f, {}) for f in fallbacks), ("dashboard.home", {})]:
        try:
            return f"{current_app.config['PUBLIC_URL']}{adapter.build(name, arguments)}"
        except BuildError:
            continue
    return str(current_app.config["PUBLIC_URL"])


def reminder_threshold(days_left: int, days: Sequence[int]) -> int | None:
    """Which configured reminder (days before due) is due for an item `days_left` from its date.

    The nearest threshold at or above `days_left`: with 3 and 1, an item 3 or 2 days out gets
    the 3-day reminder, 1 or 0 days out the 1-day one. A day without a scheduler therefore
    delays a reminder instead of losing it, and each threshold is keyed (sent) once.
    """
    candidates = [n for n in days if n >= days_left >= 0]
    return min(candidates) if candidates else None


def due_phrase(due: date, on: date) -> str:
    """ "due today", "due tomorrow", "due in 3 days" — and the date (dd-mm-yyyy)."""
    days_left = (due - on).days
    when = {0: "today", 1: "tomorrow"}.get(days_left, f"in {days_left} days")
    return f"due {when} ({format_date(due)})"


@dataclass(frozen=True)
class Notice:
    """What a reminder or escalation says about one item. `subject` and `item_id` name it in
    the notification key and the webhook's data ("follow_up", 12); links, never content (R5)."""

    subject: str
    item_id: int
    due: date
    title: str
    link: str
    body: str = ""


def send_reminders(
    session: Session,
    now: datetime,
    *,
    noun: str,
    load: Callable[[date, date], Sequence[Item]],
    due: Callable[[Item], date],
    recipients: Callable[[Sequence[Item]], Callable[[Item], Iterable[User]]],
    notice: Callable[[Item, date], Notice],
) -> str:
    """The reminder job's loop: `load(first, last)` the open items due within the longest
    threshold (REMINDER_DAYS), load their `recipients` in bulk (a function of the items that
    returns each item's people), and notify each person once per item, due date and threshold.
    The feature decides who, what and which items; the key makes a repeated run send nothing."""
    days, on = reminder_days(), today(now)
    if not days:
        return "no reminders configured (REMINDER_DAYS is empty)"
    items = load(on, on + timedelta(days=max(days)))
    people_of = recipients(items)
    email, sent = send_email(), 0
    for item in items:
        threshold = reminder_threshold((due(item) - on).days, days)
        if threshold is None:
            continue
        said = notice(item, on)
        key = f"reminder:{said.subject}:{said.item_id}:{said.due.isoformat()}:{threshold}d"
        for user in people_of(item):
            reminded = notify(
                session, user=user, key=key, kind=NotificationKind.REMINDER, title=said.title, body=said.body,
                link=said.link, email=email, now=now,
            )  # fmt: skip
            sent += reminded is not None
    horizon = format_date(on + timedelta(days=max(days)))
    return f"{sent} reminder(s) sent for {len(items)} open {noun}(s) due by {horizon}"


def escalate_overdue(
    session: Session,
    now: datetime,
    *,
    load: Callable[[date, date], Sequence[Item]],
    notices: Callable[[Sequence[Item]], Callable[[Item], Notice]],
) -> tuple[int, int]:
    """The escalation loop: tell every active chair (in-app, e-mail when configured) and the
    webhooks about each open item `load(first, last)` finds fallen overdue within the look-back
    window, once per item and due date. `notices(items)` loads what the messages need in bulk
    and returns each item's notice. Returns (items escalated now, notifications sent)."""
    on = today(now)
    items = load(on - timedelta(days=ESCALATION_LOOKBACK_DAYS), on - timedelta(days=1))
    chairs = active_users_with_roles(session, Role.CHAIR) if items else []
    notice_of = notices(items)
    email, urls = send_email(), webhook_urls()
    escalated = sent = 0
    for item in items:
        said = notice_of(item)
        key = f"escalation:{said.subject}:{said.item_id}:{said.due.isoformat()}"
        delivered = [
            notify(
                session, user=chair, key=key, kind=NotificationKind.ESCALATION, title=said.title, body=said.body,
                link=said.link, email=email, now=now,
            )
            for chair in chairs
        ]  # fmt: skip
        sent += sum(d is not None for d in delivered)
        queued = queue_webhook_event(session, event="overdue", key=key, now=now, urls=urls, data={
            "type": said.subject, "id": said.item_id, "due_date": said.due, "link": said.link})  # fmt: skip
        escalated += any(d is not None for d in delivered) or bool(queued)
    return escalated, sent
