"""/api/v1/contacts: people at companies and government bodies, through the same services.

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
from crm.companies.services import today
from crm.contacts import queries, services
from crm.contacts.models import Contact
from crm.contacts.policy import is_current
from crm.db import get_session
from crm.errors import NotFound
from crm.http import MAX_ID

blp = Blueprint("api_contacts", __name__, url_prefix="/api/v1/contacts", description="People at companies and bodies.")

ID = validate.Range(min=1, max=MAX_ID)


class ContactFieldsSchema(Schema):
    """The writable fields: exactly one of `company_id` and `organisation_id`."""

    company_id = Integer(allow_none=True, validate=ID)
    organisation_id = Integer(allow_none=True, validate=ID)
    name = fields.String()
    title = fields.String()
    email = fields.String()
    phone = fields.String()
    valid_from = fields.Date(allow_none=True)
    valid_to = fields.Date(allow_none=True)
    notes = fields.String()


class ContactSchema(ContactFieldsSchema):
    id = Integer()
    is_current = fields.Function(lambda contact: is_current(contact, today()), dump_only=True)
    created_at = fields.DateTime()
    version = Integer()


class ContactListArgsSchema(PageArgsSchema):
    company_id = Integer(load_default=None, validate=ID)
    current = fields.Boolean(load_default=False, metadata={"description": "only people still in their post"})


class ContactPageSchema(Schema):
    items = fields.List(fields.Nested(ContactSchema))
    next_cursor = fields.String(allow_none=True)


class ContactCreateSchema(ContactFieldsSchema):
    name = fields.String(required=True)


class ContactPatchSchema(ContactFieldsSchema):
    version = Integer(required=True, validate=validate.Range(min=1))


def _contact(contact_id: int) -> Contact:
    contact = queries.get_contact(get_session(), contact_id)
    if contact is None:
        raise NotFound("There is no such contact.")
    return contact


@blp.route("")
class Contacts(MethodView):
    @blp.arguments(ContactListArgsSchema, location="query")
    @blp.response(200, ContactPageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """List contacts by id (filters `?company_id=`, `?current=true`), cursor-paginated."""
        rows = queries.page_contacts(
            get_session(), after_id=decode_cursor(args["cursor"]), limit=args["limit"] + 1,
            company_id=args["company_id"], current_on=today() if args["current"] else None,
        )  # fmt: skip
        return page(rows, args["limit"])

    @blp.arguments(ContactCreateSchema)
    @blp.response(201, ContactSchema)
    def post(self, data: dict[str, Any]) -> Contact:
        """Add a contact (chair, secretariat, focal person)."""
        session = get_session()
        contact = services.create_contact(session, actor=api_actor(), data=services.ContactInput(**data))
        session.commit()
        return _contact(contact.id)


@blp.route("/<int:contact_id>")
class ContactById(MethodView):
    @blp.response(200, ContactSchema)
    def get(self, contact_id: int) -> Contact:
        """One contact."""
        return _contact(contact_id)

    @blp.arguments(ContactPatchSchema)
    @blp.response(200, ContactSchema)
    def patch(self, data: dict[str, Any], contact_id: int) -> Contact:
        """Change the fields given; `version` is required and a stale one gets 409 version_conflict."""
        session = get_session()
        version = data.pop("version")
        changed = replace(services.ContactInput.of(_contact(contact_id)), **data)
        services.update_contact(session, actor=api_actor(), contact_id=contact_id, version=version, data=changed)
        session.commit()
        return _contact(contact_id)
