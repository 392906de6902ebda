"""/api/v1/directives: the tracker. List (cursor; `?status=`, `?overdue=true`,
`?organisation_id=`), one, create, PATCH (with `version`), and `/{id}/progress` (GET, POST)."""

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
from crm.directives import policy, queries, services
from crm.directives.models import Directive, DirectiveStatus, Milestone, TimelineKind
from crm.errors import Forbidden
from crm.http import MAX_ID

blp = Blueprint("api_directives", __name__, url_prefix="/api/v1/directives", description="The directives tracker.")
ID = validate.Range(min=1, max=MAX_ID)


class DirectiveSchema(Schema):
    id = Integer()
    source_ref = fields.String()
    source_date = fields.Date()
    serial = fields.String()
    text = fields.String()
    timeline_text = fields.String()
    timeline_kind = fields.Enum(TimelineKind, by_value=True)
    timeline_event = fields.Enum(Milestone, by_value=True, allow_none=True)
    due_date = fields.Date(allow_none=True)
    action_by_text = fields.String()
    organisation_ids = fields.Method("_organisation_ids")
    status = fields.Enum(DirectiveStatus, by_value=True)
    delay_reason = fields.String()
    superseded_by_id = Integer(allow_none=True)
    version = Integer()

    def _organisation_ids(self, directive: Directive) -> list[int]:
        return sorted(o.id for o in directive.organisations)


class DirectiveListArgsSchema(PageArgsSchema):
    status = fields.Enum(DirectiveStatus, by_value=True, load_default=None)
    overdue = fields.Boolean(load_default=False, metadata={"description": "`true`: open and past the due date (PKT)"})
    organisation_id = Integer(load_default=None, validate=ID)


class DirectivePageSchema(Schema):
    items = fields.List(fields.Nested(DirectiveSchema))
    next_cursor = fields.String(allow_none=True)


class DirectiveCreateSchema(Schema):
    source_ref = fields.String(required=True, validate=validate.Length(min=1, max=120))
    source_date = fields.Date(required=True)
    serial = fields.String(required=True, validate=validate.Length(min=1, max=10))
    text = fields.String(required=True, validate=validate.Length(min=1, max=services.TEXT_MAX))
    timeline_text = fields.String(load_default="", validate=validate.Length(max=200))
    action_by_text = fields.String(load_default="", validate=validate.Length(max=300))
    organisation_ids = fields.List(Integer(validate=ID), load_default=list)


class DirectivePatchSchema(Schema):
    """Any of the directive's fields; `status` (with `delay_reason`) changes how it stands."""

    version = Integer(required=True, validate=ID)
    source_ref = fields.String(validate=validate.Length(min=1, max=120))
    source_date = fields.Date()
    serial = fields.String(validate=validate.Length(min=1, max=10))
    text = fields.String(validate=validate.Length(min=1, max=services.TEXT_MAX))
    timeline_text = fields.String(validate=validate.Length(max=200))
    action_by_text = fields.String(validate=validate.Length(max=300))
    organisation_ids = fields.List(Integer(validate=ID))
    status = fields.Enum(DirectiveStatus, by_value=True)
    delay_reason = fields.String(validate=validate.Length(max=2000))


class DirectiveProgressSchema(Schema):
    id = Integer()
    directive_id = Integer()
    organisation_id = Integer()
    reported_on = fields.Date()
    text = fields.String()
    reported_by_id = Integer()
    created_at = fields.DateTime()


class DirectiveProgressCreateSchema(Schema):
    organisation_id = Integer(required=True, validate=ID)
    text = fields.String(required=True, validate=validate.Length(min=1, max=services.REPORT_MAX))
    reported_on = fields.Date(load_default=None)


class DirectiveProgressListSchema(Schema):
    items = fields.List(fields.Nested(DirectiveProgressSchema))


def _reader() -> None:
    if not policy.can_view(api_actor()):
        raise Forbidden("Your role does not read the directives tracker.", code=policy.NOT_PERMITTED)


def _directive(directive_id: int) -> Directive:
    _reader()
    directive = queries.get_directive(get_session(), directive_id)
    if directive is None:
        abort(404, "There is no such directive.")
    return directive


@blp.route("")
class Directives(MethodView):
    @blp.arguments(DirectiveListArgsSchema, location="query")
    @blp.response(200, DirectivePageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Directives by id; `?status=`, `?overdue=true`, `?organisation_id=` (an action-by organisation)."""
        _reader()
        filters = queries.Filters(today=services.today_in_pakistan(), status=args["status"],
                                  overdue=args["overdue"], organisation_id=args["organisation_id"])  # fmt: skip
        rows = queries.list_directives(get_session(), filters=filters, after_id=decode_cursor(args["cursor"]),
                                       limit=args["limit"] + 1)  # fmt: skip
        return page(rows, args["limit"])

    @blp.arguments(DirectiveCreateSchema)
    @blp.response(201, DirectiveSchema)
    def post(self, data: dict[str, Any]) -> Directive:
        """Record a directive (the chair and the secretariat; 403 `not_permitted`)."""
        session = get_session()
        directive = services.create_directive(session, actor=api_actor(), data=services.DirectiveInput(**data))
        session.commit()
        return directive


def _input(current: Directive, data: dict[str, Any]) -> services.DirectiveInput:
    values = {name: data.get(name, getattr(current, name)) for name in services.EDITABLE}
    ids = data.get("organisation_ids", [o.id for o in current.organisations])
    return services.DirectiveInput(**values, organisation_ids=ids)


@blp.route("/<int:directive_id>")
class DirectiveById(MethodView):
    @blp.response(200, DirectiveSchema)
    def get(self, directive_id: int) -> Directive:
        """One directive."""
        return _directive(directive_id)

    @blp.arguments(DirectivePatchSchema)
    @blp.response(200, DirectiveSchema)
    def patch(self, data: dict[str, Any], directive_id: int) -> Directive:
        """Edit (keepers) and/or change the status (keepers and action-by members; behind
        schedule needs `delay_reason`). Stale `version`: 409 version_conflict."""
        session, user, current = get_session(), api_actor(), _directive(directive_id)
        version = data.pop("version")
        status, reason = data.pop("status", None), data.pop("delay_reason", None)
        if data:
            services.update_directive(session, actor=user, directive_id=directive_id, version=version,
                                      data=_input(current, data))  # fmt: skip
            version = None  # the edit moved the version; the status change is part of the same request
        if status is not None or reason is not None:
            services.change_status(session, actor=user, directive_id=directive_id, version=version,
                                   status=status or current.status, delay_reason=reason or "")  # fmt: skip
        session.commit()
        return _directive(directive_id)


@blp.route("/<int:directive_id>/progress")
class Progress(MethodView):
    @blp.response(200, DirectiveProgressListSchema)
    def get(self, directive_id: int) -> dict[str, Any]:
        """The directive's progress reports, newest first."""
        _directive(directive_id)
        return {"items": queries.reports_of(get_session(), directive_id)}

    @blp.arguments(DirectiveProgressCreateSchema)
    @blp.response(201, DirectiveProgressSchema)
    def post(self, data: dict[str, Any], directive_id: int) -> Any:
        """Report progress (members of an action-by organisation for their own; the chair and
        the secretariat for any; 403 `not_action_by`)."""
        session = get_session()
        report = services.add_progress_report(session, actor=api_actor(), directive_id=directive_id, **data)
        session.commit()
        return report
