"""Data request pages: the list (late requests in words), the form to ask and edit, the
request's page with the organisation's responses and files, and the status.

Handlers are thin: parse → service (in a savepoint, via crm.http.submit_form) → commit once.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from crm.authz import actor, require_login
from crm.datarequests import policy, queries, services
from crm.datarequests.forms import EditRequestForm, RequestForm, ResponseForm, StatusForm
from crm.datarequests.models import DataRequest, DataRequestStatus
from crm.datarequests.queries import Filters
from crm.db import get_session
from crm.errors import Forbidden, NotFound
from crm.exports import CSV, EXPORT_LIMIT, XLSX, audited_export
from crm.http import db_id, send_stored_file, store_upload, submit_form, writes
from crm.organisations.queries import list_organisations

bp = Blueprint("datarequests", __name__)
require_login(bp)

Page = Response | str | tuple[str, int]
NONE_CHOICE = SelectChoice("", "— None —")


@bp.before_request
def _readers_only() -> None:
    """An admin's role is accounts: data requests are for the content roles (after the login guard)."""
    if not policy.can_view(actor()):
        raise Forbidden("Your role does not read data requests.", code=policy.NOT_PERMITTED)


def _require_keeper() -> None:
    refusal = policy.keeper_refusal(actor())
    if refusal:
        raise Forbidden(policy.REFUSAL_MESSAGES[refusal], code=refusal)


def _filters() -> Filters:
    raw = request.args.get("status", "")
    status = next((s for s in DataRequestStatus if s.value == raw), None)
    return Filters(status=status, late=raw == "late", organisation_id=request.args.get("organisation_id", type=db_id))


@bp.route("/data-requests")
def index() -> str:
    session, filters, today = get_session(), _filters(), services.today()
    after = request.args.get("after", type=db_id)
    rows = queries.list_requests(session, filters=filters, on=today, after=after, limit=queries.PAGE_SIZE + 1)
    shown = rows[: queries.PAGE_SIZE]
    return render_template(
        "datarequests/index.html", rows=shown, filters=filters, today=today, counts=queries.counts(session, on=today),
        next_after=shown[-1].id if len(rows) > queries.PAGE_SIZE else None, paged=after is not None,
        statuses=list(DataRequestStatus), organisations=list_organisations(session),
        can_ask=policy.keeper_refusal(actor()) is None,
    )  # fmt: skip


EXPORT_HEADER = ("Id", "Title", "Requested from", "What", "Purpose", "Due", "Status", "Asked (PKT)")


@bp.route("/data-requests.xlsx", defaults=XLSX)
@bp.route("/data-requests.csv", defaults=CSV)
@writes
def export(fmt: str) -> Response:
    """The filtered list, newest first, audited as an export (R8)."""
    session, filters, today = get_session(), _filters(), services.today()
    found = queries.list_requests(session, filters=filters, on=today, limit=EXPORT_LIMIT)
    rows = [(r.id, r.title, r.requested_from.short_name, r.details, r.purpose, r.due_date, r.status, r.created_at)
            for r in found]  # fmt: skip
    wanted = {"status": request.args.get("status"), "organisation_id": filters.organisation_id}
    return audited_export(session, register="data_requests", fmt=fmt, filters=wanted, header=EXPORT_HEADER, rows=rows)


def _set_choices(session: Session, form: RequestForm) -> None:
    form.requested_from_id.choices = [SelectChoice("", "Choose an organisation")] + [
        SelectChoice(o.id, f"{o.short_name} — {o.name}") for o in list_organisations(session)
    ]
    form.directive_id.choices = [NONE_CHOICE] + [SelectChoice(i, t) for i, t in queries.directive_choices(session)]
    form.thread_id.choices = [NONE_CHOICE] + [SelectChoice(i, t) for i, t in queries.thread_choices(session)]


def _input(form: RequestForm) -> services.RequestInput:
    return services.RequestInput(
        requested_from_id=form.requested_from_id.data or 0, title=form.title.data or "",
        details=form.details.data or "", purpose=form.purpose.data or "", due_date=form.due_date.data,
        directive_id=form.directive_id.data, thread_id=form.thread_id.data,
    )  # fmt: skip


@bp.route("/data-requests/new", methods=["GET", "POST"])
def new() -> Page:
    session = get_session()
    _require_keeper()
    form = RequestForm(directive_id=request.args.get("directive_id", type=db_id),
                       thread_id=request.args.get("thread_id", type=db_id))  # fmt: skip
    _set_choices(session, form)
    saved, outcome = submit_form(
        form,
        lambda s: services.create_data_request(s, actor=actor(), data=_input(form)),
        lambda **kw: render_template("datarequests/form.html", form=form, item=None),
    )
    if not saved:
        return outcome
    flash("The data request is filed.", "success")
    return redirect(url_for("datarequests.detail", request_id=outcome.id))


