"""/api/v1/statements: the statements register, through the same services as the pages.

Every content role reads; the chair, the secretariat and members draft (403 not_permitted);
only a lead-ministry (MoIT) user or the designated spokesperson issues or withdraws
(403 not_authorized_spokesperson, R3). Drafts carry `version`: a stale one gets 409.
"""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from crm.api import api_actor
from crm.api.pagination import PageArgsSchema, decode_cursor, page
from crm.api.schemas import Integer
from crm.db import get_session
from crm.errors import Forbidden, NotFound
from crm.http import MAX_ID
from crm.statements import policy, queries, services
from crm.statements.models import Statement, StatementChannel, StatementStatus
from crm.statements.services import StatementInput

blp = Blueprint(
    "api_statements", __name__, url_prefix="/api/v1/statements", description="Public statements register (R3)."
)

ID = validate.Range(min=1, max=MAX_ID)


class StatementSchema(Schema):
    id = Integer()
    text = fields.String()
    channel = fields.Enum(StatementChannel, by_value=True)
    status = fields.Enum(StatementStatus, by_value=True)
    company_id = Integer(allow_none=True)
    thread_id = Integer(allow_none=True)
    drafted_by_id = Integer()
    issued_by_id = Integer(allow_none=True)
    issued_at = fields.AwareDateTime(format="iso", allow_none=True)
    created_at = fields.AwareDateTime(format="iso")
    version = Integer()


class StatementPageSchema(Schema):
    items = fields.List(fields.Nested(StatementSchema))
    next_cursor = fields.String(allow_none=True)


class StatementListArgsSchema(PageArgsSchema):
    status = fields.Enum(StatementStatus, by_value=True, load_default=None)


class StatementCreateSchema(Schema):
    text = fields.String(required=True, validate=validate.Length(max=services.TEXT_MAX))
    channel = fields.Enum(StatementChannel, by_value=True, required=True)
    company_id = Integer(load_default=None, allow_none=True, validate=ID)
    thread_id = Integer(load_default=None, allow_none=True, validate=ID)


class StatementPatchSchema(Schema):
    """A draft's edit: the version the client read, and the fields to change."""

    version = Integer(required=True, validate=ID)
    text = fields.String(validate=validate.Length(max=services.TEXT_MAX))
    channel = fields.Enum(StatementChannel, by_value=True)
    company_id = Integer(allow_none=True, validate=ID)
    thread_id = Integer(allow_none=True, validate=ID)


class StatementIssueSchema(Schema):
    version = Integer(load_default=None, validate=ID, metadata={"description": "optional: 409 when stale"})


class StatementWithdrawSchema(StatementIssueSchema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=services.REASON_MAX))


def _readers_only() -> None:
    if not policy.can_view(api_actor()):
        raise Forbidden("Your role does not read the statements register.", code=policy.NOT_PERMITTED)


def _loaded(statement_id: int) -> Statement:
    statement = queries.get_statement(get_session(), statement_id)
    if statement is None:
        raise NotFound(services.NOT_FOUND)
    return statement


@blp.route("")
class Statements(MethodView):
    @blp.arguments(StatementListArgsSchema, location="query")
    @blp.response(200, StatementPageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Statements by id, cursor-paginated; filter `?status=draft|issued|withdrawn`."""
        _readers_only()
        rows = queries.list_statements(
            get_session(), status=args["status"], after_id=decode_cursor(args["cursor"]), newest_first=False,
            limit=args["limit"] + 1,
        )  # fmt: skip
        return page(rows, args["limit"])

    @blp.arguments(StatementCreateSchema)
    @blp.response(201, StatementSchema)
    def post(self, data: dict[str, Any]) -> Statement:
        """Draft a statement (chair, secretariat, members; 403 not_permitted otherwise)."""
        session = get_session()
        drafted = services.draft_statement(session, actor=api_actor(), data=StatementInput(**data))
        session.commit()
        return drafted


@blp.route("/<int:statement_id>")
class StatementById(MethodView):
    @blp.response(200, StatementSchema)
    def get(self, statement_id: int) -> Statement:
        """One statement."""
        _readers_only()
        return _loaded(statement_id)

    @blp.arguments(StatementPatchSchema)
    @blp.response(200, StatementSchema)
    def patch(self, data: dict[str, Any], statement_id: int) -> Statement:
        """Edit a draft; 409 when `version` is stale or the statement is no longer a draft."""
        session = get_session()
        current = _loaded(statement_id)
        version = data.pop("version")
        values = {"text": current.text, "channel": current.channel, "company_id": current.company_id,
                  "thread_id": current.thread_id, **data}  # fmt: skip
        services.update_draft(session, actor=api_actor(), statement_id=statement_id, version=version,
                              data=StatementInput(**values))  # fmt: skip
        session.commit()
        return _loaded(statement_id)


@blp.route("/<int:statement_id>/issue")
class IssueStatement(MethodView):
    @blp.arguments(StatementIssueSchema)
    @blp.response(200, StatementSchema)
    def post(self, data: dict[str, Any], statement_id: int) -> Statement:
        """Issue a draft (R3): 403 not_authorized_spokesperson unless the caller is of the lead
        ministry or the designated spokesperson; nothing is written when refused."""
        session = get_session()
        services.issue_statement(session, actor=api_actor(), statement_id=statement_id, version=data["version"])
        session.commit()
        return _loaded(statement_id)


@blp.route("/<int:statement_id>/withdraw")
class WithdrawStatement(MethodView):
    @blp.arguments(StatementWithdrawSchema)
    @blp.response(200, StatementSchema)
    def post(self, data: dict[str, Any], statement_id: int) -> Statement:
        """Withdraw an issued statement with a `reason` (same authority as issuing)."""
        session = get_session()
        services.withdraw_statement(session, actor=api_actor(), statement_id=statement_id, reason=data["reason"],
                                    version=data["version"])  # fmt: skip
        session.commit()
        return _loaded(statement_id)
