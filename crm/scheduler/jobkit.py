"""What the reminder, escalation, digest and audit jobs share: Pakistan's today, the delivery
settings, absolute links, and the reminder thresholds. Jobs run in an app context, never in
a request, so links are built from PUBLIC_URL rather than from a request's host.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from flask import current_app
from werkzeug.routing import BuildError

from crm.formatting import format_date, local


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
