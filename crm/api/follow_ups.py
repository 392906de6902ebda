"""/api/v1/follow-ups: action items. `?assignee=me` for the caller's own; create, PATCH (with
`version`), complete, cancel, reopen, and take from the caller's organisation's queue."""

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
from crm.db import get_session, utcnow
from crm.designations.queries import focal_person_id
from crm.followups import policy, queries, services
from crm.followups.models import FollowUp, FollowUpPriority, FollowUpStatus
from crm.formatting import local
from crm.http import MAX_ID

blp = Blueprint("api_follow_ups", __name__, url_prefix="/api/v1/follow-ups", description="Follow-ups (action items).")

ID = validate.Range(min=1, max=MAX_ID)
VERSION = validate.Range(min=1, max=MAX_ID)


class FollowUpSchema(Schema):
    id = Integer()
    title = fields.String()
    details = fields.String()
    assignee_id = Integer(allow_none=True)
    assignee_organisation_id = Integer(allow_none=True)
    due_date = fields.Date(allow_none=True)
    status = fields.Enum(FollowUpStatus, by_value=True)
    priority = fields.Enum(FollowUpPriority, by_value=True)
    is_outbound_action = fields.Boolean()
    company_id = Integer(allow_none=True)
    thread_id = Integer(allow_none=True)
    engagement_id = Integer(allow_none=True)
    commitment_id = Integer(allow_none=True)
    completion_note = fields.String()
    completed_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    version = Integer()


class FollowUpListArgsSchema(PageArgsSchema):
    assignee = fields.String(
        load_default=None,
        validate=validate.OneOf(["me"]),
        metadata={"description": "`me`: assigned to the caller or to their organisation's queue"},
    )
    status = fields.Enum(FollowUpStatus, by_value=True, load_default=None)
    priority = fields.Enum(FollowUpPriority, by_value=True, load_default=None)
    overdue = fields.Boolean(load_default=False, metadata={"description": "`true`: open and due before today (PKT)"})
    organisation_id = Integer(load_default=None, validate=ID)
    commitment_id = Integer(load_default=None, validate=ID)


class FollowUpPageSchema(Schema):
    items = fields.List(fields.Nested(FollowUpSchema))
    next_cursor = fields.String(allow_none=True)


class _EditableSchema(Schema):
    title = fields.String(validate=validate.Length(min=1, max=300))
    details = fields.String(validate=validate.Length(max=services.DETAILS_MAX))
    assignee_id = Integer(allow_none=True, validate=ID)
    assignee_organisation_id = Integer(allow_none=True, validate=ID)
    due_date = fields.Date(allow_none=True)
    priority = fields.Enum(FollowUpPriority, by_value=True)


class FollowUpCreateSchema(_EditableSchema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=300))
    is_outbound_action = fields.Boolean()
    company_id = Integer(allow_none=True, validate=ID)
    thread_id = Integer(allow_none=True, validate=ID)
    engagement_id = Integer(allow_none=True, validate=ID)
    commitment_id = Integer(allow_none=True, validate=ID)


class FollowUpPatchSchema(_EditableSchema):
    """The editable fields, all optional: a PATCH changes those it names. Naming a person
    clears the queue and naming a queue clears the person, unless both are given."""

    version = Integer(required=True, validate=VERSION)


class CompleteSchema(Schema):
    version = Integer(required=True, validate=VERSION)
    note = fields.String(load_default="", validate=validate.Length(max=services.NOTE_MAX))


class CancelSchema(Schema):
    version = Integer(required=True, validate=VERSION)
    note = fields.String(required=True, validate=validate.Length(min=1, max=services.NOTE_MAX))


class VersionSchema(Schema):
    version = Integer(required=True, validate=VERSION)


def _is_focal(user: User) -> bool:
    return focal_person_id(get_session()) == user.id


def _visible(follow_up_id: int) -> FollowUp:
    follow_up = queries.get_follow_up(get_session(), follow_up_id)
    if follow_up is None or not policy.can_view(api_actor(), follow_up, is_focal_person=_is_focal(api_actor())):
        abort(404, "There is no such follow-up.")
    return follow_up


def _changes(current: FollowUp, data: dict[str, Any]) -> services.FollowUpChanges:
    """The follow-up's present values with the PATCH's applied."""
    if "assignee_id" in data and "assignee_organisation_id" not in data and data["assignee_id"] is not None:
        data["assignee_organisation_id"] = None
    if "assignee_organisation_id" in data and "assignee_id" not in data and data["assignee_organisation_id"]:
        data["assignee_id"] = None
    values = {name: data.get(name, getattr(current, name)) for name in services.EDITABLE}
    return services.FollowUpChanges(**values)


