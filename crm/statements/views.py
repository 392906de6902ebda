"""Statements register pages: the list (and its CSV), drafting and editing, the statement's
page with issue (R3) and withdrawal.

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
from crm.exports import CSV, XLSX, export_response
from crm.http import db_id, submit_form, writes
from crm.statements import policy, queries, services
from crm.statements.forms import EditStatementForm, IssueForm, StatementForm, WithdrawForm
from crm.statements.models import Statement, StatementChannel, StatementStatus

bp = Blueprint("statements", __name__)
require_login(bp)

Page = Response | str | tuple[str, int]
NONE_CHOICE = SelectChoice("", "— None —")
CSV_HEADER = ("Id", "Status", "Channel", "Text", "Company", "Negotiation thread", "Drafted by", "Drafted at",
              "Issued by", "Issued at")  # fmt: skip


@bp.before_request
def _readers_only() -> None:
    """An admin's role is accounts: the register is for the content roles (after the login guard)."""
    if not policy.can_view(actor()):
        raise Forbidden("Your role does not read the statements register.", code=policy.NOT_PERMITTED)


def _status() -> StatementStatus | None:
    try:
        return StatementStatus(request.args.get("status", ""))
    except ValueError:
        return None  # an unknown filter shows everything (never an error page)


@bp.route("/statements")
def index() -> str:
    session, status = get_session(), _status()
    rows = queries.list_statements(
        session, status=status, before_id=request.args.get("before", type=db_id), limit=queries.PAGE_SIZE + 1
    )
    return render_template(
        "statements/index.html", rows=rows[: queries.PAGE_SIZE], status=status, statuses=list(StatementStatus),
        next_before=rows[queries.PAGE_SIZE - 1].id if len(rows) > queries.PAGE_SIZE else None,
        can_draft=policy.draft_refusal(actor()) is None,
    )  # fmt: skip


def _csv_row(s: Statement) -> tuple[Any, ...]:
    return (s.id, s.status.label, s.channel.label, s.text, s.company.name if s.company else "",
            s.thread.title if s.thread else "", s.drafted_by.full_name, s.created_at,
            s.issued_by.full_name if s.issued_by else "", s.issued_at)  # fmt: skip


@bp.route("/statements.xlsx", defaults=XLSX)
@bp.route("/statements.csv", defaults=CSV)
@writes
def export(fmt: str) -> Response:
    """The register (newest first, filtered by status), audited as an export (R8)."""
    session, status = get_session(), _status()
    rows = queries.list_statements(session, status=status, limit=queries.EXPORT_LIMIT)
    services.record_export(session, actor=actor(), filters={"status": status.value} if status else {}, rows=len(rows))
    session.commit()
    return export_response([_csv_row(s) for s in rows], CSV_HEADER, filename="statements", format=fmt)


def _set_choices(session: Session, form: StatementForm) -> None:
    form.company_id.choices = [NONE_CHOICE] + [SelectChoice(i, n) for i, n in queries.company_choices(session)]
    form.thread_id.choices = [NONE_CHOICE] + [SelectChoice(i, t) for i, t in queries.thread_choices(session)]


def _input(form: StatementForm) -> services.StatementInput:
    return services.StatementInput(
        text=form.text.data or "", channel=StatementChannel(form.channel.data),
        company_id=form.company_id.data, thread_id=form.thread_id.data,
    )  # fmt: skip


def _require_drafter() -> None:
    refusal = policy.draft_refusal(actor())
    if refusal:
        raise Forbidden(policy.REFUSAL_MESSAGES[refusal], code=refusal)


@bp.route("/statements/new", methods=["GET", "POST"])
def new() -> Page:
    _require_drafter()
    form = StatementForm()
    if request.method == "GET":
        form.company_id.data = request.args.get("company_id", type=db_id)
        form.thread_id.data = request.args.get("thread_id", type=db_id)
    _set_choices(get_session(), form)
    saved, outcome = submit_form(
        form,
        lambda s: services.draft_statement(s, actor=actor(), data=_input(form)),
        lambda **kw: render_template("statements/form.html", form=form, statement=None, **kw),
    )
    if not saved:
        return outcome
    flash("The draft is saved. The lead ministry (MoIT) or the spokesperson issues it.", "success")
    return redirect(url_for("statements.detail", statement_id=outcome.id))


