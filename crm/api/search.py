"""/api/v1/search?q=: the global search, with what the caller may see only (R5), best first."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from crm.api import api_actor
from crm.api.schemas import Integer
from crm.db import get_session
from crm.errors import Invalid
from crm.search import queries
from crm.search.models import FAMILIES, Kind
from crm.search.views import audited_search, families_of, result_url

blp = Blueprint("api_search", __name__, url_prefix="/api/v1/search", description="Global search.")

MAX_LIMIT = 50


class SearchArgsSchema(Schema):
    q = fields.String(load_default="", metadata={"description": "Words to find (all of them; the last may be a "
                                                                "prefix). Empty: no results."})  # fmt: skip
    kind = fields.List(
        fields.String(validate=validate.OneOf([kind.value for kind in FAMILIES])),
        load_default=list,
        metadata={"description": "Only these record kinds (repeat the parameter); minutes count as their record's."},
    )
    cursor = fields.String(load_default=None)
    limit = Integer(load_default=queries.PAGE_SIZE, validate=validate.Range(min=1, max=MAX_LIMIT))


class SearchResultSchema(Schema):
    kind = fields.Enum(
        Kind, by_value=True, metadata={"description": "`engagement_minutes`, `meeting_minutes`: matched in the minutes"}
    )
    id = Integer(attribute="record_id", metadata={"description": "The record's id (of its own kind)"})
    title = fields.Method("plain_title")
    title_html = fields.Method("html_title")
    snippet = fields.Method("html_snippet", metadata={"description": "HTML: escaped text, matches in <mark>"})
    url = fields.Method("link")
    classification = fields.Method("level", allow_none=True)
    company = fields.String()
    dated_at = fields.DateTime(allow_none=True)
    status = fields.String()

    def plain_title(self, result: queries.Result) -> str:
        return result.title.striptags()

    def html_title(self, result: queries.Result) -> str:
        return str(result.title)

    def html_snippet(self, result: queries.Result) -> str:
        return str(result.snippet)

    def link(self, result: queries.Result) -> str:
        return result_url(result)

    def level(self, result: queries.Result) -> str | None:
        return result.classification.value if result.classification else None


class SearchPageSchema(Schema):
    items = fields.List(fields.Nested(SearchResultSchema))
    next_cursor = fields.String(allow_none=True)


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int:
    """The position a cursor stands for; Invalid (422) when it was not made by us."""
    if not cursor:
        return 0
    try:
        prefix, _, value = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode().partition(":")
        if prefix == "o" and value.isdigit() and int(value) <= queries.MAX_OFFSET + MAX_LIMIT:
            return int(value)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    raise Invalid("The cursor is not valid.", fields={"cursor": ["Use the next_cursor of a previous page."]})


@blp.route("")
class Search(MethodView):
    @blp.arguments(SearchArgsSchema, location="query")
    @blp.response(200, SearchPageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Records the caller may see that contain every word of `q`, best match first.

        Engagement and WG meeting minutes are searched only where the caller may read them (R5);
        each page that excerpts minutes is audited. Cursor pagination (`next_cursor`)."""
        page = audited_search(get_session(), api_actor(), args["q"], families=families_of(args["kind"]),
                              offset=decode_cursor(args["cursor"]), limit=args["limit"])  # fmt: skip
        cursor = encode_cursor(page.next_offset) if page.next_offset is not None else None
        return {"items": page.results, "next_cursor": cursor}
