"""Cursor pagination for API lists: `{"items": [...], "next_cursor": ...}`.

Cursors are opaque to clients (base64 of the last key) so the keyset can change later.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from marshmallow import Schema, fields, validate

from crm.api.schemas import Integer
from crm.errors import Invalid
from crm.http import MAX_ID

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


class PageArgsSchema(Schema):
    cursor = fields.String(load_default=None)
    limit = Integer(load_default=DEFAULT_LIMIT, validate=validate.Range(min=1, max=MAX_LIMIT))


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"id:{last_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int | None:
    """The last id a cursor stands for; Invalid (422) when it was not made by us."""
    if not cursor:
        return None
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        prefix, _, value = text.partition(":")
        if prefix == "id" and value.isdigit() and 0 < int(value) <= MAX_ID:
            return int(value)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    raise Invalid("The cursor is not valid.", fields={"cursor": ["Use the next_cursor of a previous page."]})


def page(rows: list[Any], limit: int) -> dict[str, Any]:
    """Given up to limit+1 rows, the page and the cursor to the next one."""
    has_more = len(rows) > limit
    items = rows[:limit]
    return {"items": items, "next_cursor": encode_cursor(items[-1].id) if has_more else None}
