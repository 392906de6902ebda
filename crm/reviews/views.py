"""Draft review pages: the list (with drafts that went forward without the group's input), the
form to register and edit a draft, its page with comments, consolidated input, status and files.

Handlers are thin: parse → service (in a savepoint, via crm.http.submit_form) → commit once.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from crm.authz import actor, require_login
from crm.db import get_session
from crm.errors import Forbidden, NotFound
from crm.exports import CSV, EXPORT_LIMIT, XLSX, audited_export
from crm.http import db_id, send_stored_file, store_upload, submit_form, writes
from crm.organisations.queries import list_organisations
from crm.reviews import policy, queries, services
from crm.reviews.forms import CommentForm, ConsolidateForm, EditReviewForm, FileForm, ReviewForm, StatusForm
from crm.reviews.models import DraftReview, ReviewStatus
from crm.reviews.queries import Filters

bp = Blueprint("reviews", __name__)
require_login(bp)

Page = Response | str | tuple[str, int]


@bp.before_request
def _readers_only() -> None:
    """An admin's role is accounts: draft reviews are for the content roles (after the login guard)."""
    if not policy.can_view(actor()):
        raise Forbidden("Your role does not read draft reviews.", code=policy.NOT_PERMITTED)


def _filters() -> Filters:
    raw = request.args.get("status", "")
    status = next((s for s in ReviewStatus if s.value == raw), None)
    return Filters(status=status, overdue=raw == "overdue",
                   organisation_id=request.args.get("organisation_id", type=db_id))  # fmt: skip


@bp.route("/draft-reviews")
def index() -> str:
    session, filters, today = get_session(), _filters(), services.today()
    after = request.args.get("after", type=db_id)
    rows = queries.list_reviews(session, filters=filters, on=today, after=after, limit=queries.PAGE_SIZE + 1)
    shown = rows[: queries.PAGE_SIZE]
    return render_template(
        "reviews/index.html", rows=shown, filters=filters, today=today, counts=queries.counts(session, on=today),
        next_after=shown[-1].id if len(rows) > queries.PAGE_SIZE else None, paged=after is not None,
        statuses=list(ReviewStatus), organisations=list_organisations(session), is_overdue=queries.is_overdue,
        can_submit=policy.submit_refusal(actor()) is None,
    )  # fmt: skip


EXPORT_HEADER = ("Id", "Title", "Originating body", "Committee", "Version", "Received", "Input due", "Overdue",
                 "Status", "Returned", "Reviewers")  # fmt: skip


@bp.route("/draft-reviews.xlsx", defaults=XLSX)
@bp.route("/draft-reviews.csv", defaults=CSV)
@writes
def export(fmt: str) -> Response:
    """The filtered list, newest first, audited as an export (R8)."""
    session, filters, today = get_session(), _filters(), services.today()
    found = queries.list_reviews(session, filters=filters, on=today, limit=EXPORT_LIMIT)
    rows = [(r.id, r.title, r.originating_organisation.short_name, r.committee, r.version_label, r.received_on,
             r.input_due, queries.is_overdue(r, today), r.status, r.returned_on,
             "; ".join(u.full_name for u in r.reviewers)) for r in found]  # fmt: skip
    wanted = {"status": request.args.get("status"), "organisation_id": filters.organisation_id}
    return audited_export(session, register="draft_reviews", fmt=fmt, filters=wanted, header=EXPORT_HEADER, rows=rows)


def _set_choices(session: Session, form: ReviewForm) -> None:
    form.originating_organisation_id.choices = [SelectChoice("", "Choose an organisation")] + [
        SelectChoice(o.id, f"{o.short_name} — {o.name}") for o in list_organisations(session)
    ]
    form.reviewer_ids.choices = [
        SelectChoice(u.id, f"{u.full_name} ({u.organisation.short_name})") for u in queries.reviewer_choices(session)
    ]


def _input(form: ReviewForm) -> services.ReviewInput:
    return services.ReviewInput(
        title=form.title.data or "", originating_organisation_id=form.originating_organisation_id.data or 0,
        received_on=form.received_on.data, committee=form.committee.data or "",
        version_label=form.version_label.data or "", input_due=form.input_due.data,
        reviewer_ids=list(form.reviewer_ids.data or []),
    )  # fmt: skip


def _submit(session: Session, form: ReviewForm) -> DraftReview:
    review = services.submit_draft_review(session, actor=actor(), data=_input(form))
    upload = form.file.data
    if upload is not None and bool(getattr(upload, "filename", None)):
        stored = store_upload(upload)
        services.attach_draft_file(session, actor=actor(), review_id=review.id, stored=stored)
    return review


@bp.route("/draft-reviews/new", methods=["GET", "POST"])
def new() -> Page:
    session = get_session()
    refusal = policy.submit_refusal(actor())
    if refusal:
        raise Forbidden(policy.REFUSAL_MESSAGES[refusal], code=refusal)
    form = ReviewForm(received_on=services.today(), originating_organisation_id=actor().organisation_id)
    _set_choices(session, form)
    saved, outcome = submit_form(
        form, lambda s: _submit(s, form), lambda **kw: render_template("reviews/form.html", form=form, review=None)
    )
    if not saved:
        return outcome
    flash(f"The draft “{outcome.title}” is registered for the group's input.", "success")
    return redirect(url_for("reviews.detail", review_id=outcome.id))


def _review_or_404(session: Session, review_id: int) -> DraftReview:
    review = queries.get_review(session, review_id)
    if review is None:
        raise NotFound(services.NOT_FOUND)
    return review


