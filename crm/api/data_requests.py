"""/api/v1/data-requests: the group asks an organisation for data (direction 4); its people answer.

The same services as the pages: every content role reads requests and responses; the
secretariat and the chair file, edit and mark them (403 not_keeper); only the requested
organisation's people respond (403 not_requested_organisation; request_closed once closed or
cancelled). Files are attached to responses on the request's page.
"""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from crm.accounts.models import User
from crm.api import api_actor
from crm.api.pagination import PageArgsSchema, decode_cursor, page
from crm.api.schemas import Integer
from crm.datarequests import policy, queries, services
from crm.datarequests.models import DataRequest, DataRequestStatus, DataResponse
from crm.db import get_session
from crm.errors import Forbidden, NotFound
from crm.http import MAX_ID

blp = Blueprint("api_data_requests", __name__, url_prefix="/api/v1/data-requests",
                description="Data the group asks organisations to share, and their responses.")  # fmt: skip

ID = validate.Range(min=1, max=MAX_ID)


class DataRequestSchema(Schema):
    id = Integer()
    requested_from_id = Integer()
    title = fields.String()
    details = fields.String()
    purpose = fields.String()
    due_date = fields.Date(allow_none=True)
    status = fields.Enum(DataRequestStatus, by_value=True)
    is_late = fields.Method("_is_late", metadata={"type": "boolean", "description": "open and past due"})
    directive_id = Integer(allow_none=True)
    thread_id = Integer(allow_none=True)
    created_by_id = Integer()
    created_at = fields.DateTime()
    version = Integer()

    def _is_late(self, request: DataRequest) -> bool:
        return request.is_overdue(services.today())


class DataRequestPageSchema(Schema):
    items = fields.List(fields.Nested(DataRequestSchema))
    next_cursor = fields.String(allow_none=True)


class DataRequestListArgsSchema(PageArgsSchema):
    status = fields.Enum(DataRequestStatus, by_value=True, load_default=None)
    late = fields.Boolean(load_default=False, metadata={"description": "`true`: open and past due only"})
    organisation_id = Integer(load_default=None, validate=ID, metadata={"description": "requested from"})


class DataRequestWriteSchema(Schema):
    requested_from_id = Integer(validate=ID)
    title = fields.String(validate=validate.Length(max=300))
    details = fields.String(validate=validate.Length(max=services.DETAILS_MAX))
    purpose = fields.String(validate=validate.Length(max=services.PURPOSE_MAX))
    due_date = fields.Date(allow_none=True)
    directive_id = Integer(allow_none=True, validate=ID)
    thread_id = Integer(allow_none=True, validate=ID)


class DataRequestCreateSchema(DataRequestWriteSchema):
    requested_from_id = Integer(required=True, validate=ID)
    title = fields.String(required=True, validate=validate.Length(min=1, max=300))


class DataRequestPatchSchema(DataRequestWriteSchema):
    version = Integer(required=True, validate=ID)


class DataRequestStatusSchema(Schema):
    status = fields.Enum(DataRequestStatus, by_value=True, required=True)
    version = Integer(required=True, validate=ID)


class DataResponseSchema(Schema):
    id = Integer(dump_only=True)
    data_request_id = Integer(dump_only=True)
    organisation_id = Integer(dump_only=True)
    responded_by_id = Integer(dump_only=True)
    text = fields.String(required=True, validate=validate.Length(min=1, max=services.RESPONSE_MAX))
    created_at = fields.DateTime(dump_only=True)


class DataResponseListSchema(Schema):
    items = fields.List(fields.Nested(DataResponseSchema))


def _reader() -> User:
    user = api_actor()
    if not policy.can_view(user):
        raise Forbidden("Your role does not read data requests.", code=policy.NOT_PERMITTED)
    return user


def _visible(request_id: int) -> DataRequest:
    _reader()
    request = queries.get_request(get_session(), request_id)
    if request is None:
        raise NotFound(services.NOT_FOUND)
    return request


@blp.route("")
class DataRequests(MethodView):
    @blp.arguments(DataRequestListArgsSchema, location="query")
    @blp.response(200, DataRequestPageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Data requests, newest first; filter by `status`, `late=true`, `organisation_id`."""
        _reader()
        filters = queries.Filters(status=args["status"], late=args["late"], organisation_id=args["organisation_id"])
        rows = queries.list_requests(get_session(), filters=filters, on=services.today(),
                                     after=decode_cursor(args["cursor"]), limit=args["limit"] + 1)  # fmt: skip
        return page(rows, args["limit"])

    @blp.arguments(DataRequestCreateSchema)
    @blp.response(201, DataRequestSchema)
    def post(self, data: dict[str, Any]) -> DataRequest:
        """File a request (secretariat, chair; else 403 not_keeper)."""
        session = get_session()
        request = services.create_data_request(session, actor=api_actor(), data=services.RequestInput(**data))
        session.commit()
        return request


@blp.route("/<int:request_id>")
class DataRequestById(MethodView):
    @blp.response(200, DataRequestSchema)
    def get(self, request_id: int) -> DataRequest:
        """One data request."""
        return _visible(request_id)

    @blp.arguments(DataRequestPatchSchema)
    @blp.response(200, DataRequestSchema)
    def patch(self, data: dict[str, Any], request_id: int) -> DataRequest:
        """Change any fields but the status (secretariat, chair); a stale `version` gets 409."""
        session = get_session()
        current = _visible(request_id)
        version = data.pop("version")
        changed = services.RequestInput(**{**services.RequestInput.of(current).__dict__, **data})
        request = services.update_data_request(session, actor=api_actor(), request_id=request_id, version=version,
                                               data=changed)  # fmt: skip
        session.commit()
        return request


@blp.route("/<int:request_id>/status")
class DataRequestStatusChange(MethodView):
    @blp.arguments(DataRequestStatusSchema)
    @blp.response(200, DataRequestSchema)
    def post(self, data: dict[str, Any], request_id: int) -> DataRequest:
        """Mark `answered`, `closed`, `cancelled`, or reopen (`open`). 403 not_keeper; 409 stale."""
        session = get_session()
        request = services.set_data_request_status(session, actor=api_actor(), request_id=request_id, **data)
        session.commit()
        return request


@blp.route("/<int:request_id>/responses")
class DataRequestResponses(MethodView):
    @blp.response(200, DataResponseListSchema)
    def get(self, request_id: int) -> dict[str, Any]:
        """The responses, oldest first (every content role reads them)."""
        _visible(request_id)
        return {"items": queries.responses_of(get_session(), request_id)}

    @blp.arguments(DataResponseSchema)
    @blp.response(201, DataResponseSchema)
    def post(self, data: dict[str, Any], request_id: int) -> DataResponse:
        """Respond for the requested organisation (its members, secretariat or chair users only)."""
        session = get_session()
        response = services.respond_to_data_request(session, actor=api_actor(), request_id=request_id,
                                                    text=data["text"])  # fmt: skip
        session.commit()
        return response
