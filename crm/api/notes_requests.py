"""/api/v1/notes-requests: asking to read minutes; approvals are time-limited grants (R5, R6).

The same services as the pages. A caller sees their own requests; the focal person, the chair
and the secretariat see all (`?scope=`). Approve, decline and revoke belong to the focal
person or the chair, never the requester (403 self_approval).
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from crm.accounts.models import User
from crm.api import api_actor
from crm.api.pagination import PageArgsSchema, decode_cursor, page
from crm.api.schemas import Integer
from crm.db import get_session
from crm.designations.queries import focal_person_id
from crm.errors import NotFound
from crm.http import MAX_ID
from crm.notes import policy, queries, services
from crm.notes.models import NotesRequest, NotesRequestStatus
from crm.notes.queries import Scope

blp = Blueprint(
    "api_notes_requests",
    __name__,
    url_prefix="/api/v1/notes-requests",
    description="Requests to read minutes; approvals are time-limited grants (R5, R6).",
)

ID = validate.Range(min=1, max=MAX_ID)


class NotesRequestSchema(Schema):
    id = Integer()
    requester_id = Integer()
    engagement_id = Integer(allow_none=True)
    thread_id = Integer(allow_none=True)
    justification = fields.String()
    status = fields.Enum(NotesRequestStatus, by_value=True)
    decided_by_id = Integer(allow_none=True)
    decided_at = fields.AwareDateTime(format="iso", allow_none=True)
    decision_note = fields.String()
    expires_at = fields.AwareDateTime(format="iso", allow_none=True)
    created_at = fields.AwareDateTime(format="iso")
    version = Integer()


class NotesRequestListArgsSchema(PageArgsSchema):
    status = fields.Enum(NotesRequestStatus, by_value=True, load_default=None)
    scope = fields.Enum(Scope, by_value=True, load_default=None, metadata={"description": "mine, to_decide or all"})


class NotesRequestPageSchema(Schema):
    items = fields.List(fields.Nested(NotesRequestSchema))
    next_cursor = fields.String(allow_none=True)


class NotesRequestCreateSchema(Schema):
    engagement_id = Integer(load_default=None, allow_none=True, validate=ID)
    thread_id = Integer(load_default=None, allow_none=True, validate=ID)
    justification = fields.String(required=True, validate=validate.Length(max=services.JUSTIFICATION_MAX))


class NotesVersionSchema(Schema):
    version = Integer(load_default=None, validate=ID, metadata={"description": "optional: 409 when stale"})


class NotesApproveSchema(NotesVersionSchema):
    days = Integer(
        load_default=None, validate=validate.Range(min=1, max=services.MAX_GRANT_DAYS),
        metadata={"description": "grant length; default NOTES_GRANT_DAYS (30)"},
    )  # fmt: skip


class NotesDeclineSchema(NotesVersionSchema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=services.NOTE_MAX))


class NotesRevokeSchema(NotesVersionSchema):
    reason = fields.String(load_default="", validate=validate.Length(max=services.NOTE_MAX))


def _is_focal(user: User) -> bool:
    return focal_person_id(get_session()) == user.id


def _scope(user: User, wanted: Scope | None) -> Scope:
    """Who sees all may choose any list; everyone else gets their own requests."""
    if policy.sees_all(user, is_focal_person=_is_focal(user)):
        return wanted or Scope.ALL
    return Scope.MINE


def _visible(request_id: int) -> NotesRequest:
    user = api_actor()
    found = queries.get_request(get_session(), request_id)
    if found is None or not policy.can_view(user, found, is_focal_person=_is_focal(user)):
        raise NotFound(services.NOT_FOUND)
    return found


@blp.route("")
class NotesRequests(MethodView):
    @blp.arguments(NotesRequestListArgsSchema, location="query")
    @blp.response(200, NotesRequestPageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Requests by id: the caller's own, or all for the focal person, the chair and the
        secretariat (`?scope=to_decide` for those awaiting a decision); filter `?status=`."""
        user = api_actor()
        rows = queries.list_requests(
            get_session(), scope=_scope(user, args["scope"]), viewer_id=user.id, status=args["status"],
            after_id=decode_cursor(args["cursor"]), limit=args["limit"] + 1,
        )  # fmt: skip
        return page(rows, args["limit"])

    @blp.arguments(NotesRequestCreateSchema)
    @blp.response(201, NotesRequestSchema)
    def post(self, data: dict[str, Any]) -> NotesRequest:
        """Ask to read the minutes of one engagement (`engagement_id`) or of a thread
        (`thread_id`), with a `justification`. 409 duplicate_request when one is pending or granted."""
        session = get_session()
        filed = services.request_notes(session, actor=api_actor(), **data)
        session.commit()
        return filed


@blp.route("/<int:request_id>")
class NotesRequestById(MethodView):
    @blp.response(200, NotesRequestSchema)
    def get(self, request_id: int) -> NotesRequest:
        """One request (its requester, or someone who sees all; else 404)."""
        return _visible(request_id)


@blp.route("/<int:request_id>/approve")
class ApproveNotesRequest(MethodView):
    @blp.arguments(NotesApproveSchema)
    @blp.response(200, NotesRequestSchema)
    def post(self, data: dict[str, Any], request_id: int) -> NotesRequest:
        """Approve: a grant for `days` (default 30). 403 self_approval, not_decider; 409 when
        already decided or `version` is stale."""
        session = get_session()
        days = data["days"] or int(current_app.config.get("NOTES_GRANT_DAYS") or services.DEFAULT_GRANT_DAYS)
        services.approve_request(session, actor=api_actor(), request_id=request_id, version=data["version"], days=days)
        session.commit()
        return _visible(request_id)


@blp.route("/<int:request_id>/decline")
class DeclineNotesRequest(MethodView):
    @blp.arguments(NotesDeclineSchema)
    @blp.response(200, NotesRequestSchema)
    def post(self, data: dict[str, Any], request_id: int) -> NotesRequest:
        """Decline with a `reason`. 403 self_approval, not_decider; 409 when decided or stale."""
        session = get_session()
        services.decline_request(session, actor=api_actor(), request_id=request_id, reason=data["reason"],
                                 version=data["version"])  # fmt: skip
        session.commit()
        return _visible(request_id)


@blp.route("/<int:request_id>/revoke")
class RevokeNotesGrant(MethodView):
    @blp.arguments(NotesRevokeSchema)
    @blp.response(200, NotesRequestSchema)
    def post(self, data: dict[str, Any], request_id: int) -> NotesRequest:
        """End a live grant now (focal person or chair). 403 not_decider; 409 when not live."""
        session = get_session()
        services.revoke_grant(session, actor=api_actor(), request_id=request_id, reason=data["reason"],
                              version=data["version"])  # fmt: skip
        session.commit()
        return _visible(request_id)
