"""/api/v1/engagement-requests: asking the focal person to raise a matter with a company."""

from __future__ import annotations

from typing import Any

from flask import abort
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from crm.accounts.models import User
from crm.api import api_actor
from crm.api.pagination import PageArgsSchema, decode_cursor, page
from crm.api.schemas import Integer
from crm.db import get_session
from crm.designations.queries import focal_person_id
from crm.http import MAX_ID
from crm.requests import policy, queries, services
from crm.requests.models import EngagementRequest, RequestStatus, Urgency
from crm.requests.queries import Scope

blp = Blueprint(
    "api_engagement_requests",
    __name__,
    url_prefix="/api/v1/engagement-requests",
    description="Requests to the focal person; accepted ones become follow-ups.",
)

ID = validate.Range(min=1, max=MAX_ID)


class EngagementRequestSchema(Schema):
    id = Integer()
    company_id = Integer()
    thread_id = Integer(allow_none=True)
    purpose = fields.String()
    urgency = fields.Enum(Urgency, by_value=True)
    status = fields.Enum(RequestStatus, by_value=True)
    requested_by_id = Integer()
    organisation_id = Integer()
    decided_by_id = Integer(allow_none=True)
    decided_at = fields.DateTime(allow_none=True)
    decline_reason = fields.String()
    follow_up_id = Integer(allow_none=True)
    created_at = fields.DateTime()
    version = Integer()


class RequestListArgsSchema(PageArgsSchema):
    status = fields.Enum(RequestStatus, by_value=True, load_default=None)
    scope = fields.Enum(Scope, by_value=True, load_default=None, metadata={"description": "mine, to_decide or all"})


class RequestPageSchema(Schema):
    items = fields.List(fields.Nested(EngagementRequestSchema))
    next_cursor = fields.String(allow_none=True)


class RequestCreateSchema(Schema):
    company_id = Integer(required=True, validate=ID)
    thread_id = Integer(load_default=None, allow_none=True, validate=ID)
    purpose = fields.String(required=True, validate=validate.Length(min=1, max=services.PURPOSE_MAX))
    urgency = fields.Enum(Urgency, by_value=True, load_default=Urgency.ROUTINE)


class AcceptSchema(Schema):
    version = Integer(required=True, validate=ID)


class DeclineSchema(AcceptSchema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=1000))


def _is_focal(user: User) -> bool:
    return focal_person_id(get_session()) == user.id


def _scope(user: User, wanted: Scope | None) -> Scope:
    """Who sees all may choose any list; everyone else gets their own requests."""
    if policy.sees_all(user, is_focal_person=_is_focal(user)):
        return wanted or Scope.ALL
    return Scope.MINE


def _visible(request_id: int) -> EngagementRequest:
    user = api_actor()
    found = queries.get_request(get_session(), request_id)
    if found is None or not policy.can_view(user, found, is_focal_person=_is_focal(user)):
        abort(404, "There is no such engagement request.")
    return found


@blp.route("")
class EngagementRequests(MethodView):
    @blp.arguments(RequestListArgsSchema, location="query")
    @blp.response(200, RequestPageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Requests by id: all for the chair, focal person, secretariat and observers (`?scope=`),
        the caller's own for everyone else; filter `?status=`."""
        user = api_actor()
        rows = queries.list_requests(
            get_session(), scope=_scope(user, args["scope"]), viewer_id=user.id, status=args["status"],
            after_id=decode_cursor(args["cursor"]), limit=args["limit"] + 1,
        )  # fmt: skip
        return page(rows, args["limit"])

    @blp.arguments(RequestCreateSchema)
    @blp.response(201, EngagementRequestSchema)
    def post(self, data: dict[str, Any]) -> EngagementRequest:
        """File a request to the focal person (403 `is_focal_person` for the focal person)."""
        session = get_session()
        filed = services.request_engagement(session, actor=api_actor(), **data)
        session.commit()
        return filed


@blp.route("/<int:request_id>")
class EngagementRequestById(MethodView):
    @blp.response(200, EngagementRequestSchema)
    def get(self, request_id: int) -> EngagementRequest:
        """One request (its requester, or someone who sees all; else 404)."""
        return _visible(request_id)


@blp.route("/<int:request_id>/accept")
class AcceptRequest(MethodView):
    @blp.arguments(AcceptSchema)
    @blp.response(200, EngagementRequestSchema)
    def post(self, data: dict[str, Any], request_id: int) -> EngagementRequest:
        """Accept (focal person or chair): a follow-up for the focal person. 403 `self_approval`,
        `not_decider`, `no_focal_person`; 409 when already decided or `version` is stale."""
        session = get_session()
        accepted = services.accept_request(session, actor=api_actor(), request_id=request_id, version=data["version"])
        session.commit()
        return accepted


@blp.route("/<int:request_id>/decline")
class DeclineRequest(MethodView):
    @blp.arguments(DeclineSchema)
    @blp.response(200, EngagementRequestSchema)
    def post(self, data: dict[str, Any], request_id: int) -> EngagementRequest:
        """Decline with a reason (focal person or chair). 403 `self_approval`, `not_decider`; 409 stale."""
        session = get_session()
        declined = services.decline_request(
            session, actor=api_actor(), request_id=request_id, reason=data["reason"], version=data["version"]
        )
        session.commit()
        return declined
