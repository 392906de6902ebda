"""/api/v1/notifications: the caller's own notifications (no one sees anyone else's)."""

from __future__ import annotations

from typing import Any

from flask import abort
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from crm.api import api_actor
from crm.api.pagination import PageArgsSchema, decode_cursor, page
from crm.api.schemas import Integer
from crm.db import get_session
from crm.notifications import queries, services
from crm.notifications.models import Notification, NotificationKind

blp = Blueprint(
    "api_notifications", __name__, url_prefix="/api/v1/notifications", description="The caller's notifications."
)


class NotificationSchema(Schema):
    id = Integer()
    kind = fields.Enum(NotificationKind, by_value=True)
    title = fields.String()
    body = fields.String()
    link = fields.String()
    created_at = fields.DateTime()
    read_at = fields.DateTime(allow_none=True)


class NotificationListArgsSchema(PageArgsSchema):
    unread = fields.Boolean(load_default=False, metadata={"description": "`true`: only unread notifications"})


class NotificationPageSchema(Schema):
    items = fields.List(fields.Nested(NotificationSchema))
    next_cursor = fields.String(allow_none=True)


class ReadAllSchema(Schema):
    count = Integer(metadata={"description": "how many were unread"})


@blp.route("")
class Notifications(MethodView):
    @blp.arguments(NotificationListArgsSchema, location="query")
    @blp.response(200, NotificationPageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """The caller's notifications, newest first; `?unread=true` for unread ones only."""
        rows = queries.list_for_user(
            get_session(), user_id=api_actor().id, unread_only=args["unread"],
            before_id=decode_cursor(args["cursor"]), limit=args["limit"] + 1,
        )  # fmt: skip
        return page(rows, args["limit"])


@blp.route("/<int:notification_id>")
class NotificationById(MethodView):
    @blp.response(200, NotificationSchema)
    def get(self, notification_id: int) -> Notification:
        """One of the caller's notifications (anyone else's: 404)."""
        notification = queries.get_for_user(get_session(), user_id=api_actor().id, notification_id=notification_id)
        if notification is None:
            abort(404, "There is no such notification.")
        return notification


@blp.route("/<int:notification_id>/read")
class ReadNotification(MethodView):
    @blp.response(200, NotificationSchema)
    def post(self, notification_id: int) -> Notification:
        """Mark one of the caller's notifications read (again: no change; anyone else's: 404)."""
        session = get_session()
        notification = services.mark_read(session, actor=api_actor(), notification_id=notification_id)
        session.commit()
        return notification


@blp.route("/read-all")
class ReadAllNotifications(MethodView):
    @blp.response(200, ReadAllSchema)
    def post(self) -> dict[str, int]:
        """Mark every unread notification of the caller read; how many were."""
        session = get_session()
        count = services.mark_all_read(session, actor=api_actor())
        session.commit()
        return {"count": count}