@blp.route("")
class FollowUps(MethodView):
    @blp.arguments(FollowUpListArgsSchema, location="query")
    @blp.response(200, FollowUpPageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Follow-ups by id the caller may see (all for the chair, secretariat, observers and the
        focal person);
        `?assignee=me` for the caller's own, `?status=open`, `?priority=high`, `?overdue=true`,
        `?organisation_id=` (its queue and its people), `?commitment_id=`."""
        user = api_actor()
        everything = policy.sees_all(user, is_focal_person=_is_focal(user))
        rows = queries.list_follow_ups(
            get_session(), viewer=user, everything=everything, mine=args["assignee"] == "me",
            status=args["status"], after_id=decode_cursor(args["cursor"]), limit=args["limit"] + 1,
            priority=args["priority"], overdue_on=local(utcnow()).date() if args["overdue"] else None,
            organisation_id=args["organisation_id"], commitment_id=args["commitment_id"],
        )  # fmt: skip
        return page(rows, args["limit"])

    @blp.arguments(FollowUpCreateSchema)
    @blp.response(201, FollowUpSchema)
    def post(self, data: dict[str, Any]) -> FollowUp:
        """Create a follow-up for one person or one organisation's queue (403 `not_permitted`,
        `assignee_not_allowed`: a member assigns only to themselves or their organisation;
        422 with field errors, e.g. an outbound action not for the focal person)."""
        session = get_session()
        follow_up = services.add_follow_up(session, actor=api_actor(), data=services.FollowUpInput(**data))
        session.commit()
        return follow_up


@blp.route("/<int:follow_up_id>")
class FollowUpById(MethodView):
    @blp.response(200, FollowUpSchema)
    def get(self, follow_up_id: int) -> FollowUp:
        """One follow-up (its owners, or those who see all; else 404)."""
        return _visible(follow_up_id)

    @blp.arguments(FollowUpPatchSchema)
    @blp.response(200, FollowUpSchema)
    def patch(self, data: dict[str, Any], follow_up_id: int) -> FollowUp:
        """Edit or reassign an open follow-up; `version` is required (stale: 409 version_conflict;
        closed: 409 not_open)."""
        session = get_session()
        version = data.pop("version")
        changes = _changes(_visible(follow_up_id), data)
        follow_up = services.update_follow_up(
            session, actor=api_actor(), follow_up_id=follow_up_id, version=version, changes=changes
        )
        session.commit()
        return follow_up


@blp.route("/<int:follow_up_id>/complete")
class CompleteFollowUp(MethodView):
    @blp.arguments(CompleteSchema)
    @blp.response(200, FollowUpSchema)
    def post(self, data: dict[str, Any], follow_up_id: int) -> FollowUp:
        """Mark done with a note (403 `not_assignee`; 409 if not open or `version` is stale)."""
        session = get_session()
        follow_up = services.complete_follow_up(
            session, actor=api_actor(), follow_up_id=follow_up_id, note=data["note"], version=data["version"]
        )
        session.commit()
        return follow_up


@blp.route("/<int:follow_up_id>/cancel")
class CancelFollowUp(MethodView):
    @blp.arguments(CancelSchema)
    @blp.response(200, FollowUpSchema)
    def post(self, data: dict[str, Any], follow_up_id: int) -> FollowUp:
        """Cancel an open follow-up with a note saying why (as for editing: 403, 404, 409)."""
        session = get_session()
        follow_up = services.cancel_follow_up(
            session, actor=api_actor(), follow_up_id=follow_up_id, version=data["version"], note=data["note"]
        )
        session.commit()
        return follow_up


@blp.route("/<int:follow_up_id>/reopen")
class ReopenFollowUp(MethodView):
    @blp.arguments(CompleteSchema)
    @blp.response(200, FollowUpSchema)
    def post(self, data: dict[str, Any], follow_up_id: int) -> FollowUp:
        """Reopen a done or cancelled follow-up (the chair, the secretariat, the focal person)."""
        session = get_session()
        follow_up = services.reopen_follow_up(
            session, actor=api_actor(), follow_up_id=follow_up_id, version=data["version"], note=data["note"]
        )
        session.commit()
        return follow_up


@blp.route("/<int:follow_up_id>/take")
class TakeFollowUp(MethodView):
    @blp.arguments(VersionSchema)
    @blp.response(200, FollowUpSchema)
    def post(self, data: dict[str, Any], follow_up_id: int) -> FollowUp:
        """Take an item of the caller's organisation's queue: it becomes the caller's."""
        session = get_session()
        follow_up = services.take_follow_up(
            session, actor=api_actor(), follow_up_id=follow_up_id, version=data["version"]
        )
        session.commit()
        return follow_up
