"""Directive pages: the tracker as the PMO's table (with filters), a directive with its progress
reports and files, creating and editing, status, superseding, progress reports, milestones,
and the printable progress report for the PMO (HTML and PDF)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse
from wtforms.fields.choices import SelectChoice

from crm.accounts.models import User
from crm.authz import actor, require_login
from crm.db import get_session
from crm.directives import policy, queries, report, services
from crm.directives.forms import DirectiveForm, MilestoneForm, ProgressForm, StatusForm, SupersedeForm
from crm.directives.models import Directive, DirectiveStatus, Milestone
from crm.errors import Forbidden, Invalid, NotFound
from crm.exports import CSV, XLSX, audited_export
from crm.http import db_id, send_stored_file, store_upload, submit_form, url_if_exists, writes
from crm.organisations.queries import list_organisations

bp = Blueprint("directives", __name__, url_prefix="/directives")
require_login(bp)

Page = BaseResponse | str | tuple[str, int]


@bp.before_request
def _readers_only() -> None:
    if not policy.can_view(actor()):
        raise Forbidden("The directives tracker is for the chair, the secretariat, members and observers.")


def _filters() -> queries.Filters:
    args = request.args
    return queries.Filters(
        today=services.today_in_pakistan(), status=args.get("status", type=DirectiveStatus),
        overdue=args.get("overdue") == "1", organisation_id=args.get("organisation_id", type=db_id),
        source_ref=args.get("source_ref") or None,
    )  # fmt: skip


def _table(session: Any, filters: queries.Filters) -> dict[str, Any]:
    rows = queries.tracker(session, filters=filters)
    return {"rows": rows, "latest": queries.latest_reports(session, [d.id for d in rows]), "today": filters.today,
            "superseded_by": queries.superseding(session, rows)}  # fmt: skip


@bp.route("")
def tracker() -> str:
    session, filters, user = get_session(), _filters(), actor()
    return render_template(
        "directives/tracker.html", **_table(session, filters), filters=filters, statuses=list(DirectiveStatus),
        organisations=list_organisations(session), letters=queries.source_refs(session),
        can_keep=policy.can_keep(user), milestones=queries.milestones(session),
        query={k: v for k, v in request.args.items()}, nominations_url=url_if_exists("governance.nominations"),
        recommendations_url=url_if_exists("governance.recommendations"),
    )  # fmt: skip


EXPORT_HEADER = ("Letter", "Letter date", "Serial", "Direction", "Timeline", "Due", "Action by", "Status",
                 "Reason for delay", "Latest progress", "Latest progress date")  # fmt: skip


@bp.route("/export.xlsx", defaults=XLSX)
@bp.route("/export.csv", defaults=CSV)
@writes
def export(fmt: str) -> BaseResponse:
    """The filtered tracker in the letter's order, with the latest progress, audited (R8)."""
    session, filters = get_session(), _filters()
    table = _table(session, filters)
    rows = []
    for d in table["rows"]:
        latest = table["latest"].get(d.id)
        rows.append((d.source_ref, d.source_date, d.serial, d.text, d.timeline_text, d.due_date,
                     d.action_by_text or "; ".join(o.short_name for o in d.organisations), d.status, d.delay_reason,
                     latest.text if latest else "", latest.reported_on if latest else None))  # fmt: skip
    wanted = {name: request.args.get(name) for name in ("status", "overdue", "organisation_id", "source_ref")}
    return audited_export(session, register="directives", fmt=fmt, filters=wanted, header=EXPORT_HEADER, rows=rows)


def _marking() -> str:
    return "UNCLASSIFIED" if request.args.get("marking") == "unclassified" else "RESTRICTED"


@bp.route("/report")
@writes
def progress_report() -> str:
    """The progress report for the PMO in the letter's table layout (print it from the browser)."""
    session, filters = get_session(), _filters()
    table = _table(session, filters)
    services.record_report_export(session, actor=actor(), kind="html", rows=len(table["rows"]))
    session.commit()
    return render_template("directives/report.html", **table, marking=_marking(), filters=filters,
                           query={k: v for k, v in request.args.items()})  # fmt: skip


