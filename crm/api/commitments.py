"""/api/v1/commitments: the commitments register, with status changes and verification.

The same services as the pages: every content role reads; the chair, the secretariat and the
focal person write (403 not_permitted); only the focal person or the chair verifies (403
not_verifier). `is_overdue` is derived with Pakistan's today.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from flask import abort
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from crm.accounts.models import User
from crm.api import api_actor
from crm.api.pagination import PageArgsSchema
from crm.api.schemas import Integer
from crm.commitments import policy, queries, services
from crm.commitments.models import Commitment, CommitmentDirection, CommitmentStatus
from crm.commitments.queries import DueCursor, Filters
from crm.commitments.services import CommitmentInput
from crm.db import get_session
from crm.errors import Forbidden, Invalid
from crm.http import MAX_ID

blp = Blueprint("api_commitments", __name__, url_prefix="/api/v1/commitments", description="Commitments register.")

ID = validate.Range(min=1, max=MAX_ID)


class CommitmentSchema(Schema):
    id = Integer()
    company_id = Integer()
    direction = fields.Enum(CommitmentDirection, by_value=True)
    party = fields.String()
    organisation_id = Integer(allow_none=True)
    engagement_id = Integer(allow_none=True)
    thread_id = Integer(allow_none=True)
    text = fields.String()
    due_date = fields.Date(allow_none=True)
    status = fields.Enum(CommitmentStatus, by_value=True)
    status_note = fields.String()
    is_overdue = fields.Method("_is_overdue", metadata={"type": "boolean", "description": "open and past due"})
    evidence = fields.String()
    verified_by_id = Integer(allow_none=True)
    verified_at = fields.DateTime(allow_none=True)
    created_by_id = Integer(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    version = Integer()

    def _is_overdue(self, commitment: Commitment) -> bool:
        return commitment.is_overdue(queries.today())


class CommitmentPageSchema(Schema):
    items = fields.List(fields.Nested(CommitmentSchema))
    next_cursor = fields.String(allow_none=True)


class CommitmentListArgsSchema(PageArgsSchema):
    company_id = Integer(load_default=None, validate=ID)
    thread_id = Integer(load_default=None, validate=ID)
    direction = fields.Enum(CommitmentDirection, by_value=True, load_default=None)
    status = fields.Enum(CommitmentStatus, by_value=True, load_default=None)
    overdue = fields.Boolean(load_default=False, metadata={"description": "`true`: open and past due only"})


class CommitmentWriteSchema(Schema):
    company_id = Integer(validate=ID)
    direction = fields.Enum(CommitmentDirection, by_value=True)
    text = fields.String(validate=validate.Length(max=services.TEXT_MAX))
    due_date = fields.Date(allow_none=True)
    party = fields.String(validate=validate.Length(max=200))
    organisation_id = Integer(allow_none=True, validate=ID)
    engagement_id = Integer(allow_none=True, validate=ID)
    thread_id = Integer(allow_none=True, validate=ID)
    evidence = fields.String(validate=validate.Length(max=services.EVIDENCE_MAX))


class CommitmentCreateSchema(CommitmentWriteSchema):
    company_id = Integer(required=True, validate=ID)
    direction = fields.Enum(CommitmentDirection, by_value=True, required=True)
    text = fields.String(required=True, validate=validate.Length(min=1, max=services.TEXT_MAX))


class CommitmentPatchSchema(CommitmentWriteSchema):
    version = Integer(required=True, validate=ID)


class StatusSchema(Schema):
    status = fields.Enum(CommitmentStatus, by_value=True, required=True)
    note = fields.String(load_default="", validate=validate.Length(max=1000))
    version = Integer(required=True, validate=ID)


class VerifySchema(Schema):
    version = Integer(required=True, validate=ID)


def encode_cursor(commitment: Commitment) -> str:
    token = "due:" + DueCursor.after(commitment).token()
    return base64.urlsafe_b64encode(token.encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> DueCursor | None:
    """The place a cursor stands for; Invalid (422) when it was not made by us."""
    if not cursor:
        return None
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        text = ""
    prefix, _, token = text.partition(":")
    found = DueCursor.parse(token) if prefix == "due" else None
    if found is None:
        raise Invalid("The cursor is not valid.", fields={"cursor": ["Use the next_cursor of a previous page."]})
    return found


def _reader() -> User:
    user = api_actor()
    if not policy.can_view(user):
        raise Forbidden("Your role does not read the commitments register.", code=policy.NOT_PERMITTED)
    return user


def _visible(commitment_id: int) -> Commitment:
    _reader()
    commitment = queries.get_commitment(get_session(), commitment_id)
    if commitment is None:
        abort(404, services.NOT_FOUND)
    return commitment


@blp.route("")
class Commitments(MethodView):
    @blp.arguments(CommitmentListArgsSchema, location="query")
    @blp.response(200, CommitmentPageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """The register, soonest due first (no due date last); filter by `company_id`,
        `thread_id`, `direction`, `status`, `overdue=true`."""
        _reader()
        filters = Filters(company_id=args["company_id"], thread_id=args["thread_id"], direction=args["direction"],
                          status=args["status"], overdue=args["overdue"])  # fmt: skip
        rows = queries.list_commitments(get_session(), filters=filters, on=queries.today(),
                                        after=decode_cursor(args["cursor"]), limit=args["limit"] + 1)  # fmt: skip
        items = rows[: args["limit"]]
        return {"items": items, "next_cursor": encode_cursor(items[-1]) if len(rows) > args["limit"] else None}

    @blp.arguments(CommitmentCreateSchema)
    @blp.response(201, CommitmentSchema)
    def post(self, data: dict[str, Any]) -> Commitment:
        """Record an open commitment (chair, secretariat, focal person; else 403 not_permitted)."""
        session = get_session()
        commitment = services.record_commitment(session, actor=api_actor(), data=CommitmentInput(**data))
        session.commit()
        return commitment


@blp.route("/<int:commitment_id>")
class CommitmentById(MethodView):
    @blp.response(200, CommitmentSchema)
    def get(self, commitment_id: int) -> Commitment:
        """One commitment."""
        return _visible(commitment_id)

    @blp.arguments(CommitmentPatchSchema)
    @blp.response(200, CommitmentSchema)
    def patch(self, data: dict[str, Any], commitment_id: int) -> Commitment:
        """Change any fields but status and verification; a stale `version` gets 409."""
        session = get_session()
        current = _visible(commitment_id)
        version = data.pop("version")
        changed = CommitmentInput(**{**CommitmentInput.of(current).__dict__, **data})
        commitment = services.update_commitment(session, actor=api_actor(), commitment_id=commitment_id,
                                                version=version, data=changed)  # fmt: skip
        session.commit()
        return commitment


@blp.route("/<int:commitment_id>/status")
class CommitmentStatusChange(MethodView):
    @blp.arguments(StatusSchema)
    @blp.response(200, CommitmentSchema)
    def post(self, data: dict[str, Any], commitment_id: int) -> Commitment:
        """Close (fulfilled, partially_fulfilled, breached, withdrawn: a note is required) or
        reopen; clears the verification. 403 not_permitted; 409 on a stale `version`."""
        session = get_session()
        commitment = services.set_commitment_status(session, actor=api_actor(), commitment_id=commitment_id, **data)
        session.commit()
        return commitment


@blp.route("/<int:commitment_id>/verify")
class CommitmentVerify(MethodView):
    @blp.arguments(VerifySchema)
    @blp.response(200, CommitmentSchema)
    def post(self, data: dict[str, Any], commitment_id: int) -> Commitment:
        """Verify the outcome (focal person or chair; else 403 not_verifier). 422 while open;
        409 when already verified or `version` is stale."""
        session = get_session()
        commitment = services.verify_commitment(session, actor=api_actor(), commitment_id=commitment_id, **data)
        session.commit()
        return commitment
