"""/api/v1/channel-exceptions: contacts with companies made outside the channel, and their review."""

from __future__ import annotations

from typing import Any

from flask import abort
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from crm.api import api_actor
from crm.api.pagination import PageArgsSchema, decode_cursor, page
from crm.api.schemas import Integer
from crm.db import get_session
from crm.exceptions import policy, queries, services
from crm.exceptions.models import ChannelException, ExceptionStatus
from crm.http import MAX_ID

blp = Blueprint(
    "api_channel_exceptions",
    __name__,
    url_prefix="/api/v1/channel-exceptions",
    description="Reports of contacts made outside the single channel; the chair reviews them.",
)

ID = validate.Range(min=1, max=MAX_ID)


class ChannelExceptionSchema(Schema):
    id = Integer()
    company_id = Integer()
    who = fields.String()
    organisation_id = Integer(allow_none=True)
    occurred_on = fields.Date()
    what = fields.String()
    status = fields.Enum(ExceptionStatus, by_value=True)
    reported_by_id = Integer()
    review_note = fields.String()
    reviewed_by_id = Integer(allow_none=True)
    reviewed_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    version = Integer()


class ExceptionListArgsSchema(PageArgsSchema):
    status = fields.Enum(ExceptionStatus, by_value=True, load_default=None)


class ExceptionPageSchema(Schema):
    items = fields.List(fields.Nested(ChannelExceptionSchema))
    next_cursor = fields.String(allow_none=True)


class ExceptionCreateSchema(Schema):
    company_id = Integer(required=True, validate=ID)
    who = fields.String(required=True, validate=validate.Length(min=1, max=300))
    organisation_id = Integer(load_default=None, allow_none=True, validate=ID)
    occurred_on = fields.Date(required=True, metadata={"description": "ISO date"})
    what = fields.String(required=True, validate=validate.Length(min=1, max=services.TEXT_MAX))


class ReviewSchema(Schema):
    version = Integer(required=True, validate=ID)
    note = fields.String(required=True, validate=validate.Length(min=1, max=services.TEXT_MAX))


@blp.route("")
class ChannelExceptions(MethodView):
    @blp.arguments(ExceptionListArgsSchema, location="query")
    @blp.response(200, ExceptionPageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Reports by id: all for the chair and the secretariat, the caller's own for others (`?status=`)."""
        user = api_actor()
        rows = queries.list_exceptions(
            get_session(), reported_by_id=None if policy.sees_all(user) else user.id, status=args["status"],
            after_id=decode_cursor(args["cursor"]), limit=args["limit"] + 1,
        )  # fmt: skip
        return page(rows, args["limit"])

    @blp.arguments(ExceptionCreateSchema)
    @blp.response(201, ChannelExceptionSchema)
    def post(self, data: dict[str, Any]) -> ChannelException:
        """Report a contact made outside the channel (not observers or admins: 403 `not_permitted`)."""
        session = get_session()
        report = services.report_exception(session, actor=api_actor(), **data)
        session.commit()
        return report


@blp.route("/<int:exception_id>")
class ChannelExceptionById(MethodView):
    @blp.response(200, ChannelExceptionSchema)
    def get(self, exception_id: int) -> ChannelException:
        """One report (its reporter, the chair or the secretariat; else 404)."""
        report = queries.get_exception(get_session(), exception_id)
        if report is None or not policy.can_view(api_actor(), report):
            abort(404, "There is no such channel exception.")
        return report


@blp.route("/<int:exception_id>/review")
class ReviewException(MethodView):
    @blp.arguments(ReviewSchema)
    @blp.response(200, ChannelExceptionSchema)
    def post(self, data: dict[str, Any], exception_id: int) -> ChannelException:
        """The chair's review with a note (403 `not_chair`; 409 if already reviewed or `version` is stale)."""
        session = get_session()
        report = services.review_exception(
            session, actor=api_actor(), exception_id=exception_id, note=data["note"], version=data["version"]
        )
        session.commit()
        return report
