"""Schemas shared across the API: the error body and references."""

from __future__ import annotations

from marshmallow import Schema, fields


class ErrorDetailSchema(Schema):
    code = fields.String(required=True, metadata={"example": "validation_failed"})
    message = fields.String(required=True)
    # "fields" would shadow Schema.fields, hence the attribute name with data_key.
    field_errors = fields.Dict(
        data_key="fields",
        keys=fields.String(),
        values=fields.Raw(),
        metadata={"description": "field name → list of messages"},
    )


class ErrorSchema(Schema):
    error = fields.Nested(ErrorDetailSchema, required=True)


class OrganisationRefSchema(Schema):
    id = fields.Integer()
    short_name = fields.String()
    name = fields.String()


class UserSchema(Schema):
    id = fields.Integer()
    username = fields.String()
    full_name = fields.String()
    email = fields.String()
    role = fields.String()
    organisation_id = fields.Integer()
    organisation = fields.Nested(OrganisationRefSchema)
    clearance = fields.String()
    is_active = fields.Boolean()
    version = fields.Integer()


class MeSchema(UserSchema):
    designations = fields.List(fields.String(), metadata={"description": "active designation kinds"})
