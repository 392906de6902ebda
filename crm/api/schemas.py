"""Schemas shared across the API: the error body and references."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields


class Integer(fields.Integer):
    """An integer field that refuses fractions: `3.3` is a 422, never silently `3`.

    marshmallow's Integer truncates non-integral numbers unless strict, and strict would refuse
    the digit strings of query arguments; this refuses only what is not a whole number.
    """

    def _validated(self, value: Any) -> int:
        if isinstance(value, float) and not value.is_integer():
            raise self.make_error("invalid", input=value)
        result: int = super()._validated(value)
        return result


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
    id = Integer()
    short_name = fields.String()
    name = fields.String()


class UserSchema(Schema):
    id = Integer()
    username = fields.String()
    full_name = fields.String()
    email = fields.String()
    role = fields.String()
    organisation_id = Integer()
    organisation = fields.Nested(OrganisationRefSchema)
    clearance = fields.String()
    is_active = fields.Boolean()
    version = Integer()


class MeSchema(UserSchema):
    designations = fields.List(fields.String(), metadata={"description": "active designation kinds"})
