"""/api/v1/engagements: the engagement log, through the same services as the pages.

Lists never carry minutes. One engagement carries `minutes` only when R5 allows (the read is
audited, R8); otherwise `minutes` is null and `minutes_withheld` gives R5's code.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from crm.accounts.models import Clearance
from crm.api import api_actor
from crm.api.pagination import PageArgsSchema
from crm.api.schemas import Integer
from crm.db import get_session
from crm.engagements import queries, services
from crm.engagements.models import Direction, Engagement, EngagementKind
from crm.engagements.queries import Filters, Position
from crm.errors import Invalid, NotFound
from crm.http import MAX_ID, writes

blp = Blueprint(
    "api_engagements",
    __name__,
    url_prefix="/api/v1/engagements",
    description="Engagements with companies (R2, R4, R5).",
)


def _id(**kwargs: Any) -> fields.Integer:
    return Integer(validate=validate.Range(min=1, max=MAX_ID), **kwargs)


class EngagementListArgsSchema(PageArgsSchema):
    company_id = _id(load_default=None)
    thread_id = _id(load_default=None)
    direction = fields.Enum(Direction, by_value=True, load_default=None)
    kind = fields.Enum(EngagementKind, by_value=True, load_default=None)


class EngagementSummarySchema(Schema):
    """What everyone signed in may see of an engagement (never the minutes)."""

    id = Integer()
    company_id = Integer()
    thread_id = Integer(allow_none=True)
    direction = fields.Enum(Direction, by_value=True)
    kind = fields.Enum(EngagementKind, by_value=True)
    occurred_at = fields.AwareDateTime(format="iso")
    location = fields.String()
    subject = fields.String()
    summary = fields.String()
    classification = fields.Enum(Clearance, by_value=True)
    our_ref = fields.String()
    their_ref = fields.String()
    diary_no = fields.String()
    needs_no_response = fields.Boolean()
    logged_by_id = Integer()
    created_at = fields.AwareDateTime(format="iso")
    updated_at = fields.AwareDateTime(format="iso")
    version = Integer()


class EngagementSchema(EngagementSummarySchema):
    participant_ids = fields.List(Integer())
    organisation_ids = fields.List(Integer())
    contact_ids = fields.List(Integer())
    minutes = fields.String(allow_none=True, metadata={"description": "Markdown; null unless R5 allows"})
    minutes_withheld = fields.String(
        allow_none=True, metadata={"description": "why the minutes are null: insufficient_clearance or no_grant"}
    )


class EngagementPageSchema(Schema):
    items = fields.List(fields.Nested(EngagementSummarySchema))
    next_cursor = fields.String(allow_none=True)


class EngagementFieldsSchema(Schema):
    """The writable fields, all optional: a PATCH changes only those it names."""

    company_id = _id()
    thread_id = _id(allow_none=True)
    kind = fields.Enum(EngagementKind, by_value=True)
    occurred_at = fields.AwareDateTime(format="iso", metadata={"description": "ISO 8601 with a UTC offset"})
    location = fields.String()
    subject = fields.String()
    summary = fields.String()
    minutes = fields.String(metadata={"description": "Markdown (rendered safely on pages)"})
    classification = fields.Enum(Clearance, by_value=True)
    our_ref = fields.String()
    their_ref = fields.String()
    diary_no = fields.String()
    needs_no_response = fields.Boolean()
    participant_ids = fields.List(_id(), validate=validate.Length(max=500))
    organisation_ids = fields.List(_id(), validate=validate.Length(max=500))
    contact_ids = fields.List(_id(), validate=validate.Length(max=500))


class EngagementCreateSchema(EngagementFieldsSchema):
    company_id = _id(required=True)
    direction = fields.Enum(Direction, by_value=True, required=True)
    kind = fields.Enum(EngagementKind, by_value=True, required=True)
    occurred_at = fields.AwareDateTime(format="iso", required=True)
    subject = fields.String(required=True)


class EngagementPatchSchema(EngagementFieldsSchema):
    """A correction: the version the client read, why, and the fields to change."""

    version = Integer(required=True)
    reason = fields.String(required=True)
    direction = fields.Enum(Direction, by_value=True, metadata={"description": "cannot change (422 if different)"})


def encode_cursor(position: Position) -> str:
    return base64.urlsafe_b64encode(f"at:{position.token()}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> Position | None:
    """The position a cursor stands for; Invalid (422) when it was not made by us."""
    if not cursor:
        return None
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        text = ""
    prefix, _, token = text.partition(":")
    position = Position.parse(token) if prefix == "at" else None
    if position is None:
        raise Invalid("The cursor is not valid.", fields={"cursor": ["Use the next_cursor of a previous page."]})
    return position


def _representation(engagement: Engagement) -> dict[str, Any]:
    """One engagement, with its minutes only when R5 allows (that read is audited)."""
    session, user = get_session(), api_actor()
    refusal = services.minutes_refusal(session, actor=user, engagement=engagement)
    minutes = None if refusal else services.read_minutes(session, actor=user, engagement=engagement)
    return {
        **{name: getattr(engagement, name) for name in EngagementSummarySchema().fields},
        "participant_ids": [u.id for u in engagement.participants],
        "organisation_ids": [o.id for o in engagement.organisations],
        "contact_ids": [c.id for c in engagement.contacts],
        "minutes": minutes,
        "minutes_withheld": refusal,
    }


def _loaded(engagement_id: int) -> Engagement:
    engagement = queries.get_engagement(get_session(), engagement_id)
    if engagement is None:
        raise NotFound("There is no such engagement.")
    return engagement


@blp.route("")
class Engagements(MethodView):
    @blp.arguments(EngagementListArgsSchema, location="query")
    @blp.response(200, EngagementPageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Engagements newest first, cursor-paginated; filters company_id, thread_id, direction, kind."""
        filters = Filters(
            company_id=args["company_id"], thread_id=args["thread_id"], direction=args["direction"], kind=args["kind"]
        )
        rows = queries.list_engagements(
            get_session(), filters=filters, before=decode_cursor(args["cursor"]), limit=args["limit"] + 1
        )
        items = rows[: args["limit"]]
        more = len(rows) > args["limit"]
        return {"items": items, "next_cursor": encode_cursor(Position.after(items[-1])) if more else None}

    @blp.arguments(EngagementCreateSchema)
    @blp.response(201, EngagementSchema)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Record an engagement. Outbound only by the focal person: otherwise 403
        not_focal_person or no_focal_person, and nothing is written (R2)."""
        session = get_session()
        engagement = services.log_engagement(session, actor=api_actor(), data=services.EngagementInput(**data))
        body = _representation(_loaded(engagement.id))
        session.commit()
        return body


@blp.route("/<int:engagement_id>")
class EngagementById(MethodView):
    # A GET may write: reading the minutes is audited (R8).
    decorators = [writes]

    @blp.response(200, EngagementSchema)
    def get(self, engagement_id: int) -> dict[str, Any]:
        """One engagement; `minutes` only when R5 allows, else null with `minutes_withheld`."""
        body = _representation(_loaded(engagement_id))
        get_session().commit()
        return body

    @blp.arguments(EngagementPatchSchema)
    @blp.response(200, EngagementSchema)
    def patch(self, data: dict[str, Any], engagement_id: int) -> dict[str, Any]:
        """Correct an engagement: `version` (stale: 409 version_conflict), `reason`, and the
        fields to change. The previous values are kept as a revision."""
        session = get_session()
        current = _loaded(engagement_id)
        version, reason = data.pop("version"), data.pop("reason")
        merged = services.EngagementInput(**{**_current_input(current), **data})
        services.correct_engagement(
            session, actor=api_actor(), engagement_id=engagement_id, version=version, reason=reason, data=merged
        )
        body = _representation(_loaded(engagement_id))
        session.commit()
        return body


def _current_input(engagement: Engagement) -> dict[str, Any]:
    """The engagement's present values as EngagementInput keywords (a PATCH starts from them)."""
    names = ("kind", "direction", "occurred_at", "company_id", "subject", "thread_id", "location", "summary",
             "minutes", "classification", "our_ref", "their_ref", "diary_no", "needs_no_response")  # fmt: skip
    return {
        **{name: getattr(engagement, name) for name in names},
        "participant_ids": [u.id for u in engagement.participants],
        "organisation_ids": [o.id for o in engagement.organisations],
        "contact_ids": [c.id for c in engagement.contacts],
    }
