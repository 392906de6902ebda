"""How dates and times are shown: dd-mm-yyyy, in Asia/Karachi (DESIGN.md §2)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Flask

KARACHI = ZoneInfo("Asia/Karachi")


def local(value: datetime) -> datetime:
    return value.astimezone(KARACHI)


def format_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = local(value)
    return value.strftime("%d-%m-%Y")


def format_datetime(value: datetime | None) -> str:
    """`22-11-2026 18:30 PKT` — stored UTC, shown in Pakistan time."""
    if value is None:
        return ""
    return local(value).strftime("%d-%m-%Y %H:%M PKT")


def iso(value: datetime | None) -> str:
    """Machine-readable form for <time datetime=...>."""
    return value.isoformat() if value else ""


def init_app(app: Flask) -> None:
    app.add_template_filter(format_date, "date")
    app.add_template_filter(format_datetime, "datetime")
    app.add_template_filter(iso, "iso")
