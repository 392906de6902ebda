"""/api/v1/meetings: the group's own meetings, with decisions and action items.

Lists never carry minutes. One meeting carries `minutes` only when R5 allows (the same rule
as an engagement's minutes; the read is audited, R8); otherwise `minutes` is null and
`minutes_withheld` gives R5's code (insufficient_clearance or no_grant), as on engagements.
Every content role reads; the secretariat and the chair write (403 not_keeper).
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from crm.accounts.models import Clearance, User
from crm.api import api_actor
from crm.api.pagination import PageArgsSchema
from crm.api.schemas import Integer
from crm.db import get_session
from crm.errors import Forbidden, Invalid, NotFound
from crm.followups.models import FollowUp, FollowUpStatus
from crm.http import MAX_ID, writes
from crm.meetings import policy, queries, services
from crm.meetings.models import WGDecision, WGMeeting
from crm.meetings.queries import Position

blp = Blueprint(
    "api_meetings", __name__, url_prefix="/api/v1/meetings",
    description="The group's meetings: agenda, attendees, minutes (R5), decisions, action items.",
)  # fmt: skip

ID = validate.Range(min=1, max=MAX_ID)
IDS = fields.List(Integer(validate=ID), validate=validate.Length(max=200))


class MeetingSummarySchema(Schema):
    id = Integer()
    title = fields.String()
    held_at = fields.DateTime()
    location = fields.String()
    chaired_by = fields.String()
    classification = fields.Enum(Clearance, by_value=True)
    organisation_ids = fields.Method("_organisation_ids", metadata={"type": "array", "items": {"type": "integer"}})
    created_at = fields.DateTime()
    version = Integer()

    def _organisation_ids(self, meeting: WGMeeting) -> list[int]:
        return sorted(o.id for o in meeting.organisations)


class MeetingPageSchema(Schema):
    items = fields.List(fields.Nested(MeetingSummarySchema))
    next_cursor = fields.String(allow_none=True)


class WGDecisionSchema(Schema):
    id = Integer(dump_only=True)
    meeting_id = Integer(dump_only=True)
    text = fields.String(required=True, validate=validate.Length(min=1, max=services.DECISION_MAX))
    directive_id = Integer(dump_only=True, allow_none=True)
    created_at = fields.DateTime(dump_only=True)


class ActionItemSchema(Schema):
    id = Integer(dump_only=True, metadata={"description": "the follow-up's id"})
    meeting_id = Integer(dump_only=True)
    title = fields.String(required=True, validate=validate.Length(min=1, max=300))
    details = fields.String(load_default="", validate=validate.Length(max=services.TEXT_MAX))
    assignee_id = Integer(load_default=None, allow_none=True, validate=ID)
    assignee_organisation_id = Integer(load_default=None, allow_none=True, validate=ID)
    due_date = fields.Date(load_default=None, allow_none=True)
    status = fields.Enum(FollowUpStatus, by_value=True, dump_only=True)


class MeetingSchema(MeetingSummarySchema):
    organisation_ids = fields.List(Integer())  # type: ignore[assignment]
    agenda = fields.String(metadata={"description": "Markdown"})
    invitees = fields.String()
    attendee_ids = fields.List(Integer())
    minutes = fields.String(allow_none=True, metadata={"description": "Markdown; null unless R5 allows"})
    minutes_withheld = fields.String(
        allow_none=True, metadata={"description": "why the minutes are null: insufficient_clearance or no_grant"}
    )
    decisions = fields.List(fields.Nested(WGDecisionSchema))
    action_items = fields.List(fields.Nested(ActionItemSchema))


class MeetingWriteSchema(Schema):
    title = fields.String(validate=validate.Length(max=300))
    held_at = fields.DateTime(metadata={"description": "ISO 8601 with its offset (stored in UTC)"})
    location = fields.String(validate=validate.Length(max=200))
    chaired_by = fields.String(validate=validate.Length(max=200))
    agenda = fields.String(validate=validate.Length(max=services.TEXT_MAX))
    minutes = fields.String(validate=validate.Length(max=services.TEXT_MAX))
    classification = fields.Enum(Clearance, by_value=True)
    invitees = fields.String(validate=validate.Length(max=1000))
    attendee_ids = IDS
    organisation_ids = IDS


class MeetingCreateSchema(MeetingWriteSchema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=300))
    held_at = fields.DateTime(required=True)


class MeetingPatchSchema(MeetingWriteSchema):
    version = Integer(required=True, validate=ID)


class DirectiveFromDecisionSchema(Schema):
    directive_id = Integer(
        load_default=None, allow_none=True, validate=ID,
        metadata={"description": "link to this existing directive instead of creating one"},
    )  # fmt: skip
    timeline_text = fields.String(load_default="", validate=validate.Length(max=200))
    organisation_ids = fields.List(Integer(validate=ID), load_default=list, validate=validate.Length(max=50))


class MeetingListArgsSchema(PageArgsSchema):
    pass


def encode_cursor(meeting: WGMeeting) -> str:
    return base64.urlsafe_b64encode(("meeting:" + Position.after(meeting).token()).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> Position | None:
    """The place a cursor stands for; Invalid (422) when it was not made by us."""
    if not cursor:
        return None
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        text = ""
    prefix, _, token = text.partition(":")
    found = Position.parse(token) if prefix == "meeting" else None
    if found is None:
        raise Invalid("The cursor is not valid.", fields={"cursor": ["Use the next_cursor of a previous page."]})
    return found


def _reader() -> User:
    user = api_actor()
    if not policy.can_view(user):
        raise Forbidden(policy.REFUSAL_MESSAGES[policy.NOT_PERMITTED], code=policy.NOT_PERMITTED)
    return user


def _loaded(meeting_id: int) -> WGMeeting:
    _reader()
    meeting = queries.get_meeting(get_session(), meeting_id)
    if meeting is None:
        raise NotFound(services.NOT_FOUND)
    return meeting


def _action_item(follow_up: FollowUp) -> dict[str, Any]:
    return {name: getattr(follow_up, name) for name in ActionItemSchema().fields}


def _representation(meeting: WGMeeting) -> dict[str, Any]:
    """One meeting, with its minutes only when R5 allows (that read is audited)."""
    session, user = get_session(), api_actor()
    refusal = services.minutes_refusal(session, actor=user, meeting=meeting)
    return {
        **{name: getattr(meeting, name) for name in ("id", "title", "held_at", "location", "chaired_by",
                                                     "classification", "created_at", "version", "agenda", "invitees")},
        "organisation_ids": sorted(o.id for o in meeting.organisations),
        "attendee_ids": sorted(u.id for u in meeting.attendees),
        "minutes": None if refusal else services.read_minutes(session, actor=user, meeting=meeting),
        "minutes_withheld": refusal,
        "decisions": queries.decisions_of(session, meeting.id),
        "action_items": [_action_item(f) for f in queries.action_items_of(session, meeting.id)],
    }  # fmt: skip


def _current_input(meeting: WGMeeting) -> dict[str, Any]:
    names = ("title", "held_at", "location", "chaired_by", "agenda", "minutes", "classification", "invitees")
    return {**{name: getattr(meeting, name) for name in names},
            "attendee_ids": [u.id for u in meeting.attendees],
            "organisation_ids": [o.id for o in meeting.organisations]}  # fmt: skip


@blp.route("")
class Meetings(MethodView):
    @blp.arguments(MeetingListArgsSchema, location="query")
    @blp.response(200, MeetingPageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Meetings, latest first, cursor-paginated (never the minutes)."""
        _reader()
        rows = queries.list_meetings(get_session(), before=decode_cursor(args["cursor"]), limit=args["limit"] + 1)
        items = rows[: args["limit"]]
        return {"items": items, "next_cursor": encode_cursor(items[-1]) if len(rows) > args["limit"] else None}

    @blp.arguments(MeetingCreateSchema)
    @blp.response(201, MeetingSchema)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Record a meeting (secretariat, chair; else 403 not_keeper). `held_at` needs its offset."""
        session = get_session()
        meeting = services.record_meeting(session, actor=api_actor(), data=services.MeetingInput(**data))
        body = _representation(_loaded(meeting.id))
        session.commit()
        return body


@blp.route("/<int:meeting_id>")
class MeetingById(MethodView):
    # A GET may write: reading the minutes is audited (R8).
    decorators = [writes]

    @blp.response(200, MeetingSchema)
    def get(self, meeting_id: int) -> dict[str, Any]:
        """One meeting; `minutes` only when R5 allows, else null with `minutes_withheld`."""
        body = _representation(_loaded(meeting_id))
        get_session().commit()
        return body

    @blp.arguments(MeetingPatchSchema)
    @blp.response(200, MeetingSchema)
    def patch(self, data: dict[str, Any], meeting_id: int) -> dict[str, Any]:
        """Edit (a keeper who may read the minutes: else 403 with R5's code); stale `version`: 409."""
        session = get_session()
        current = _loaded(meeting_id)
        version = data.pop("version")
        if policy.keeper_refusal(api_actor()):
            raise Forbidden(policy.REFUSAL_MESSAGES[policy.NOT_KEEPER], code=policy.NOT_KEEPER)
        merged = services.MeetingInput(**{**_current_input(current), **data})
        services.update_meeting(session, actor=api_actor(), meeting_id=meeting_id, version=version, data=merged)
        body = _representation(_loaded(meeting_id))
        session.commit()
        return body


@blp.route("/<int:meeting_id>/decisions")
class MeetingDecisions(MethodView):
    @blp.arguments(WGDecisionSchema)
    @blp.response(201, WGDecisionSchema)
    def post(self, data: dict[str, Any], meeting_id: int) -> WGDecision:
        """Record a decision of the meeting (secretariat, chair)."""
        session = get_session()
        decision = services.add_decision(session, actor=api_actor(), meeting_id=meeting_id, text=data["text"])
        session.commit()
        return decision


@blp.route("/<int:meeting_id>/decisions/<int:decision_id>/directive")
class DecisionDirective(MethodView):
    @blp.arguments(DirectiveFromDecisionSchema)
    @blp.response(200, WGDecisionSchema)
    def post(self, data: dict[str, Any], meeting_id: int, decision_id: int) -> WGDecision:
        """Make the decision a directive (created from `timeline_text` and `organisation_ids`), or
        link it to an existing `directive_id`. 409 already_directive."""
        session, user = get_session(), api_actor()
        if data["directive_id"] is not None:
            decision = services.link_directive(session, actor=user, meeting_id=meeting_id, decision_id=decision_id,
                                               directive_id=data["directive_id"])  # fmt: skip
        else:
            decision = services.make_directive(session, actor=user, meeting_id=meeting_id, decision_id=decision_id,
                                               timeline_text=data["timeline_text"],
                                               organisation_ids=data["organisation_ids"])  # fmt: skip
        session.commit()
        return decision


@blp.route("/<int:meeting_id>/action-items")
class MeetingActionItems(MethodView):
    @blp.arguments(ActionItemSchema)
    @blp.response(201, ActionItemSchema)
    def post(self, data: dict[str, Any], meeting_id: int) -> dict[str, Any]:
        """An action item: a follow-up linked to the meeting, owned by `assignee_id` or
        `assignee_organisation_id` (exactly one)."""
        session = get_session()
        follow_up = services.add_action_item(session, actor=api_actor(), meeting_id=meeting_id,
                                             data=services.ActionItemInput(**data))  # fmt: skip
        session.commit()
        return _action_item(follow_up)