def _request_or_404(session: Session, request_id: int) -> DataRequest:
    item = queries.get_request(session, request_id)
    if item is None:
        raise NotFound(services.NOT_FOUND)
    return item


def _edit_page(form: EditRequestForm, request_id: int, *, conflict: bool = False) -> str:
    item = _request_or_404(get_session(), request_id)
    if conflict:
        form.version.data, form.version.raw_data = item.version, [str(item.version)]
    return render_template("datarequests/form.html", form=form, item=item, conflict=conflict,
                           current_url=url_for("datarequests.detail", request_id=request_id))  # fmt: skip


@bp.route("/data-requests/<int:request_id>/edit", methods=["GET", "POST"])
def edit(request_id: int) -> Page:
    session = get_session()
    item = _request_or_404(session, request_id)
    _require_keeper()
    form = EditRequestForm() if request.method == "POST" else EditRequestForm(obj=item)
    _set_choices(session, form)
    saved, outcome = submit_form(
        form,
        lambda s: services.update_data_request(
            s, actor=actor(), request_id=request_id, version=form.version.data, data=_input(form)
        ),  # fmt: skip
        lambda **kw: _edit_page(form, request_id, **kw),
    )
    if not saved:
        return outcome
    flash("The data request is saved.", "success")
    return redirect(url_for("datarequests.detail", request_id=request_id))


def _detail_page(request_id: int, *, conflict: bool = False, **forms: Any) -> str:
    session, user = get_session(), actor()
    detail = queries.get_detail(session, request_id)
    if detail is None:
        raise NotFound(services.NOT_FOUND)
    status_form = forms.get("status_form") or StatusForm(version=detail.request.version)
    if conflict:
        status_form.version.data = detail.request.version
        status_form.version.raw_data = [str(detail.request.version)]
    return render_template(
        "datarequests/detail.html", detail=detail, item=detail.request, today=services.today(), conflict=conflict,
        response_form=forms.get("response_form") or ResponseForm(), status_form=status_form,
        can_respond=policy.respond_refusal(user, detail.request) is None,
        is_keeper=policy.keeper_refusal(user) is None,
        current_url=url_for("datarequests.detail", request_id=request_id),
    )  # fmt: skip


@bp.route("/data-requests/<int:request_id>")
def detail(request_id: int) -> str:
    return _detail_page(request_id)


@bp.route("/data-requests/<int:request_id>/responses", methods=["POST"])
def respond(request_id: int) -> Page:
    session = get_session()
    refusal = policy.respond_refusal(actor(), _request_or_404(session, request_id))
    if refusal:  # refuse before storing any byte
        raise Forbidden(policy.REFUSAL_MESSAGES[refusal], code=refusal)
    form = ResponseForm()

    def save(s: Session) -> Any:
        upload = form.file.data
        stored = store_upload(upload) if getattr(upload, "filename", "") else None
        return services.respond_to_data_request(s, actor=actor(), request_id=request_id, text=form.text.data or "",
                                                stored=stored)  # fmt: skip

    saved, outcome = submit_form(form, save, lambda **kw: _detail_page(request_id, response_form=form, **kw))
    if not saved:
        return outcome
    flash("Your organisation's response is sent to the group.", "success")
    return redirect(url_for("datarequests.detail", request_id=request_id, _anchor="responses"))


@bp.route("/data-requests/<int:request_id>/status", methods=["POST"])
def status(request_id: int) -> Page:
    form = StatusForm()
    saved, outcome = submit_form(
        form,
        lambda s: services.set_data_request_status(
            s,
            actor=actor(),
            request_id=request_id,
            version=form.version.data,
            status=DataRequestStatus(form.status.data),
        ),  # fmt: skip
        lambda **kw: _detail_page(request_id, status_form=form, **kw),
    )
    if not saved:
        return outcome
    flash(f"The request is now {outcome.status.label.lower()}.", "success")
    return redirect(url_for("datarequests.detail", request_id=request_id))


@bp.route("/data-requests/files/<int:attachment_id>")
@writes
def download(attachment_id: int) -> Response:
    """A response's file (its read audited), always as a download, never rendered."""
    session = get_session()
    return send_stored_file(session, services.open_response_file(session, actor=actor(), attachment_id=attachment_id))
