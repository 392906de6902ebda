"""/api/v1/follow-ups: action items; `?assignee=me` for the caller's own."""

from __future__ import annotations

from typing import Any

from flask import abort
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from crm.api import api_actor
from crm.api.pagination import PageArgsSchema, decode_cursor, page
from crm.db import get_session
from crm.followups import policy, queries, services
from crm.followups.models import FollowUp, FollowUpStatus
from crm.http import MAX_ID

blp = Blueprint("api_follow_ups", __name__, url_prefix="/api/v1/follow-ups", description="Follow-ups (action items).")


class FollowUpSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    details = fields.String()
    assignee_id = fields.Integer(allow_none=True)
    assignee_organisation_id = fields.Integer(allow_none=True)
    due_date = fields.Date(allow_none=True)
    status = fields.Enum(FollowUpStatus, by_value=True)
    is_outbound_action = fields.Boolean()
    company_id = fields.Integer(allow_none=True)
    thread_id = fields.Integer(allow_none=True)
    engagement_id = fields.Integer(allow_none=True)
    completion_note = fields.String()
    completed_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    version = fields.Integer()


class FollowUpListArgsSchema(PageArgsSchema):
    assignee = fields.String(
        load_default=None,
        validate=validate.OneOf(["me"]),
        metadata={"description": "`me`: assigned to the caller or to their organisation's queue"},
    )
    status = fields.Enum(FollowUpStatus, by_value=True, load_default=None)


class FollowUpPageSchema(Schema):
    items = fields.List(fields.Nested(FollowUpSchema))
    next_cursor = fields.String(allow_none=True)


class CompleteSchema(Schema):
    version = fields.Integer(required=True, validate=validate.Range(min=1, max=MAX_ID))
    note = fields.String(load_default="", validate=validate.Length(max=services.NOTE_MAX))


@blp.route("")
class FollowUps(MethodView):
    @blp.arguments(FollowUpListArgsSchema, location="query")
    @blp.response(200, FollowUpPageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Follow-ups by id the caller may see (all for the chair, secretariat and observers);
        `?assignee=me` for the caller's own, `?status=open`."""
        user = api_actor()
        rows = queries.list_follow_ups(
            get_session(), viewer=user, everything=policy.sees_all(user), mine=args["assignee"] == "me",
            status=args["status"], after_id=decode_cursor(args["cursor"]), limit=args["limit"] + 1,
        )  # fmt: skip
        return page(rows, args["limit"])


@blp.route("/<int:follow_up_id>")
class FollowUpById(MethodView):
    @blp.response(200, FollowUpSchema)
    def get(self, follow_up_id: int) -> FollowUp:
        """One follow-up (its owners, or those who see all; else 404)."""
        follow_up = queries.get_follow_up(get_session(), follow_up_id)
        if follow_up is None or not policy.can_view(api_actor(), follow_up):
            abort(404, "There is no such follow-up.")
        return follow_up


@blp.route("/<int:follow_up_id>/complete")
class CompleteFollowUp(MethodView):
    @blp.arguments(CompleteSchema)
    @blp.response(200, FollowUpSchema)
    def post(self, data: dict[str, Any], follow_up_id: int) -> FollowUp:
        """Mark done with a note (403 `not_assignee`; 409 if not open or `version` is stale)."""
        session = get_session()
        follow_up = services.complete_follow_up(
            session, actor=api_actor(), follow_up_id=follow_up_id, note=data["note"], version=data["version"]
        )
        session.commit()
        return follow_up
