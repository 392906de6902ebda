"""/api/v1/draft-reviews: drafts shared with the group for its input (direction 6), with comments.

The same services as the pages: every content role reads; members, the secretariat and the
chair submit and comment (403 not_permitted; review_closed once the review is over); the
secretariat and the chair consolidate and change the status (403 not_keeper). The draft's
files are uploaded and downloaded on the review's page.
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
from crm.db import get_session
from crm.errors import Forbidden, NotFound
from crm.http import MAX_ID
from crm.reviews import policy, queries, services
from crm.reviews.models import DraftComment, DraftReview, ReviewStatus

blp = Blueprint("api_draft_reviews", __name__, url_prefix="/api/v1/draft-reviews",
                description="Draft policies and rules shared with the group for its input.")  # fmt: skip

ID = validate.Range(min=1, max=MAX_ID)


class DraftReviewSchema(Schema):
    id = Integer()
    title = fields.String()
    originating_organisation_id = Integer()
    committee = fields.String()
    version_label = fields.String()
    received_on = fields.Date()
    input_due = fields.Date(allow_none=True)
    status = fields.Enum(ReviewStatus, by_value=True)
    is_overdue = fields.Method("_is_overdue", metadata={"type": "boolean", "description": "open and past input_due"})
    consolidated_input = fields.String()
    returned_on = fields.Date(allow_none=True)
    reviewer_ids = fields.Method("_reviewer_ids", metadata={"type": "array", "items": {"type": "integer"}})
    created_by_id = Integer()
    created_at = fields.DateTime()
    version = Integer()

    def _is_overdue(self, review: DraftReview) -> bool:
        return queries.is_overdue(review, services.today())

    def _reviewer_ids(self, review: DraftReview) -> list[int]:
        return sorted(user.id for user in review.reviewers)


class DraftReviewPageSchema(Schema):
    items = fields.List(fields.Nested(DraftReviewSchema))
    next_cursor = fields.String(allow_none=True)


class DraftReviewListArgsSchema(PageArgsSchema):
    status = fields.Enum(ReviewStatus, by_value=True, load_default=None)
    overdue = fields.Boolean(load_default=False, metadata={"description": "`true`: open and past input_due only"})
    organisation_id = Integer(load_default=None, validate=ID)


class DraftReviewWriteSchema(Schema):
    title = fields.String(validate=validate.Length(max=300))
    originating_organisation_id = Integer(validate=ID)
    committee = fields.String(validate=validate.Length(max=300))
    version_label = fields.String(validate=validate.Length(max=50))
    received_on = fields.Date()
    input_due = fields.Date(allow_none=True)
    reviewer_ids = fields.List(Integer(validate=ID), validate=validate.Length(max=100))


class DraftReviewCreateSchema(DraftReviewWriteSchema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=300))
    originating_organisation_id = Integer(required=True, validate=ID)
    received_on = fields.Date(required=True)


class DraftReviewPatchSchema(DraftReviewWriteSchema):
    consolidated_input = fields.String(validate=validate.Length(max=services.INPUT_MAX))
    version = Integer(required=True, validate=ID)


class DraftReviewStatusSchema(Schema):
    status = fields.Enum(ReviewStatus, by_value=True, required=True)
    returned_on = fields.Date(load_default=None, allow_none=True)
    version = Integer(required=True, validate=ID)


class DraftCommentSchema(Schema):
    id = Integer(dump_only=True)
    draft_review_id = Integer(dump_only=True)
    author_id = Integer(dump_only=True)
    organisation_id = Integer(dump_only=True)
    text = fields.String(required=True, validate=validate.Length(min=1, max=services.COMMENT_MAX))
    created_at = fields.DateTime(dump_only=True)


class DraftCommentListSchema(Schema):
    items = fields.List(fields.Nested(DraftCommentSchema))


def _reader() -> User:
    user = api_actor()
    if not policy.can_view(user):
        raise Forbidden("Your role does not read draft reviews.", code=policy.NOT_PERMITTED)
    return user


def _visible(review_id: int) -> DraftReview:
    _reader()
    review = queries.get_review(get_session(), review_id)
    if review is None:
        raise NotFound(services.NOT_FOUND)
    return review


PARTICULARS = ("title", "originating_organisation_id", "committee", "version_label", "received_on", "input_due")


@blp.route("")
class DraftReviews(MethodView):
    @blp.arguments(DraftReviewListArgsSchema, location="query")
    @blp.response(200, DraftReviewPageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Draft reviews, newest first; filter by `status`, `overdue=true`, `organisation_id`."""
        _reader()
        filters = queries.Filters(status=args["status"], overdue=args["overdue"],
                                  organisation_id=args["organisation_id"])  # fmt: skip
        rows = queries.list_reviews(get_session(), filters=filters, on=services.today(),
                                    after=decode_cursor(args["cursor"]), limit=args["limit"] + 1)  # fmt: skip
        return page(rows, args["limit"])

    @blp.arguments(DraftReviewCreateSchema)
    @blp.response(201, DraftReviewSchema)
    def post(self, data: dict[str, Any]) -> DraftReview:
        """Register a draft (status `received`): members, secretariat, chair; else 403 not_permitted."""
        session = get_session()
        review = services.submit_draft_review(session, actor=api_actor(), data=services.ReviewInput(**data))
        session.commit()
        return review


