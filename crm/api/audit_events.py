"""/api/v1/audit-events: the hash-chained audit log, for the chair and administrators.

Newest first, cursor-paginated on the chain's sequence number, with exact-match filters.
"""

from __future__ import annotations

from typing import Any

from flask import abort
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from crm.api import api_actor
from crm.api.pagination import PageArgsSchema, decode_cursor, encode_cursor
from crm.api.schemas import ErrorSchema, Integer
from crm.audit import policy, queries
from crm.audit.models import AuditEvent
from crm.db import get_session
from crm.http import MAX_ID

blp = Blueprint(
    "api_audit_events", __name__, url_prefix="/api/v1/audit-events", description="The audit log (chair and admin)."
)


class AuditEventSchema(Schema):
    id = Integer()
    seq = Integer(metadata={"description": "position in the hash chain"})
    occurred_at = fields.DateTime()
    actor_id = Integer(allow_none=True, metadata={"description": "null for the system (CLI, jobs)"})
    actor_label = fields.String()
    action = fields.String(metadata={"example": "engagement.log"})
    target_type = fields.String(metadata={"example": "engagements"})
    target_id = fields.String()
    before = fields.Dict(allow_none=True, metadata={"description": "null when not recorded or not shown to you"})
    after = fields.Dict(allow_none=True, metadata={"description": "null when not recorded or not shown to you"})
    ip = fields.String()
    prev_hash = fields.String()
    hash = fields.String()


class AuditEventListArgsSchema(PageArgsSchema):
    """Exact-match filters; an empty one (`?action=`) filters nothing, as when left out."""

    action = fields.String(load_default=None, validate=validate.Length(max=64))
    target_type = fields.String(load_default=None, validate=validate.Length(max=64))
    target_id = fields.String(load_default=None, validate=validate.Length(max=64))
    actor_id = Integer(load_default=None, validate=validate.Range(min=1, max=MAX_ID))


class AuditEventPageSchema(Schema):
    items = fields.List(fields.Nested(AuditEventSchema))
    next_cursor = fields.String(allow_none=True)


def _shown(event: AuditEvent, show_changes: bool) -> dict[str, Any]:
    """The event's fields (the response schema dumps them), before/after withheld unless shown."""
    data = {name: getattr(event, name) for name in AuditEventSchema().fields}
    if not show_changes:
        data["before"] = data["after"] = None
    return data


@blp.route("")
class AuditEvents(MethodView):
    @blp.arguments(AuditEventListArgsSchema, location="query")
    @blp.response(200, AuditEventPageSchema)
    @blp.alt_response(403, schema=ErrorSchema, description="Not the chair or an administrator (`forbidden`)")
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Audit events, newest first; filters `?action=`, `?target_type=`, `?target_id=`, `?actor_id=`.

        Administrators see before/after values of account records only (null otherwise)."""
        user = api_actor()
        if not policy.can_view_audit_log(user):
            abort(403, "Only the chair and administrators can read the audit log.")
        limit = args["limit"]
        rows = queries.list_events(
            get_session(), before_seq=decode_cursor(args["cursor"]), limit=limit + 1, action=args["action"] or None,
            target_type=args["target_type"] or None, target_id=args["target_id"] or None, actor_id=args["actor_id"],
        )  # fmt: skip
        items = [_shown(event, policy.sees_changes(user, event.target_type)) for event in rows[:limit]]
        return {"items": items, "next_cursor": encode_cursor(rows[limit - 1].seq) if len(rows) > limit else None}
