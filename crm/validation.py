"""Checks every service shares, so no entry point (form, API, CLI, import) can skip them.

Column lengths are read from the model itself: a limit is written once, in models.py, and
a too-long value becomes a field error rather than a database error (a 500) or, on SQLite,
a silently stored overlong value.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from sqlalchemy import String

from crm.db import Base

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
FieldErrors = dict[str, list[str]]


def length_errors(model: type[Base], values: dict[str, Any]) -> FieldErrors:
    """Field errors for string values longer than their column allows."""
    errors: FieldErrors = {}
    columns = model.__table__.columns
    for name, value in values.items():
        column = columns.get(name)
        if column is None or not isinstance(value, str) or not isinstance(column.type, String):
            continue
        limit = column.type.length
        if limit is not None and len(value) > limit:
            errors[name] = [f"Use at most {limit} characters (this has {len(value)})."]
    return errors


def email_errors(name: str, value: str) -> FieldErrors:
    """An optional e-mail address must look like one."""
    if value and not EMAIL_PATTERN.match(value):
        return {name: ["Enter an e-mail address like name@example.gov.pk."]}
    return {}


def aware_errors(name: str, value: datetime | None) -> FieldErrors:
    """Times must carry a time zone (they are stored in UTC)."""
    if value is not None and value.tzinfo is None:
        return {name: ["Give the time with its time zone."]}
    return {}


def merge(*groups: FieldErrors) -> FieldErrors:
    merged: FieldErrors = {}
    for group in groups:
        for name, messages in group.items():
            merged.setdefault(name, []).extend(messages)
    return merged
