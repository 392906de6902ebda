"""/api/v1/users: accounts, for the chair (read) and admins (read and write)."""

from __future__ import annotations

from typing import Any

from flask import abort
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from crm.accounts import policy, queries, services
from crm.accounts.models import Clearance, Role, User
from crm.api import api_actor
from crm.api.pagination import PageArgsSchema, decode_cursor, page
from crm.api.schemas import Integer, UserSchema
from crm.db import get_session
from crm.http import MAX_ID

blp = Blueprint("users", __name__, url_prefix="/api/v1/users", description="User accounts (chair and admin).")


class UserListArgsSchema(PageArgsSchema):
    username = fields.String(load_default=None)


class UserPageSchema(Schema):
    items = fields.List(fields.Nested(UserSchema))
    next_cursor = fields.String(allow_none=True)


class UserCreateSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(min=3, max=64))
    full_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    email = fields.Email(load_default="")
    role = fields.Enum(Role, by_value=True, required=True)
    organisation_id = Integer(required=True, validate=validate.Range(min=1, max=MAX_ID))
    clearance = fields.Enum(Clearance, by_value=True, load_default=Clearance.UNCLASSIFIED)


class UserCreatedSchema(UserSchema):
    one_time_password = fields.String(metadata={"description": "shown once; must be changed at first sign-in"})


class UserPatchSchema(Schema):
    version = Integer(required=True)
    is_active = fields.Boolean(required=True)


def _viewer() -> User:
    user = api_actor()
    if not policy.can_view_users(user):
        abort(403, "Only the chair and administrators can see user accounts.")
    return user


@blp.route("")
class Users(MethodView):
    @blp.arguments(UserListArgsSchema, location="query")
    @blp.response(200, UserPageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """List users by id (filter `?username=`), cursor-paginated."""
        _viewer()
        rows = queries.list_users(
            get_session(), username=args["username"], after_id=decode_cursor(args["cursor"]), limit=args["limit"] + 1
        )
        return page(rows, args["limit"])

    @blp.arguments(UserCreateSchema)
    @blp.response(201, UserCreatedSchema)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Create a user (admin). The response carries the one-time password, once."""
        session = get_session()
        user, issued = services.create_user(session, actor=api_actor(), **data)
        session.commit()
        return {**UserSchema().dump(queries.get_user(session, user.id)), "one_time_password": issued}


@blp.route("/<int:user_id>")
class UserById(MethodView):
    @blp.response(200, UserSchema)
    def get(self, user_id: int) -> User:
        """One user."""
        _viewer()
        user = queries.get_user(get_session(), user_id)
        if user is None:
            abort(404, "There is no such user.")
        return user

    @blp.arguments(UserPatchSchema)
    @blp.response(200, UserSchema)
    def patch(self, data: dict[str, Any], user_id: int) -> User | None:
        """Deactivate or reactivate (admin); a stale `version` gets 409 version_conflict."""
        session = get_session()
        services.set_user_active(
            session, actor=api_actor(), user_id=user_id, active=data["is_active"], version=data["version"]
        )
        session.commit()
        return queries.get_user(session, user_id)
