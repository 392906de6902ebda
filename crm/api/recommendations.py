"""/api/v1/recommendations: direction 2. Draft, PATCH (draft or returned), `/{id}/route` (to
the competent authority under the Rules of Business) and `/{id}/decision`."""

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
from crm.errors import Forbidden
from crm.governance import policy, queries, services
from crm.governance.models import Recommendation, RecommendationStatus
from crm.http import MAX_ID

blp = Blueprint("api_recommendations", __name__, url_prefix="/api/v1/recommendations",
                description="Direction 2 recommendations.")  # fmt: skip
ID = validate.Range(min=1, max=MAX_ID)


class RecommendationSchema(Schema):
    id = Integer()
    title = fields.String()
    text = fields.String()
    meeting_id = Integer(allow_none=True)
    authority = fields.String()
    authority_organisation_id = Integer(allow_none=True)
    routed_on = fields.Date(allow_none=True)
    routing_ref = fields.String()
    status = fields.Enum(RecommendationStatus, by_value=True)
    decision = fields.String()
    decided_on = fields.Date(allow_none=True)
    created_at = fields.DateTime()
    version = Integer()


class RecommendationPageSchema(Schema):
    items = fields.List(fields.Nested(RecommendationSchema))
    next_cursor = fields.String(allow_none=True)


class RecommendationDraftSchema(Schema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=300))
    text = fields.String(required=True, validate=validate.Length(min=1, max=services.TEXT_MAX))
    meeting_id = Integer(load_default=None, validate=ID)


class RecommendationPatchSchema(Schema):
    version = Integer(required=True, validate=ID)
    title = fields.String(validate=validate.Length(min=1, max=300))
    text = fields.String(validate=validate.Length(min=1, max=services.TEXT_MAX))
    meeting_id = Integer(allow_none=True, validate=ID)


class RecommendationRouteSchema(Schema):
    version = Integer(required=True, validate=ID)
    authority = fields.String(required=True, validate=validate.Length(min=1, max=300))
    authority_organisation_id = Integer(load_default=None, validate=ID)
    routed_on = fields.Date(required=True)
    routing_ref = fields.String(required=True, validate=validate.Length(min=1, max=200))


class RecommendationDecisionSchema(Schema):
    version = Integer(required=True, validate=ID)
    outcome = fields.Enum(RecommendationStatus, by_value=True, required=True,
                          validate=validate.OneOf(policy.DECISIONS))  # fmt: skip
    decision = fields.String(required=True, validate=validate.Length(min=1, max=services.TEXT_MAX))
    decided_on = fields.Date(required=True)


def _visible(recommendation_id: int) -> Recommendation:
    if not policy.can_view(api_actor()):
        raise Forbidden("Your role does not read recommendations.", code=policy.NOT_PERMITTED)
    item = queries.get_recommendation(get_session(), recommendation_id)
    if item is None:
        abort(404, "There is no such recommendation.")
    return item


def _commit(item: Recommendation) -> Recommendation:
    get_session().commit()
    return item


@blp.route("")
class Recommendations(MethodView):
    @blp.arguments(PageArgsSchema, location="query")
    @blp.response(200, RecommendationPageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Recommendations by id."""
        if not policy.can_view(api_actor()):
            raise Forbidden("Your role does not read recommendations.", code=policy.NOT_PERMITTED)
        rows = queries.list_recommendations(get_session(), after_id=decode_cursor(args["cursor"]),
                                            limit=args["limit"] + 1)  # fmt: skip
        return page(rows, args["limit"])

    @blp.arguments(RecommendationDraftSchema)
    @blp.response(201, RecommendationSchema)
    def post(self, data: dict[str, Any]) -> Recommendation:
        """Draft a recommendation (the chair and the secretariat)."""
        return _commit(services.draft_recommendation(get_session(), actor=api_actor(), **data))


@blp.route("/<int:recommendation_id>")
class RecommendationById(MethodView):
    @blp.response(200, RecommendationSchema)
    def get(self, recommendation_id: int) -> Recommendation:
        """One recommendation."""
        return _visible(recommendation_id)

    @blp.arguments(RecommendationPatchSchema)
    @blp.response(200, RecommendationSchema)
    def patch(self, data: dict[str, Any], recommendation_id: int) -> Recommendation:
        """Edit a draft or returned recommendation (409 on a stale `version` or another state)."""
        current = _visible(recommendation_id)
        values = {name: data.get(name, getattr(current, name)) for name in ("title", "text", "meeting_id")}
        return _commit(services.edit_recommendation(get_session(), actor=api_actor(),
                                                    recommendation_id=recommendation_id, version=data["version"],
                                                    **values))  # fmt: skip


@blp.route("/<int:recommendation_id>/route")
class Route(MethodView):
    @blp.arguments(RecommendationRouteSchema)
    @blp.response(200, RecommendationSchema)
    def post(self, data: dict[str, Any], recommendation_id: int) -> Recommendation:
        """Route to the competent authority (from draft or returned)."""
        return _commit(services.route_recommendation(get_session(), actor=api_actor(),
                                                     recommendation_id=recommendation_id, **data))  # fmt: skip


@blp.route("/<int:recommendation_id>/decision")
class Decision(MethodView):
    @blp.arguments(RecommendationDecisionSchema)
    @blp.response(200, RecommendationSchema)
    def post(self, data: dict[str, Any], recommendation_id: int) -> Recommendation:
        """Record the authority's decision: accepted, rejected or returned."""
        return _commit(services.record_decision(get_session(), actor=api_actor(),
                                                recommendation_id=recommendation_id, **data))  # fmt: skip
