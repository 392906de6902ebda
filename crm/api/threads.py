"""/api/v1/threads: negotiation threads, their stage history, and stage moves.

The same services as the pages: reading is open to every signed-in user; writing is for the
chair, the secretariat and the focal person (403 not_permitted otherwise).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import abort
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from crm.api import api_actor
from crm.api.pagination import PageArgsSchema, decode_cursor, page
from crm.api.schemas import Integer
from crm.companies.models import Priority
from crm.db import get_session
from crm.http import MAX_ID
from crm.threads import queries, services
from crm.threads.models import Stage, StageChange, Thread
from crm.threads.services import ThreadInput

# A flask-smorest blueprint is a Flask blueprint: its name must differ from the pages' "threads".
blp = Blueprint("api_threads", __name__, url_prefix="/api/v1/threads", description="Negotiation threads.")

ID = validate.Range(min=1, max=MAX_ID)


class CompanyRefSchema(Schema):
    id = Integer()
    name = fields.String()


class StageChangeSchema(Schema):
    id = Integer()
    from_stage = fields.Enum(Stage, by_value=True, allow_none=True)
    to_stage = fields.Enum(Stage, by_value=True)
    note = fields.String()
    changed_by_id = Integer()
    changed_at = fields.DateTime()


class ThreadSchema(Schema):
    id = Integer()
    title = fields.String()
    objective = fields.String()
    our_ask = fields.String()
    their_position = fields.String()
    stage = fields.Enum(Stage, by_value=True)
    priority = fields.Enum(Priority, by_value=True)
    lead_organisation_id = Integer(allow_none=True)
    target_date = fields.Date(allow_none=True)
    next_step = fields.String()
    next_step_owner_id = Integer(allow_none=True)
    company_ids = fields.Method("_company_ids", metadata={"type": "array", "items": {"type": "integer"}})
    companies = fields.List(fields.Nested(CompanyRefSchema))
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    version = Integer()

    def _company_ids(self, thread: Thread | ThreadDetail) -> list[int]:
        return [company.id for company in thread.companies]


class ThreadDetailSchema(ThreadSchema):
    stage_history = fields.List(fields.Nested(StageChangeSchema))


class ThreadPageSchema(Schema):
    items = fields.List(fields.Nested(ThreadSchema))
    next_cursor = fields.String(allow_none=True)


class ThreadListArgsSchema(PageArgsSchema):
    stage = fields.Enum(Stage, by_value=True, load_default=None)
    company_id = Integer(load_default=None, validate=ID)
    priority = fields.Enum(Priority, by_value=True, load_default=None)


class ThreadWriteSchema(Schema):
    """The editable fields; the stage moves only through POST /threads/{id}/stage."""

    title = fields.String()
    company_ids = fields.List(Integer(validate=ID))
    objective = fields.String()
    our_ask = fields.String()
    their_position = fields.String()
    priority = fields.Enum(Priority, by_value=True)
    lead_organisation_id = Integer(allow_none=True, validate=ID)
    target_date = fields.Date(allow_none=True)
    next_step = fields.String()
    next_step_owner_id = Integer(allow_none=True, validate=ID)


class ThreadCreateSchema(ThreadWriteSchema):
    title = fields.String(required=True)
    company_ids = fields.List(Integer(validate=ID), required=True)
    stage = fields.Enum(Stage, by_value=True, load_default=Stage.IDENTIFIED)
    note = fields.String(load_default="", metadata={"description": "why the thread opens at this stage"})


class ThreadPatchSchema(ThreadWriteSchema):
    version = Integer(required=True)


class StageMoveSchema(Schema):
    stage = fields.Enum(Stage, by_value=True, required=True)
    note = fields.String(load_default="")
    version = Integer(required=True)


@dataclass
class ThreadDetail:
    """A thread with its stage history, as ThreadDetailSchema reads it."""

    thread: Thread
    stage_history: list[StageChange]

    def __getattr__(self, name: str) -> Any:
        return getattr(self.thread, name)


def _detail(thread_id: int) -> ThreadDetail:
    session = get_session()
    thread = queries.get_thread(session, thread_id)
    if thread is None:
        abort(404, "There is no such negotiation thread.")
    return ThreadDetail(thread, queries.stage_history(session, thread_id))


@blp.route("")
class Threads(MethodView):
    @blp.arguments(ThreadListArgsSchema, location="query")
    @blp.response(200, ThreadPageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """List threads by id, cursor-paginated; filter by `stage`, `company_id`, `priority`."""
        filters = queries.ThreadFilters(stage=args["stage"], company_id=args["company_id"], priority=args["priority"])
        rows = queries.list_threads(get_session(), filters, after_id=decode_cursor(args["cursor"]),
                                    limit=args["limit"] + 1, newest_first=False)  # fmt: skip
        return page(rows, args["limit"])

    @blp.arguments(ThreadCreateSchema)
    @blp.response(201, ThreadDetailSchema)
    def post(self, data: dict[str, Any]) -> ThreadDetail:
        """Open a thread (chair, secretariat, focal person); its first stage is recorded."""
        session = get_session()
        stage, note = data.pop("stage"), data.pop("note")
        thread = services.create_thread(session, actor=api_actor(), data=ThreadInput(**data), stage=stage, note=note)
        session.commit()
        return _detail(thread.id)


@blp.route("/<int:thread_id>")
class ThreadById(MethodView):
    @blp.response(200, ThreadDetailSchema)
    def get(self, thread_id: int) -> ThreadDetail:
        """One thread with its companies and stage history (oldest first)."""
        return _detail(thread_id)

    @blp.arguments(ThreadPatchSchema)
    @blp.response(200, ThreadDetailSchema)
    def patch(self, data: dict[str, Any], thread_id: int) -> ThreadDetail:
        """Change any fields but the stage; a stale `version` gets 409 version_conflict."""
        session = get_session()
        thread = queries.get_thread(session, thread_id)
        if thread is None:
            abort(404, "There is no such negotiation thread.")
        version = data.pop("version")
        changed = ThreadInput(**{**ThreadInput.of(thread).__dict__, **data})
        services.update_thread(session, actor=api_actor(), thread_id=thread_id, version=version, data=changed)
        session.commit()
        return _detail(thread_id)


@blp.route("/<int:thread_id>/stage")
class ThreadStage(MethodView):
    @blp.arguments(StageMoveSchema)
    @blp.response(200, ThreadDetailSchema)
    def post(self, data: dict[str, Any], thread_id: int) -> ThreadDetail:
        """Move the thread to another stage (a note is required for closed and abandoned)."""
        session = get_session()
        services.change_stage(session, actor=api_actor(), thread_id=thread_id, **data)
        session.commit()
        return _detail(thread_id)