@blp.route("/<int:review_id>")
class DraftReviewById(MethodView):
    @blp.response(200, DraftReviewSchema)
    def get(self, review_id: int) -> DraftReview:
        """One draft review."""
        return _visible(review_id)

    @blp.arguments(DraftReviewPatchSchema)
    @blp.response(200, DraftReviewSchema)
    def patch(self, data: dict[str, Any], review_id: int) -> DraftReview:
        """Change the particulars (submitter while open, secretariat, chair) and/or the
        `consolidated_input` (secretariat, chair: else 403 not_keeper). A stale `version` gets 409."""
        session, user = get_session(), api_actor()
        current = _visible(review_id)
        version = data.pop("version")
        consolidated = data.pop("consolidated_input", None)
        if data:
            values = {name: getattr(current, name) for name in PARTICULARS}
            values["reviewer_ids"] = [u.id for u in current.reviewers]
            changed = services.ReviewInput(**{**values, **data})
            services.update_draft_review(session, actor=user, review_id=review_id, version=version, data=changed)
            version = None  # checked once; the same transaction continues
        if consolidated is not None:
            services.save_consolidated_input(session, actor=user, review_id=review_id, version=version,
                                             consolidated_input=consolidated)  # fmt: skip
        session.commit()
        return _visible(review_id)


@blp.route("/<int:review_id>/status")
class DraftReviewStatus(MethodView):
    @blp.arguments(DraftReviewStatusSchema)
    @blp.response(200, DraftReviewSchema)
    def post(self, data: dict[str, Any], review_id: int) -> DraftReview:
        """Move the review: received → under_review → input_returned (needs the consolidated
        input); or went_forward_without_input; closed. 403 not_keeper; 409 on a stale `version`."""
        session = get_session()
        services.set_review_status(session, actor=api_actor(), review_id=review_id, **data)
        session.commit()
        return _visible(review_id)


@blp.route("/<int:review_id>/comments")
class DraftReviewComments(MethodView):
    @blp.response(200, DraftCommentListSchema)
    def get(self, review_id: int) -> dict[str, Any]:
        """The review's comments, oldest first."""
        _visible(review_id)
        return {"items": queries.comments_of(get_session(), review_id)}

    @blp.arguments(DraftCommentSchema)
    @blp.response(201, DraftCommentSchema)
    def post(self, data: dict[str, Any], review_id: int) -> DraftComment:
        """Comment (members, secretariat, chair; the review must be open: else 403 review_closed)."""
        session = get_session()
        comment = services.add_draft_comment(session, actor=api_actor(), review_id=review_id, text=data["text"])
        session.commit()
        return comment