def _statement_or_404(session: Session, statement_id: int) -> Statement:
    statement = queries.get_statement(session, statement_id)
    if statement is None:
        raise NotFound(services.NOT_FOUND)
    return statement


def _edit_page(form: EditStatementForm, statement_id: int, *, conflict: bool = False) -> str:
    statement = _statement_or_404(get_session(), statement_id)
    if conflict:  # saving again is deliberate (R7)
        form.version.data, form.version.raw_data = statement.version, [str(statement.version)]
    return render_template(
        "statements/form.html", form=form, statement=statement, conflict=conflict,
        current_url=url_for("statements.detail", statement_id=statement_id),
    )  # fmt: skip


@bp.route("/statements/<int:statement_id>/edit", methods=["GET", "POST"])
def edit(statement_id: int) -> Page:
    session = get_session()
    statement = _statement_or_404(session, statement_id)
    _require_drafter()
    posted = request.method == "POST"
    form = EditStatementForm() if posted else EditStatementForm(obj=statement, channel=statement.channel.value)
    _set_choices(session, form)
    saved, outcome = submit_form(
        form,
        lambda s: services.update_draft(
            s, actor=actor(), statement_id=statement_id, version=form.version.data, data=_input(form)
        ),
        lambda **kw: _edit_page(form, statement_id, **kw),
    )
    if not saved:
        return outcome
    flash("The draft is saved.", "success")
    return redirect(url_for("statements.detail", statement_id=statement_id))


def _detail_page(statement_id: int, *, withdraw: WithdrawForm | None = None, refusal: str | None = None,
                 conflict: bool = False) -> str:  # fmt: skip
    session, user = get_session(), actor()
    statement = _statement_or_404(session, statement_id)
    withdraw = withdraw or WithdrawForm(formdata=None, version=statement.version)
    if conflict:
        withdraw.version.data = statement.version
    return render_template(
        "statements/detail.html", s=statement, withdrawal=queries.withdrawal_of(session, statement),
        can_issue=services.issue_refusal(session, actor=user) is None, can_draft=policy.draft_refusal(user) is None,
        issue_form=IssueForm(formdata=None, version=statement.version), withdraw=withdraw, conflict=conflict,
        refusal=policy.REFUSAL_MESSAGES.get(refusal or ""), current_url=url_for("statements.detail",
        statement_id=statement_id),
    )  # fmt: skip


@bp.route("/statements/<int:statement_id>")
def detail(statement_id: int) -> str:
    return _detail_page(statement_id)


@bp.route("/statements/<int:statement_id>/issue", methods=["POST"])
def issue(statement_id: int) -> Page:
    form = IssueForm()
    try:
        saved, outcome = submit_form(
            form,
            lambda s: services.issue_statement(s, actor=actor(), statement_id=statement_id, version=form.version.data),
            lambda **kw: _detail_page(statement_id, **kw),
        )
    except Forbidden as refused:  # R3: the page says who may issue; the savepoint left nothing written
        return _detail_page(statement_id, refusal=refused.code), 403
    if not saved:
        return outcome
    flash("The statement is issued.", "success")
    return redirect(url_for("statements.detail", statement_id=statement_id))


@bp.route("/statements/<int:statement_id>/withdraw", methods=["POST"])
def withdraw(statement_id: int) -> Page:
    form = WithdrawForm()
    saved, outcome = submit_form(
        form,
        lambda s: services.withdraw_statement(
            s, actor=actor(), statement_id=statement_id, reason=form.reason.data or "", version=form.version.data
        ),
        lambda **kw: _detail_page(statement_id, withdraw=form, **kw),
    )
    if not saved:
        return outcome
    flash("The statement is withdrawn.", "success")
    return redirect(url_for("statements.detail", statement_id=statement_id))