@bp.route("/report.pdf")
@writes
def progress_report_pdf() -> Response:
    session, filters = get_session(), _filters()
    table = _table(session, filters)
    services.record_report_export(session, actor=actor(), kind="pdf", rows=len(table["rows"]))
    session.commit()
    data = report.progress_pdf(table["rows"], table["latest"], filters.today, _marking())
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="directives-progress-{filters.today}.pdf"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


# Creating and editing.


def _require_keeper() -> User:
    user = actor()
    if not policy.can_keep(user):
        raise Forbidden(services.KEEPERS_ONLY, code=policy.NOT_PERMITTED)
    return user


def _directive_form(directive: Directive | None = None) -> DirectiveForm:
    form = DirectiveForm(obj=directive if request.method == "GET" else None)
    if request.method == "GET" and directive is not None:
        form.organisation_ids.data = [o.id for o in directive.organisations]
    elif request.method == "GET":
        letter = services.reference_letter()["letter"]
        form.source_ref.data, form.source_date.data = letter["source_ref"], date.fromisoformat(letter["source_date"])
    form.organisation_ids.choices = [SelectChoice(o.id, f"{o.short_name} — {o.name}")
                                     for o in list_organisations(get_session())]  # fmt: skip
    return form


@bp.route("/new", methods=["GET", "POST"])
def new() -> Page:
    user, form = _require_keeper(), _directive_form()
    saved, outcome = submit_form(
        form, lambda session: services.create_directive(session, actor=user, data=form.to_input()),
        lambda **kw: render_template("directives/form.html", form=form, directive=None, **kw),
    )  # fmt: skip
    if not saved:
        return outcome
    flash(f"Direction {outcome.serial} is recorded.", "success")
    return redirect(url_for("directives.detail", directive_id=outcome.id))


def _directive(directive_id: int) -> Directive:
    directive = queries.get_directive(get_session(), directive_id)
    if directive is None:
        raise NotFound("There is no such directive.")
    return directive


def _edit_page(directive_id: int, form: DirectiveForm, conflict: bool = False) -> str:
    directive = _directive(directive_id)
    if conflict:
        form.version.data = directive.version
    current_url = url_for("directives.detail", directive_id=directive_id)
    return render_template("directives/form.html", form=form, directive=directive, conflict=conflict,
                           current_url=current_url)  # fmt: skip


@bp.route("/<int:directive_id>/edit", methods=["GET", "POST"])
def edit(directive_id: int) -> Page:
    user, form = _require_keeper(), _directive_form(_directive(directive_id))
    saved, outcome = submit_form(
        form, lambda session: services.update_directive(session, actor=user, directive_id=directive_id,
                                                         version=form.version.data, data=form.to_input()),
        lambda **kw: _edit_page(directive_id, form, **kw),
    )  # fmt: skip
    if not saved:
        return outcome
    flash("The directive is saved.", "success")
    return redirect(url_for("directives.detail", directive_id=directive_id))


# One directive.


def _organisation_choices(user: User, directive: Directive) -> list[SelectChoice]:
    """Keepers report for any organisation (the action-by ones first); members for their own."""
    if policy.can_keep(user):
        action_by = [(o.id, o.short_name) for o in directive.organisations]
        others = [(o.id, o.short_name) for o in list_organisations(get_session()) if o not in directive.organisations]
        return [SelectChoice(i, name) for i, name in action_by + others]
    return [SelectChoice(user.organisation_id, user.organisation.short_name)]


def _detail_page(directive_id: int, *, status: StatusForm | None = None, progress: ProgressForm | None = None,
                 supersede: SupersedeForm | None = None, conflict: bool = False) -> str:  # fmt: skip
    session, user, directive = get_session(), actor(), _directive(directive_id)
    version = {"version": directive.version}
    status = status or StatusForm(formdata=None, status=directive.status.value,
                                  delay_reason=directive.delay_reason, **version)  # fmt: skip
    progress = progress or ProgressForm(formdata=None, organisation_id=user.organisation_id)
    progress.organisation_id.choices = _organisation_choices(user, directive)
    supersede = supersede or SupersedeForm(formdata=None, **version)
    supersede.superseded_by_id.choices = [SelectChoice("", "None (withdrawn)")] + [
        SelectChoice(*c) for c in queries.directive_choices(session, exclude_id=directive_id)]  # fmt: skip
    reports = queries.reports_of(session, directive_id)
    org_ids = {o.id for o in directive.organisations}
    return render_template(
        "directives/detail.html", directive=directive, reports=reports, today=services.today_in_pakistan(),
        files=queries.files_of(session, [r.id for r in reports]), status_form=status, progress_form=progress,
        supersede_form=supersede, can_keep=policy.can_keep(user), can_report=policy.can_report(user, org_ids),
        superseded_by=queries.superseding(session, [directive]), conflict=conflict,
        current_url=url_for("directives.detail", directive_id=directive_id),
    )  # fmt: skip


