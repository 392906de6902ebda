"""Channel exception pages: report a contact made outside the channel; the chair reviews."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from crm.authz import actor, require_login, role_required
from crm.db import get_session
from crm.errors import Forbidden, Invalid, NotFound
from crm.exceptions import policy, queries, services
from crm.exceptions.forms import ReportForm, ReviewForm
from crm.exceptions.models import ChannelException, ExceptionStatus
from crm.exports import CSV, EXPORT_LIMIT, XLSX, audited_export
from crm.http import apply_field_errors, db_id, submit_form, writes
from crm.requests.queries import company_choices

bp = Blueprint("exceptions", __name__, url_prefix="/exceptions")
require_login(bp)

PAGE_SIZE = 50
PAGE_ROLES = tuple(policy.REPORT_ROLES)


def _status() -> ExceptionStatus | None:
    status = request.args.get("status", "")
    return ExceptionStatus(status) if status in {s.value for s in ExceptionStatus} else None


@bp.route("")
@role_required(*PAGE_ROLES)
def index() -> str:
    user = actor()
    status = request.args.get("status", "")
    rows = queries.list_exceptions(
        get_session(), reported_by_id=None if policy.sees_all(user) else user.id, status=_status(),
        before_id=request.args.get("before", type=db_id), newest_first=True, limit=PAGE_SIZE + 1,
    )  # fmt: skip
    return render_template(
        "exceptions/index.html", rows=rows[:PAGE_SIZE], sees_all=policy.sees_all(user), status=status,
        next_before=rows[PAGE_SIZE - 1].id if len(rows) > PAGE_SIZE else None, can_report=policy.can_report(user),
    )  # fmt: skip


EXPORT_HEADER = ("Id", "Occurred", "Company", "Who", "Organisation", "What", "Status", "Reported by",
                 "Reported (PKT)", "Reviewed by", "Reviewed (PKT)", "Review note")  # fmt: skip


@bp.route("/export.xlsx", defaults=XLSX)
@bp.route("/export.csv", defaults=CSV)
@role_required(*PAGE_ROLES)
@writes
def export(fmt: str) -> Response:
    """The reports the viewer sees (all, or their own), newest first, audited as an export (R8)."""
    user, session, status = actor(), get_session(), _status()
    found = queries.list_exceptions(session, reported_by_id=None if policy.sees_all(user) else user.id,
                                    status=status, newest_first=True, limit=EXPORT_LIMIT)  # fmt: skip
    rows = [(e.id, e.occurred_on, e.company.name, e.who, e.organisation.short_name if e.organisation else "", e.what,
             e.status, e.reported_by.full_name, e.created_at, e.reviewed_by.full_name if e.reviewed_by else "",
             e.reviewed_at, e.review_note) for e in found]  # fmt: skip
    wanted = {"status": status.value if status else None}
    return audited_export(session, register="channel_exceptions", fmt=fmt, filters=wanted, header=EXPORT_HEADER,
                          rows=rows)  # fmt: skip


def _report_form() -> ReportForm:
    session = get_session()
    form = ReportForm()
    if request.method == "GET":
        form.company_id.data = request.args.get("company_id", type=db_id)
    form.company_id.choices = [SelectChoice(i, name) for i, name in company_choices(session)]
    organisations = queries.organisation_choices(session)
    form.organisation_id.choices = [SelectChoice("", "Not known / not a listed body")] + [
        SelectChoice(i, label) for i, label in organisations
    ]
    return form


@bp.route("/new", methods=["GET", "POST"])
@role_required(*PAGE_ROLES)
def new() -> Response | str:
    form = _report_form()
    if form.validate_on_submit() and form.occurred_on.data is not None:
        session = get_session()
        try:
            with session.begin_nested():
                report = services.report_exception(
                    session, actor=actor(), company_id=form.company_id.data, who=form.who.data or "",
                    organisation_id=form.organisation_id.data, occurred_on=form.occurred_on.data,
                    what=form.what.data or "",
                )  # fmt: skip
        except Invalid as error:
            apply_field_errors(form, error.fields)
        else:
            session.commit()
            flash("Thank you. The report is filed for the chair's review.", "success")
            return redirect(url_for("exceptions.detail", exception_id=report.id))
    return render_template("exceptions/new.html", form=form)


def _visible(exception_id: int) -> ChannelException:
    report = queries.get_exception(get_session(), exception_id)
    if report is None or not policy.can_view(actor(), report):
        raise NotFound("There is no such channel exception.")
    return report


def _detail(exception_id: int, *, form: ReviewForm | None = None, conflict: bool = False) -> str:
    report = _visible(exception_id)
    form = form or ReviewForm(formdata=None, version=report.version)
    if conflict:
        form.version.data = report.version
    can_review = policy.can_review(actor()) and report.status is ExceptionStatus.OPEN
    return render_template("exceptions/detail.html", report=report, form=form, can_review=can_review,
                           conflict=conflict)  # fmt: skip


@bp.route("/<int:exception_id>")
@role_required(*PAGE_ROLES)
def detail(exception_id: int) -> str:
    return _detail(exception_id)


@bp.route("/<int:exception_id>/review", methods=["POST"])
@role_required(*PAGE_ROLES)
def review(exception_id: int) -> Response | str | tuple[str, int]:
    if not policy.can_review(actor()):
        raise Forbidden("Only the chair reviews channel exceptions.", code=policy.NOT_CHAIR)
    form = ReviewForm()
    saved, outcome = submit_form(
        form,
        lambda session: services.review_exception(
            session, actor=actor(), exception_id=exception_id, note=form.note.data or "", version=form.version.data
        ),
        lambda **kw: _detail(exception_id, form=form, **kw),
    )
    if not saved:
        return outcome
    flash("Reviewed.", "success")
    return redirect(url_for("exceptions.detail", exception_id=exception_id))
