"""Negotiation threads: the pipeline board (and its list view and CSV), the thread page, and
the forms to open, edit and move a thread. Handlers are thin: parse → service → commit."""

from __future__ import annotations

from enum import Enum
from typing import Any, TypeVar

from flask import Blueprint, flash, redirect, render_template, request, url_for
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from crm.authz import actor, require_login
from crm.commitments import policy as commitment_policy
from crm.commitments import queries as commitment_queries
from crm.commitments.models import Commitment
from crm.companies.models import Priority
from crm.db import get_session
from crm.errors import Conflict, Forbidden, Invalid, NotFound
from crm.exports import CSV, XLSX, export_response
from crm.http import apply_field_errors, db_id, url_if_exists, writes
from crm.organisations.queries import list_organisations
from crm.threads import policy, queries, services
from crm.threads.forms import NONE_CHOICE, EditThreadForm, StageForm, ThreadForm
from crm.threads.models import PIPELINE, Stage, Thread
from crm.threads.services import ThreadInput

bp = Blueprint("threads", __name__)
require_login(bp)

LIST_PAGE = 50
TIMELINE_PAGE = 25
E = TypeVar("E", bound=Enum)
F = TypeVar("F", bound=ThreadForm)


def _enum_arg(enum: type[E], name: str) -> E | None:
    """A filter from the query string; an unknown value is ignored (never an error page)."""
    try:
        return enum(request.args.get(name, ""))
    except ValueError:
        return None


def _filters(*, with_stage: bool = True) -> queries.ThreadFilters:
    return queries.ThreadFilters(
        stage=_enum_arg(Stage, "stage") if with_stage else None,
        company_id=request.args.get("company_id", type=db_id),
        priority=_enum_arg(Priority, "priority"),
    )


def _page_context(session: Session) -> dict[str, Any]:
    return {
        "can_edit": services.can_maintain(session, actor=actor()),
        "today": queries.today(),
        "is_overdue": policy.is_overdue,
        "priorities": list(Priority),
    }


@bp.route("/threads")
def board() -> str:
    session = get_session()
    if request.args.get("view") == "list":
        return _list_view(session)
    filters = _filters(with_stage=False)
    return render_template(
        "threads/board.html", view="board", columns=queries.board(session, filters), filters=filters,
        companies=queries.company_choices(session), **_page_context(session),
    )  # fmt: skip


def _list_view(session: Session) -> str:
    filters = _filters()
    rows = queries.list_threads(session, filters, before_id=request.args.get("before", type=db_id), limit=LIST_PAGE + 1)
    next_before = rows[LIST_PAGE - 1].id if len(rows) > LIST_PAGE else None
    return render_template(
        "threads/list.html", view="list", threads=rows[:LIST_PAGE], next_before=next_before, filters=filters,
        companies=queries.company_choices(session), stages=list(Stage), **_page_context(session),
    )  # fmt: skip


CSV_HEADER = ("id", "title", "companies", "stage", "priority", "lead_organisation", "target_date", "overdue",
              "next_step", "next_step_owner", "objective", "our_ask", "their_position", "updated_at")  # fmt: skip


def _csv_row(thread: Thread, today: Any) -> tuple[Any, ...]:
    return (
        thread.id, thread.title, "; ".join(c.name for c in thread.companies), thread.stage, thread.priority,
        thread.lead_organisation.short_name if thread.lead_organisation else "", thread.target_date,
        policy.is_overdue(thread, today), thread.next_step,
        thread.next_step_owner.full_name if thread.next_step_owner else "", thread.objective, thread.our_ask,
        thread.their_position, thread.updated_at,
    )  # fmt: skip


@bp.route("/threads.xlsx", defaults=XLSX)
@bp.route("/threads.csv", defaults=CSV)
@writes
def export(fmt: str) -> Response:
    session = get_session()
    filters = _filters()
    threads, today = queries.export_threads(session, filters), queries.today()
    services.record_export(session, actor=actor(), rows=len(threads), filters=filters.as_dict())
    session.commit()
    return export_response((_csv_row(t, today) for t in threads), CSV_HEADER, filename="threads", format=fmt)


def _thread_or_404(session: Session, thread_id: int) -> Thread:
    thread = queries.get_thread(session, thread_id)
    if thread is None:
        raise NotFound("There is no such negotiation thread.")
    return thread


def _next_stage(stage: Stage) -> Stage:
    """The stage a move most likely goes to: the next on the main line (else identified)."""
    if stage in PIPELINE and stage is not PIPELINE[-1]:
        return PIPELINE[PIPELINE.index(stage) + 1]
    return Stage.IDENTIFIED if stage is not Stage.IDENTIFIED else Stage.OUTREACH


def _stage_form(thread: Thread, *, submitted: bool = False) -> StageForm:
    form = StageForm() if submitted else StageForm(stage=_next_stage(thread.stage).value, version=thread.version)
    form.stage.choices = [
        SelectChoice(s.value, f"{s.label} (current)" if s is thread.stage else s.label) for s in Stage
    ]
    return form


def _open_commitments(session: Session, thread_id: int) -> list[Commitment] | None:
    """The thread's open commitments, for those who read the commitments register (else None)."""
    if not commitment_policy.can_view(actor()):
        return None
    return commitment_queries.open_commitments_of_thread(session, thread_id)


