"""/api/v1/nominations: direction 3. Propose, `/{id}/recommend` (the group's consensus),
`/{id}/approve` (the PM's approval: records the designation, chair only), `/{id}/decline`
(not approved or withdrawn)."""

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
from crm.designations.models import DesignationKind
from crm.errors import Forbidden
from crm.governance import policy, queries, services
from crm.governance.models import Nomination, NominationStatus
from crm.http import MAX_ID

blp = Blueprint("api_nominations", __name__, url_prefix="/api/v1/nominations", description="Direction 3 nominations.")
ID = validate.Range(min=1, max=MAX_ID)


class NominationSchema(Schema):
    id = Integer()
    kind = fields.String()
    nominee_id = Integer()
    meeting_id = Integer(allow_none=True)
    consensus_note = fields.String()
    recommended_on = fields.Date(allow_none=True)
    status = fields.Enum(NominationStatus, by_value=True)
    approval_ref = fields.String()
    approved_on = fields.Date(allow_none=True)
    designation_id = Integer(allow_none=True)
    created_at = fields.DateTime()
    version = Integer()


class NominationPageSchema(Schema):
    items = fields.List(fields.Nested(NominationSchema))
    next_cursor = fields.String(allow_none=True)


class NominationProposeSchema(Schema):
    kind = fields.Enum(DesignationKind, by_value=True, load_default=DesignationKind.FOCAL_PERSON)
    nominee_id = Integer(required=True, validate=ID)


class NominationRecommendSchema(Schema):
    version = Integer(required=True, validate=ID)
    recommended_on = fields.Date(required=True)
    consensus_note = fields.String(required=True, validate=validate.Length(min=1, max=services.TEXT_MAX))
    meeting_id = Integer(load_default=None, validate=ID)


class NominationApproveSchema(Schema):
    version = Integer(required=True, validate=ID)
    approval_ref = fields.String(required=True, validate=validate.Length(min=1, max=200))
    approved_on = fields.Date(required=True)


class NominationDeclineSchema(Schema):
    version = Integer(required=True, validate=ID)
    outcome = fields.Enum(
        NominationStatus, by_value=True, load_default=NominationStatus.NOT_APPROVED,
        validate=validate.OneOf([NominationStatus.NOT_APPROVED, NominationStatus.WITHDRAWN]),
    )  # fmt: skip
    note = fields.String(required=True, validate=validate.Length(min=1, max=services.TEXT_MAX))
    reference = fields.String(load_default="", validate=validate.Length(max=200))


def _reader() -> None:
    if not policy.can_view(api_actor()):
        raise Forbidden("Your role does not read nominations.", code=policy.NOT_PERMITTED)


@blp.route("")
class Nominations(MethodView):
    @blp.arguments(PageArgsSchema, location="query")
    @blp.response(200, NominationPageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Nominations by id."""
        _reader()
        rows = queries.list_nominations(get_session(), after_id=decode_cursor(args["cursor"]), limit=args["limit"] + 1)
        return page(rows, args["limit"])

    @blp.arguments(NominationProposeSchema)
    @blp.response(201, NominationSchema)
    def post(self, data: dict[str, Any]) -> Nomination:
        """Propose a nominee (the chair and the secretariat)."""
        session = get_session()
        nomination = services.propose_nomination(session, actor=api_actor(), **data)
        session.commit()
        return nomination


@blp.route("/<int:nomination_id>")
class NominationById(MethodView):
    @blp.response(200, NominationSchema)
    def get(self, nomination_id: int) -> Nomination:
        """One nomination."""
        _reader()
        nomination = queries.get_nomination(get_session(), nomination_id)
        if nomination is None:
            abort(404, "There is no such nomination.")
        return nomination


def _step(action: Any) -> Nomination:
    session = get_session()
    nomination: Nomination = action(session)
    session.commit()
    return nomination


@blp.route("/<int:nomination_id>/recommend")
class Recommend(MethodView):
    @blp.arguments(NominationRecommendSchema)
    @blp.response(200, NominationSchema)
    def post(self, data: dict[str, Any], nomination_id: int) -> Nomination:
        """Record the group's consensus recommendation (409 `wrong_state` unless proposed)."""
        return _step(lambda s: services.recommend_nomination(s, actor=api_actor(), nomination_id=nomination_id, **data))


@blp.route("/<int:nomination_id>/approve")
class Approve(MethodView):
    @blp.arguments(NominationApproveSchema)
    @blp.response(200, NominationSchema)
    def post(self, data: dict[str, Any], nomination_id: int) -> Nomination:
        """Record the PM's approval and the designation (chair only: 403 `not_chair`)."""
        return _step(lambda s: services.approve_nomination(s, actor=api_actor(), nomination_id=nomination_id, **data))


@blp.route("/<int:nomination_id>/decline")
class Decline(MethodView):
    @blp.arguments(NominationDeclineSchema)
    @blp.response(200, NominationSchema)
    def post(self, data: dict[str, Any], nomination_id: int) -> Nomination:
        """Not approved by the PM, or withdrawn by the group, with a note."""
        return _step(lambda s: services.close_nomination(s, actor=api_actor(), nomination_id=nomination_id, **data))