@bp.route("/<int:directive_id>")
def detail(directive_id: int) -> str:
    return _detail_page(directive_id)


def _done(saved: bool, outcome: Any, message: str, directive_id: int) -> Page:
    if not saved:
        return outcome
    flash(message, "success")
    return redirect(url_for("directives.detail", directive_id=directive_id))


@bp.route("/<int:directive_id>/status", methods=["POST"])
def change_status(directive_id: int) -> Page:
    form = StatusForm()
    saved, outcome = submit_form(
        form, lambda session: services.change_status(
            session, actor=actor(), directive_id=directive_id, version=form.version.data,
            status=DirectiveStatus(form.status.data), delay_reason=form.delay_reason.data or ""),
        lambda **kw: _detail_page(directive_id, status=form, **kw),
    )  # fmt: skip
    return _done(saved, outcome, "The status is recorded.", directive_id)


@bp.route("/<int:directive_id>/supersede", methods=["POST"])
def supersede(directive_id: int) -> Page:
    form = SupersedeForm()
    saved, outcome = submit_form(
        form, lambda session: services.supersede_directive(
            session, actor=actor(), directive_id=directive_id, version=form.version.data,
            superseded_by_id=form.superseded_by_id.data, note=form.note.data or ""),
        lambda **kw: _detail_page(directive_id, supersede=form, **kw),
    )  # fmt: skip
    return _done(saved, outcome, "The directive is marked superseded.", directive_id)


@bp.route("/<int:directive_id>/progress", methods=["POST"])
def add_progress(directive_id: int) -> Page:
    user, directive = actor(), _directive(directive_id)
    if not policy.can_report(user, {o.id for o in directive.organisations}):  # refuse before storing any byte
        raise Forbidden("Only the organisations this directive is for, the chair and the secretariat report "
                        "progress on it.", code=policy.NOT_ACTION_BY)  # fmt: skip
    form = ProgressForm()
    saved, outcome = submit_form(
        form, lambda session: services.add_progress_report(
            session, actor=user, directive_id=directive_id, organisation_id=form.organisation_id.data or 0,
            text=lines(form.text.data), reported_on=form.reported_on.data, files=_stored_files(form)),
        lambda **kw: _detail_page(directive_id, progress=form, **kw),
    )  # fmt: skip
    return _done(saved, outcome, "The progress report is added.", directive_id)


def lines(value: str | None) -> str:
    return (value or "").replace("\r\n", "\n")


def _stored_files(form: ProgressForm) -> list[Any]:
    """Store the uploads (Invalid on the `files` field for an empty, too large or refused file)."""
    uploads = [f for f in form.files.data or [] if getattr(f, "filename", "")]
    try:
        return [store_upload(f) for f in uploads]
    except Invalid as error:
        raise Invalid(error.message, fields={"files": error.fields.get("file", [error.message])}) from error


@bp.route("/files/<int:attachment_id>")
@writes
def download(attachment_id: int) -> Response:
    """A progress report's file, audited, always as a download, never rendered."""
    session = get_session()
    return send_stored_file(session, services.open_progress_file(session, actor=actor(), attachment_id=attachment_id))


# Milestones.


@bp.route("/milestones", methods=["GET", "POST"])
def milestones() -> Page:
    user, form = _require_keeper(), MilestoneForm()
    saved, outcome = submit_form(
        form, lambda session: services.record_milestone(
            session, actor=user, milestone=Milestone(form.milestone.data), occurred_on=form.occurred_on.data,
            note=form.note.data or ""),
        lambda **kw: render_template("directives/milestones.html", form=form,
                                     recorded=queries.milestones(get_session()), **kw),
    )  # fmt: skip
    if not saved:
        return outcome
    record, changed = outcome
    flash(f"{record.key.label} is recorded; {len(changed)} due date(s) resolved.", "success")
    return redirect(url_for("directives.tracker"))