@bp.route("/threads/<int:thread_id>")
def detail(thread_id: int) -> str:
    session = get_session()
    thread = _thread_or_404(session, thread_id)
    before = request.args.get("before", type=db_id)
    engagements = queries.timeline(session, thread.id, before_id=before, limit=TIMELINE_PAGE + 1)
    return render_template(
        "threads/detail.html", thread=thread, history=queries.stage_history(session, thread.id),
        engagements=engagements[:TIMELINE_PAGE], follow_ups=queries.open_follow_ups(session, thread.id),
        next_before=engagements[TIMELINE_PAGE - 1].id if len(engagements) > TIMELINE_PAGE else None,
        paged=before is not None, stage_form=_stage_form(thread), link=url_if_exists, **_page_context(session),
        commitments=_open_commitments(session, thread.id),
    )  # fmt: skip


def _require_maintainer(session: Session) -> None:
    """Members and observers see the forms' pages refused, as the service would refuse them."""
    if not services.can_maintain(session, actor=actor()):
        raise Forbidden(services.REFUSAL, code=policy.NOT_PERMITTED)


def _with_choices(session: Session, form: F) -> F:
    form.company_ids.choices = [SelectChoice(cid, name) for cid, name in queries.company_choices(session)]
    organisations = [SelectChoice(o.id, f"{o.short_name} — {o.name}") for o in list_organisations(session)]
    form.lead_organisation_id.choices = [NONE_CHOICE, *organisations]
    owners = [SelectChoice(uid, label) for uid, label in queries.owner_choices(session)]
    form.next_step_owner_id.choices = [NONE_CHOICE, *owners]
    return form


def _input(form: ThreadForm) -> ThreadInput:
    return ThreadInput(
        title=form.title.data or "", company_ids=list(form.company_ids.data or []), objective=form.objective.data or "",
        our_ask=form.our_ask.data or "", their_position=form.their_position.data or "",
        priority=Priority(form.priority.data), lead_organisation_id=form.lead_organisation_id.data,
        target_date=form.target_date.data, next_step=form.next_step.data or "",
        next_step_owner_id=form.next_step_owner_id.data,
    )  # fmt: skip


@bp.route("/threads/new", methods=["GET", "POST"])
def create() -> Response | str:
    session = get_session()
    _require_maintainer(session)
    form = _with_choices(session, ThreadForm())
    if form.validate_on_submit():
        try:
            with session.begin_nested():
                thread = services.create_thread(session, actor=actor(), data=_input(form))
        except Invalid as error:
            apply_field_errors(form, error.fields)
        else:
            session.commit()
            flash(f"The thread “{thread.title}” is open at the stage {thread.stage.label}.", "success")
            return redirect(url_for("threads.detail", thread_id=thread.id))
    return render_template("threads/form.html", form=form, thread=None)


def _edit_form(session: Session, thread: Thread) -> EditThreadForm:
    form = EditThreadForm(obj=thread, company_ids=[company.id for company in thread.companies])
    return _with_choices(session, form)


def _show_current_version(form: EditThreadForm | StageForm, version: int) -> None:
    """After a conflict the form carries the current version: saving again is deliberate."""
    form.version.data, form.version.raw_data = version, [str(version)]


@bp.route("/threads/<int:thread_id>/edit", methods=["GET", "POST"])
def edit(thread_id: int) -> Response | tuple[str, int] | str:
    session = get_session()
    thread = _thread_or_404(session, thread_id)
    _require_maintainer(session)
    form = _edit_form(session, thread)
    if form.validate_on_submit():
        try:
            with session.begin_nested():
                services.update_thread(session, actor=actor(), thread_id=thread.id, version=form.version.data,
                                       data=_input(form))  # fmt: skip
        except Invalid as error:
            apply_field_errors(form, error.fields)
        except Conflict:
            _show_current_version(form, _thread_or_404(session, thread_id).version)
            return _render_form(form, thread, conflict=True), 409
        else:
            session.commit()
            flash("The thread is saved.", "success")
            return redirect(url_for("threads.detail", thread_id=thread.id))
    return _render_form(form, thread)


def _render_form(form: ThreadForm, thread: Thread, *, conflict: bool = False) -> str:
    current = url_for("threads.detail", thread_id=thread.id)
    return render_template("threads/form.html", form=form, thread=thread, conflict=conflict, current_url=current)


@bp.route("/threads/<int:thread_id>/stage", methods=["GET", "POST"])
def stage(thread_id: int) -> Response | tuple[str, int] | str:
    session = get_session()
    thread = _thread_or_404(session, thread_id)
    _require_maintainer(session)
    form = _stage_form(thread, submitted=request.method == "POST")
    if form.validate_on_submit():
        try:
            with session.begin_nested():
                change = services.change_stage(session, actor=actor(), thread_id=thread.id,
                                               stage=Stage(form.stage.data), note=form.note.data or "",
                                               version=form.version.data)  # fmt: skip
        except Invalid as error:
            apply_field_errors(form, error.fields)
        except Conflict:
            _show_current_version(form, _thread_or_404(session, thread_id).version)
            return _render_stage(form, thread, conflict=True), 409
        else:
            session.commit()
            flash(f"The thread moved to the stage {change.to_stage.label}.", "success")
            return redirect(url_for("threads.detail", thread_id=thread.id))
    return _render_stage(form, thread)


def _render_stage(form: StageForm, thread: Thread, *, conflict: bool = False) -> str:
    current = url_for("threads.detail", thread_id=thread.id)
    return render_template("threads/stage.html", form=form, thread=thread, conflict=conflict, current_url=current)
