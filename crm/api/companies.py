"""/api/v1/companies: the company register, through the same services as the pages.

Everyone with a token reads; the chair, the secretariat and the focal person write
(403 `not_permitted` otherwise). A PATCH carries the `version` it read: stale → 409.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from crm.api import api_actor
from crm.api.pagination import PageArgsSchema, decode_cursor, page
from crm.api.schemas import Integer
from crm.companies import queries, services
from crm.companies.models import (
    AccessStatus,
    Company,
    Health,
    LocalPresence,
    OfficerStatus,
    Priority,
    PtaRegistration,
    TaxStatus,
)
from crm.db import get_session
from crm.errors import NotFound

blp = Blueprint(
    "api_companies", __name__, url_prefix="/api/v1/companies", description="Platform companies and their services."
)


class CompanyFieldsSchema(Schema):
    """The writable fields of a company (DESIGN.md §2), enums by lower-case value."""

    name = fields.String()
    legal_name = fields.String()
    parent = fields.String()
    hq_jurisdiction = fields.String()
    website = fields.String()
    priority = fields.Enum(Priority, by_value=True)
    health = fields.Enum(Health, by_value=True)
    health_reason = fields.String()
    notes = fields.String()
    presence = fields.Enum(LocalPresence, by_value=True)
    presence_city = fields.String()
    presence_evidence = fields.String()
    presence_verified_on = fields.Date(allow_none=True)
    pta_registration = fields.Enum(PtaRegistration, by_value=True)
    pta_evidence = fields.String()
    pta_verified_on = fields.Date(allow_none=True)
    officer_status = fields.Enum(OfficerStatus, by_value=True)
    officer_name = fields.String()
    officer_is_resident = fields.Boolean()
    officer_evidence = fields.String()
    officer_verified_on = fields.Date(allow_none=True)
    tax_status = fields.Enum(TaxStatus, by_value=True)
    tax_evidence = fields.String()
    tax_verified_on = fields.Date(allow_none=True)


class CompanySchema(CompanyFieldsSchema):
    id = Integer()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    version = Integer()


class AccessPeriodSchema(Schema):
    status = fields.Enum(AccessStatus, by_value=True)
    started_on = fields.Date()
    ended_on = fields.Date(allow_none=True)
    reason = fields.String()
    recorded_by = fields.String()


class ServiceSchema(Schema):
    id = Integer()
    company_id = Integer()
    name = fields.String()
    estimated_users = Integer(allow_none=True)
    users_source = fields.String()
    users_as_of = fields.Date(allow_none=True)
    access_status = fields.Enum(AccessStatus, by_value=True)
    access_history = fields.List(fields.Nested(AccessPeriodSchema), metadata={"description": "newest first"})
    version = Integer()


class CompanyDetailSchema(CompanySchema):
    services = fields.List(fields.Nested(ServiceSchema))


class CompanyListArgsSchema(PageArgsSchema):
    priority = fields.Enum(Priority, by_value=True, load_default=None)
    health = fields.Enum(Health, by_value=True, load_default=None)


class CompanyPageSchema(Schema):
    items = fields.List(fields.Nested(CompanySchema))
    next_cursor = fields.String(allow_none=True)


class CompanyCreateSchema(CompanyFieldsSchema):
    name = fields.String(required=True)


class CompanyPatchSchema(CompanyFieldsSchema):
    version = Integer(required=True, validate=validate.Range(min=1))


def _attributes(obj: object, schema: type[Schema], *, skip: str = "") -> dict[str, Any]:
    """The record's values for the schema's fields (the response schema serialises them)."""
    return {name: getattr(obj, name) for name in schema().fields if name != skip}


def _detail(company_id: int) -> dict[str, Any]:
    session = get_session()
    company = queries.get_company(session, company_id)
    if company is None:
        raise NotFound("There is no such company.")
    services_ = [
        {
            **_attributes(row.service, ServiceSchema, skip="access_history"),
            "access_history": [
                {**_attributes(h.period, AccessPeriodSchema, skip="recorded_by"), "recorded_by": h.recorded_by}
                for h in row.history
            ],  # fmt: skip
        }
        for row in queries.services_of(session, company_id)
    ]
    return {**_attributes(company, CompanySchema), "services": services_}


@blp.route("")
class Companies(MethodView):
    @blp.arguments(CompanyListArgsSchema, location="query")
    @blp.response(200, CompanyPageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """List companies by id (filters `?priority=`, `?health=`), cursor-paginated."""
        rows = queries.page_companies(
            get_session(), after_id=decode_cursor(args["cursor"]), limit=args["limit"] + 1,
            priority=args["priority"], health=args["health"],
        )  # fmt: skip
        return page(rows, args["limit"])

    @blp.arguments(CompanyCreateSchema)
    @blp.response(201, CompanyDetailSchema)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Add a company (chair, secretariat, focal person)."""
        session = get_session()
        company = services.create_company(session, actor=api_actor(), data=services.CompanyInput(**data))
        session.commit()
        return _detail(company.id)


@blp.route("/<int:company_id>")
class CompanyById(MethodView):
    @blp.response(200, CompanyDetailSchema)
    def get(self, company_id: int) -> dict[str, Any]:
        """One company with its compliance profile and its services (with access history)."""
        return _detail(company_id)

    @blp.arguments(CompanyPatchSchema)
    @blp.response(200, CompanyDetailSchema)
    def patch(self, data: dict[str, Any], company_id: int) -> dict[str, Any]:
        """Change the fields given; `version` is required and a stale one gets 409 version_conflict."""
        session = get_session()
        company: Company | None = queries.get_company(session, company_id)
        if company is None:
            raise NotFound("There is no such company.")
        version = data.pop("version")
        changed = replace(services.CompanyInput.of(company), **data)
        services.update_company(session, actor=api_actor(), company_id=company_id, version=version, data=changed)
        session.commit()
        return _detail(company_id)