def _carry_version(form: Any, review_id: int) -> None:
    """After a conflict the form carries the current version: saving again is deliberate (R7)."""
    version = _review_or_404(get_session(), review_id).version
    form.version.data, form.version.raw_data = version, [str(version)]


def _edit_page(form: EditReviewForm, review_id: int, *, conflict: bool = False) -> str:
    if conflict:
        _carry_version(form, review_id)
    return render_template("reviews/form.html", form=form, review=_review_or_404(get_session(), review_id),
                           conflict=conflict, current_url=url_for("reviews.detail", review_id=review_id))  # fmt: skip


@bp.route("/draft-reviews/<int:review_id>/edit", methods=["GET", "POST"])
def edit(review_id: int) -> Page:
    session = get_session()
    review = _review_or_404(session, review_id)
    refusal = policy.edit_refusal(actor(), review)
    if refusal:
        raise Forbidden(policy.REFUSAL_MESSAGES[refusal], code=refusal)
    form = EditReviewForm() if request.method == "POST" else EditReviewForm(
        obj=review, reviewer_ids=[u.id for u in review.reviewers])  # fmt: skip
    _set_choices(session, form)
    saved, outcome = submit_form(
        form,
        lambda s: services.update_draft_review(
            s, actor=actor(), review_id=review_id, version=form.version.data, data=_input(form)
        ),  # fmt: skip
        lambda **kw: _edit_page(form, review_id, **kw),
    )
    if not saved:
        return outcome
    flash("The draft review is saved.", "success")
    return redirect(url_for("reviews.detail", review_id=review_id))


def _detail_page(review_id: int, *, conflict: bool = False, **forms: Any) -> str:
    session, user = get_session(), actor()
    review = _review_or_404(session, review_id)
    consolidate = forms.get("consolidate_form") or ConsolidateForm(obj=review)
    status = forms.get("status_form") or StatusForm(version=review.version)
    if conflict:
        for form in (consolidate, status):
            form.version.data, form.version.raw_data = review.version, [str(review.version)]
    return render_template(
        "reviews/detail.html", review=review, today=services.today(), conflict=conflict,
        overdue=queries.is_overdue(review, services.today()), comments=queries.comments_of(session, review_id),
        files=queries.files_of(session, review_id), comment_form=forms.get("comment_form") or CommentForm(),
        consolidate_form=consolidate, status_form=status, file_form=forms.get("file_form") or FileForm(),
        can_edit=policy.edit_refusal(user, review) is None, can_comment=policy.comment_refusal(user, review) is None,
        is_keeper=policy.is_keeper(user), current_url=url_for("reviews.detail", review_id=review_id),
    )  # fmt: skip


@bp.route("/draft-reviews/<int:review_id>")
def detail(review_id: int) -> str:
    return _detail_page(review_id)


def _done(message: str, review_id: int, anchor: str) -> Response:
    flash(message, "success")
    return redirect(url_for("reviews.detail", review_id=review_id, _anchor=anchor))


@bp.route("/draft-reviews/<int:review_id>/comments", methods=["POST"])
def comment(review_id: int) -> Page:
    form = CommentForm()
    saved, outcome = submit_form(
        form,
        lambda s: services.add_draft_comment(s, actor=actor(), review_id=review_id, text=form.text.data or ""),
        lambda **kw: _detail_page(review_id, comment_form=form, **kw),
    )
    return _done("Your comment is added.", review_id, "comments") if saved else outcome


@bp.route("/draft-reviews/<int:review_id>/consolidate", methods=["POST"])
def consolidate(review_id: int) -> Page:
    form = ConsolidateForm()
    saved, outcome = submit_form(
        form,
        lambda s: services.save_consolidated_input(
            s,
            actor=actor(),
            review_id=review_id,
            version=form.version.data,
            consolidated_input=form.consolidated_input.data or "",
        ),  # fmt: skip
        lambda **kw: _detail_page(review_id, consolidate_form=form, **kw),
    )
    return _done("The consolidated input is saved.", review_id, "input") if saved else outcome


@bp.route("/draft-reviews/<int:review_id>/status", methods=["POST"])
def status(review_id: int) -> Page:
    form = StatusForm()
    saved, outcome = submit_form(
        form,
        lambda s: services.set_review_status(
            s,
            actor=actor(),
            review_id=review_id,
            version=form.version.data,
            status=ReviewStatus(form.status.data),
            returned_on=form.returned_on.data,
        ),  # fmt: skip
        lambda **kw: _detail_page(review_id, status_form=form, **kw),
    )
    return _done(f"The review is now “{outcome.status.label.lower()}”.", review_id, "status") if saved else outcome


@bp.route("/draft-reviews/<int:review_id>/files", methods=["POST"])
def upload(review_id: int) -> Page:
    session = get_session()
    refusal = policy.edit_refusal(actor(), _review_or_404(session, review_id))
    if refusal:  # refuse before storing any byte
        raise Forbidden(policy.REFUSAL_MESSAGES[refusal], code=refusal)
    form = FileForm()

    def save(s: Session) -> Any:
        stored = store_upload(form.file.data)
        return services.attach_draft_file(s, actor=actor(), review_id=review_id, stored=stored)

    saved, outcome = submit_form(form, save, lambda **kw: _detail_page(review_id, file_form=form, **kw))
    return _done(f"{outcome.filename} is attached.", review_id, "files") if saved else outcome


@bp.route("/draft-reviews/files/<int:attachment_id>")
@writes
def download(attachment_id: int) -> Response:
    """A draft's file (its read audited), always as a download, never rendered."""
    session = get_session()
    return send_stored_file(session, services.open_draft_file(session, actor=actor(), attachment_id=attachment_id))
