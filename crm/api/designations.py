"""/api/v1/designations: who holds the focal-person and spokesperson designations (R1)."""

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
from crm.designations import queries, services
from crm.designations.models import Designation, DesignationKind
from crm.http import MAX_ID

blp = Blueprint(
    "api_designations", __name__, url_prefix="/api/v1/designations", description="Focal person and spokesperson (R1)."
)


class DesignationSchema(Schema):
    id = Integer()
    kind = fields.Enum(DesignationKind, by_value=True)
    user_id = Integer()
    effective_from = fields.DateTime()
    ended_at = fields.DateTime(allow_none=True)
    approval_ref = fields.String()
    recorded_by_id = Integer()
    is_active = fields.Boolean()
    version = Integer()


class DesignationListArgsSchema(PageArgsSchema):
    active = fields.Boolean(load_default=None)
    kind = fields.Enum(DesignationKind, by_value=True, load_default=None)


class DesignationPageSchema(Schema):
    items = fields.List(fields.Nested(DesignationSchema))
    next_cursor = fields.String(allow_none=True)


class DesignateSchema(Schema):
    kind = fields.Enum(DesignationKind, by_value=True, required=True)
    user_id = Integer(required=True, validate=validate.Range(min=1, max=MAX_ID))
    approval_ref = fields.String(required=True, validate=validate.Length(min=1, max=200))
    effective_from = fields.AwareDateTime(load_default=None, metadata={"description": "ISO 8601 with offset"})


class EndSchema(Schema):
    version = Integer(required=True, validate=validate.Range(min=1, max=MAX_ID))


def _found(designation_id: int) -> Designation:
    designation = queries.get_designation(get_session(), designation_id)
    if designation is None:
        abort(404, "There is no such designation.")
    return designation


@blp.route("")
class Designations(MethodView):
    @blp.arguments(DesignationListArgsSchema, location="query")
    @blp.response(200, DesignationPageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Designations by id, ended ones included (filters `?active=true&kind=focal_person`)."""
        rows = queries.list_designations(
            get_session(), kind=args["kind"], active=args["active"], after_id=decode_cursor(args["cursor"]),
            limit=args["limit"] + 1,
        )  # fmt: skip
        return page(rows, args["limit"])

    @blp.arguments(DesignateSchema)
    @blp.response(201, DesignationSchema)
    def post(self, data: dict[str, Any]) -> Designation:
        """Record a designation (the chair; else 403 `not_chair`); the previous holder's ends."""
        session = get_session()
        designation = services.designate(session, actor=api_actor(), **data)
        session.commit()
        return designation


@blp.route("/<int:designation_id>")
class DesignationById(MethodView):
    @blp.response(200, DesignationSchema)
    def get(self, designation_id: int) -> Designation:
        """One designation."""
        return _found(designation_id)


@blp.route("/<int:designation_id>/end")
class EndDesignation(MethodView):
    @blp.arguments(EndSchema)
    @blp.response(200, DesignationSchema)
    def post(self, data: dict[str, Any], designation_id: int) -> Designation:
        """End a designation, leaving the post vacant (the chair). A stale `version` gets 409."""
        session = get_session()
        designation = services.end_designation(
            session, actor=api_actor(), designation_id=designation_id, version=data["version"]
        )
        session.commit()
        return designation
