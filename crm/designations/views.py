"""Designation pages (R1): the current holders and history for everyone; recording and ending for the chair."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from crm.accounts.models import Role
from crm.authz import actor, require_login, role_required
from crm.db import get_session
from crm.designations import policy, queries, services
from crm.designations.forms import DesignateForm, EndDesignationForm
from crm.designations.models import Designation, DesignationKind
from crm.errors import Conflict, Invalid, NotFound
from crm.exports import CSV, EXPORT_LIMIT, XLSX, audited_export
from crm.formatting import KARACHI
from crm.http import apply_field_errors, db_id, writes

bp = Blueprint("designations", __name__, url_prefix="/designations")
require_login(bp)

PAGE_SIZE = 50


@bp.route("")
def index() -> str:
    session = get_session()
    before = request.args.get("before", type=db_id)
    rows = queries.list_designations(session, before_id=before, newest_first=True, limit=PAGE_SIZE + 1)
    return render_template(
        "designations/index.html",
        holders=queries.current_holders(session),
        history=rows[:PAGE_SIZE],
        next_before=rows[PAGE_SIZE - 1].id if len(rows) > PAGE_SIZE else None,
        can_record=policy.can_record_designation(actor()),
        kinds=list(DesignationKind),
    )


EXPORT_HEADER = ("Id", "Kind", "Holder", "Organisation", "Effective from (PKT)", "Ended (PKT)", "Approval reference",
                 "Recorded by")  # fmt: skip


@bp.route("/export.xlsx", defaults=XLSX)
@bp.route("/export.csv", defaults=CSV)
@writes
def export(fmt: str) -> Response:
    """The whole history (newest first), audited as an export (R8)."""
    session = get_session()
    found = queries.list_designations(session, newest_first=True, limit=EXPORT_LIMIT)
    rows = [(d.id, d.kind, d.user.full_name, d.user.organisation.short_name, d.effective_from, d.ended_at,
             d.approval_ref, d.recorded_by.full_name) for d in found]  # fmt: skip
    return audited_export(session, register="designations", fmt=fmt, filters={}, header=EXPORT_HEADER, rows=rows)


def _designate_form() -> DesignateForm:
    form = DesignateForm()
    holders = queries.eligible_holders(get_session())
    form.user_id.choices = [
        SelectChoice(u.id, f"{u.full_name} — {u.organisation.short_name} ({u.role.label})") for u in holders
    ]
    return form


def _local_to_utc(value: datetime | None) -> datetime | None:
    """The form's date-time is Pakistan time, as shown everywhere; it is stored in UTC."""
    return value.replace(tzinfo=KARACHI) if value is not None else None


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.CHAIR)
def new() -> Response | str:
    form = _designate_form()
    if form.validate_on_submit():
        session = get_session()
        try:
            with session.begin_nested():
                designation = services.designate(
                    session,
                    actor=actor(),
                    kind=DesignationKind(form.kind.data),
                    user_id=form.user_id.data,
                    approval_ref=form.approval_ref.data or "",
                    effective_from=_local_to_utc(form.effective_from.data),
                )
        except Invalid as error:
            apply_field_errors(form, error.fields)
        else:
            session.commit()
            flash(f"The {designation.kind.label.lower()} designation is recorded.", "success")
            return redirect(url_for("designations.index"))
    return render_template("designations/new.html", form=form)


def _designation(designation_id: int) -> Designation:
    designation = queries.get_designation(get_session(), designation_id)
    if designation is None:
        raise NotFound("There is no such designation.")
    return designation


@bp.route("/<int:designation_id>/end", methods=["GET", "POST"])
@role_required(Role.CHAIR)
def end(designation_id: int) -> Response | str | tuple[str, int]:
    designation = _designation(designation_id)
    form = EndDesignationForm()
    if form.validate_on_submit():
        session = get_session()
        try:
            with session.begin_nested():
                services.end_designation(
                    session, actor=actor(), designation_id=designation_id, version=form.version.data
                )
        except Conflict:
            form.version.data = designation.version  # a second submit acts on what is now stored
            return render_template("designations/end.html", designation=designation, form=form, conflict=True), 409
        session.commit()
        flash(f"The {designation.kind.label.lower()} post is now vacant.", "success")
        return redirect(url_for("designations.index"))
    if request.method == "GET":
        form.version.data = designation.version
    return render_template("designations/end.html", designation=designation, form=form)
