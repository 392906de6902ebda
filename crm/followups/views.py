"""Follow-up pages: mine (overdue first), my organisation's queue, the keepers' list with CSV
export, a follow-up's detail and history, creating, editing, completing, cancelling,
reopening and taking one from a queue."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from crm.accounts.models import User
from crm.authz import actor, require_login
from crm.db import get_session, utcnow
from crm.designations.queries import focal_person_id
from crm.errors import Forbidden, Invalid, NotFound
from crm.exports import CSV, XLSX, export_response
from crm.followups import policy, queries, services
from crm.followups.forms import CancelForm, CompleteForm, EditForm, FollowUpForm, ReopenForm, TakeForm
from crm.followups.models import FollowUp, FollowUpPriority
from crm.followups.queries import DueCursor, Filters
from crm.formatting import local
from crm.http import MAX_ID, db_id, submit_form, url_if_exists, writes
from crm.organisations.queries import list_organisations
from crm.requests.queries import company_choices, thread_choices

bp = Blueprint("followups", __name__, url_prefix="/follow-ups")
require_login(bp)

PAGE_SIZE = 50
EXPORT_LIMIT = 10_000
# Pages of the records a follow-up links to, shown as links once those pages exist.
RECORD_PAGES = {
    "company": ("companies.profile", "company_id"),
    "thread": ("threads.detail", "thread_id"),
    "engagement": ("engagements.detail", "engagement_id"),
    "commitment": ("commitments.detail", "commitment_id"),
}
CSV_HEADER = ("No.", "Title", "Due", "Priority", "Assignee", "Organisation queue", "Outbound action",
              "Company", "Thread", "Engagement no.", "Commitment no.", "Created")  # fmt: skip
Page = Response | str | tuple[str, int]


def encode_cursor(follow_up: FollowUp) -> str:
    return f"{follow_up.due_date.isoformat() if follow_up.due_date else 'none'}.{follow_up.id}"


def decode_cursor(value: str | None) -> DueCursor | None:
    """The cursor of the `after` argument; anything not made by encode_cursor means the first page."""
    due, _, number = (value or "").partition(".")
    if not number.isdigit() or not 0 < int(number) <= MAX_ID:
        return None
    try:
        return DueCursor(None if due == "none" else date.fromisoformat(due), int(number))
    except ValueError:
        return None


def record_links() -> dict[str, str]:
    """Which record pages exist in this app (kind → endpoint), for templates to link by id."""
    return {kind: endpoint for kind, (endpoint, _) in RECORD_PAGES.items() if endpoint in current_app.view_functions}


def _today() -> date:
    return local(utcnow()).date()


def _is_focal(user: User) -> bool:
    return focal_person_id(get_session()) == user.id


def _page_context(rows: list[FollowUp]) -> dict[str, object]:
    return {
        "today": _today(),
        "labels": queries.record_labels(get_session(), rows),
        "links": record_links(),
        "params": {kind: param for kind, (_, param) in RECORD_PAGES.items()},
    }


def _list_page(template: str, rows: list[FollowUp], **context: Any) -> str:
    """A page of follow-ups (PAGE_SIZE + 1 rows were read: the extra one says there is more)."""
    shown = rows[:PAGE_SIZE]
    user = actor()
    return render_template(
        template, rows=shown, next_after=encode_cursor(shown[-1]) if len(rows) > PAGE_SIZE else None,
        can_complete={f.id: policy.can_complete(user, f) for f in shown},
        can_take={f.id: policy.can_take(user, f) for f in shown}, **_page_context(shown), **context,
    )  # fmt: skip


@bp.route("")
def mine() -> str:
    user = actor()
    rows = queries.my_open_follow_ups(
        get_session(), user=user, after=decode_cursor(request.args.get("after")), limit=PAGE_SIZE + 1
    )
    return _list_page(
        "followups/mine.html", rows, can_create=policy.can_create(user), can_oversee=policy.can_oversee(user),
        calendar_url=url_if_exists("feeds.settings"),
    )  # fmt: skip


@bp.route("/organisation")
def organisation() -> str:
    """The viewer's organisation's queue: open items no person has taken yet."""
    user = actor()
    rows = queries.organisation_queue(
        get_session(), organisation_id=user.organisation_id, after=decode_cursor(request.args.get("after")),
        limit=PAGE_SIZE + 1,
    )  # fmt: skip
    return _list_page("followups/organisation.html", rows)


def _filters() -> Filters:
    args = request.args
    return Filters(
        today=_today(), assignee_id=args.get("assignee_id", type=db_id),
        organisation_id=args.get("organisation_id", type=db_id), priority=args.get("priority", type=FollowUpPriority),
        overdue=args.get("overdue") == "1", due_from=args.get("due_from", type=date.fromisoformat),
        due_to=args.get("due_to", type=date.fromisoformat),
    )  # fmt: skip


def _require_oversight() -> User:
    user = actor()
    if not policy.can_oversee(user):
        raise Forbidden("The list of every follow-up is for the chair and the secretariat.")
    return user


@bp.route("/all")
def everything() -> str:
    _require_oversight()
    session, filters = get_session(), _filters()
    rows = queries.all_open_follow_ups(
        session, filters=filters, after=decode_cursor(request.args.get("after")), limit=PAGE_SIZE + 1
    )
    return _list_page(
        "followups/all.html", rows, filters=filters, people=queries.assignable_people(session),
        organisations=list_organisations(session), priorities=list(FollowUpPriority),
        export_args={k: v for k, v in request.args.items() if k != "after"},
    )  # fmt: skip


@bp.route("/all.xlsx", defaults=XLSX)
@bp.route("/all.csv", defaults=CSV)
@writes
def export_csv(fmt: str) -> Response:
    """The filtered list of open follow-ups, audited as an export (R8)."""
    session, filters = get_session(), _filters()
    rows = queries.all_open_follow_ups(session, filters=filters, limit=EXPORT_LIMIT)
    services.record_export(session, actor=actor(), filters=filters.as_dict(), rows=len(rows))
    session.commit()
    labels = queries.record_labels(session, rows)
    return export_response([_csv_row(f, labels) for f in rows], CSV_HEADER, filename="follow-ups", format=fmt)


def _csv_row(f: FollowUp, labels: queries.RecordLabels) -> tuple[Any, ...]:
    return (f.id, f.title, f.due_date, f.priority, f.assignee.full_name if f.assignee else "",
            f.assignee_organisation.short_name if f.assignee_organisation else "", f.is_outbound_action,
            labels.companies.get(f.company_id or 0, ""), labels.threads.get(f.thread_id or 0, ""),
            f.engagement_id, f.commitment_id, f.created_at)  # fmt: skip


# Creating and editing.


def _owner_choices(form: FlaskForm, user: User) -> None:
    """People and queues the actor may assign to: everyone for the keepers; a member only
    themselves and their organisation (policy.assignment_refusal decides; this only lists)."""
    session = get_session()
    if policy.is_keeper(user, is_focal_person=_is_focal(user)):
        people = queries.assignable_people(session)
        queues = [(o.id, f"{o.short_name} — {o.name}") for o in list_organisations(session)]
    else:
        people = [(user.id, f"{user.full_name} (you)")]
        queues = [(user.organisation_id, f"{user.organisation.short_name} queue")]
    form.assignee_id.choices = [SelectChoice("", "Nobody — use the queue")] + [SelectChoice(*p) for p in people]
    form.assignee_organisation_id.choices = [SelectChoice("", "None")] + [SelectChoice(*q) for q in queues]


def _new_form() -> FollowUpForm:
    session, user = get_session(), actor()
    form = FollowUpForm()
    if request.method == "GET":
        for name in ("company_id", "thread_id", "engagement_id", "commitment_id"):
            getattr(form, name).data = request.args.get(name, type=db_id)
        form.assignee_id.data = user.id
    form.company_id.choices = [SelectChoice("", "None")] + [SelectChoice(*c) for c in company_choices(session)]
    threads = thread_choices(session, company_id=None)
    form.thread_id.choices = [SelectChoice("", "None")] + [SelectChoice(*t) for t in threads]
    _owner_choices(form, user)
    return form


@bp.route("/new", methods=["GET", "POST"])
def new() -> Page:
    user = actor()
    if not policy.can_create(user):
        raise Forbidden(policy.REFUSAL_MESSAGES[policy.NOT_PERMITTED], code=policy.NOT_PERMITTED)
    form = _new_form()
    saved, outcome = submit_form(
        form, lambda session: _assignment_as_field_error(
            lambda: services.add_follow_up(session, actor=user, data=form.to_input())),
        lambda **kw: render_template("followups/new.html", form=form,
                                     is_keeper=policy.is_keeper(user, is_focal_person=_is_focal(user))),
    )  # fmt: skip
    if not saved:
        return outcome
    flash("The follow-up is created.", "success")
    return redirect(url_for("followups.detail", follow_up_id=outcome.id))


def _assignment_as_field_error(write: Callable[[], FollowUp]) -> FollowUp:
    """On a page, "you may not assign to that person" is an error beside the field (the form is
    re-shown with the input kept); the API answers it as 403 assignee_not_allowed."""
    try:
        return write()
    except Forbidden as error:
        if error.code != policy.ASSIGNEE_NOT_ALLOWED:
            raise
        raise Invalid(error.message, fields={"assignee_id": [error.message]}) from None


def _visible(follow_up_id: int) -> FollowUp:
    follow_up = queries.get_follow_up(get_session(), follow_up_id)
    if follow_up is None or not policy.can_view(actor(), follow_up, is_focal_person=_is_focal(actor())):
        raise NotFound("There is no such follow-up.")
    return follow_up


def _edit_page(follow_up_id: int, form: EditForm, *, conflict: bool = False) -> str:
    follow_up = _visible(follow_up_id)
    if conflict:
        form.version.data = follow_up.version  # a second submit replaces what is now stored, knowingly
    return render_template("followups/edit.html", follow_up=follow_up, form=form, conflict=conflict,
                           current_url=url_for("followups.detail", follow_up_id=follow_up_id))  # fmt: skip


@bp.route("/<int:follow_up_id>/edit", methods=["GET", "POST"])
def edit(follow_up_id: int) -> Page:
    user, follow_up = actor(), _visible(follow_up_id)
    if not policy.can_edit(user, follow_up, is_focal_person=_is_focal(user)):
        raise Forbidden(policy.REFUSAL_MESSAGES[policy.NOT_ASSIGNEE], code=policy.NOT_ASSIGNEE)
    form = EditForm(obj=follow_up if request.method == "GET" else None)
    if request.method == "GET":
        form.priority.data = follow_up.priority.value
    _owner_choices(form, user)
    saved, outcome = submit_form(
        form, lambda session: _assignment_as_field_error(lambda: services.update_follow_up(
            session, actor=user, follow_up_id=follow_up_id, version=form.version.data, changes=form.to_changes())),
        lambda **kw: _edit_page(follow_up_id, form, **kw),
    )  # fmt: skip
    if not saved:
        return outcome
    flash("The follow-up is saved.", "success")
    return redirect(url_for("followups.detail", follow_up_id=follow_up_id))


# One follow-up: detail, history, and closing or reopening it.


def _detail_page(follow_up_id: int, *, cancel: CancelForm | None = None, reopen: ReopenForm | None = None,
                 take: TakeForm | None = None, conflict: bool = False) -> str:  # fmt: skip
    session, user = get_session(), actor()
    follow_up, is_focal = _visible(follow_up_id), _is_focal(user)
    version = {"version": follow_up.version}
    return render_template(
        "followups/detail.html", follow_up=follow_up, history=queries.history(session, follow_up_id),
        creator=queries.creator_name(session, follow_up), conflict=conflict,
        can_edit=policy.can_edit(user, follow_up, is_focal_person=is_focal),
        can_complete=policy.can_complete(user, follow_up), can_take=policy.can_take(user, follow_up),
        can_reopen=policy.can_reopen(user, follow_up, is_focal_person=is_focal),
        cancel=cancel or CancelForm(formdata=None, **version), reopen=reopen or ReopenForm(formdata=None, **version),
        take=take or TakeForm(formdata=None, **version), **_page_context([follow_up]),
    )  # fmt: skip


@bp.route("/<int:follow_up_id>")
def detail(follow_up_id: int) -> str:
    return _detail_page(follow_up_id)


def _complete_page(follow_up_id: int, form: CompleteForm, *, conflict: bool = False) -> str:
    follow_up = _visible(follow_up_id)
    if conflict or form.version.data is None:
        form.version.data = follow_up.version  # a second submit acts on what is now stored
    return render_template(
        "followups/complete.html", follow_up=follow_up, form=form, conflict=conflict,
        can_complete=policy.can_complete(actor(), follow_up), **_page_context([follow_up]),
    )  # fmt: skip


def _done(saved: bool, outcome: Any, message: str, target: str) -> Page:
    if not saved:
        return outcome
    flash(message, "success")
    return redirect(target)


@bp.route("/<int:follow_up_id>/complete", methods=["GET", "POST"])
def complete(follow_up_id: int) -> Page:
    form = CompleteForm()
    saved, outcome = submit_form(
        form,
        lambda session: services.complete_follow_up(
            session, actor=actor(), follow_up_id=follow_up_id, note=form.note.data or "", version=form.version.data
        ),
        lambda **kw: _complete_page(follow_up_id, form, **kw),
    )
    return _done(saved, outcome, "Marked as done.", url_for("followups.mine"))


@bp.route("/<int:follow_up_id>/cancel", methods=["POST"])
def cancel(follow_up_id: int) -> Page:
    form = CancelForm()
    saved, outcome = submit_form(
        form, lambda session: services.cancel_follow_up(session, actor=actor(), follow_up_id=follow_up_id,
                                                         version=form.version.data, note=form.note.data or ""),
        lambda **kw: _detail_page(follow_up_id, cancel=form, **kw),
    )  # fmt: skip
    return _done(saved, outcome, "The follow-up is cancelled.", url_for("followups.detail", follow_up_id=follow_up_id))


@bp.route("/<int:follow_up_id>/reopen", methods=["POST"])
def reopen(follow_up_id: int) -> Page:
    form = ReopenForm()
    saved, outcome = submit_form(
        form, lambda session: services.reopen_follow_up(session, actor=actor(), follow_up_id=follow_up_id,
                                                         version=form.version.data, note=form.note.data or ""),
        lambda **kw: _detail_page(follow_up_id, reopen=form, **kw),
    )  # fmt: skip
    return _done(saved, outcome, "The follow-up is open again.", url_for("followups.detail", follow_up_id=follow_up_id))


@bp.route("/<int:follow_up_id>/take", methods=["POST"])
def take(follow_up_id: int) -> Page:
    form = TakeForm()
    saved, outcome = submit_form(
        form, lambda session: services.take_follow_up(session, actor=actor(), follow_up_id=follow_up_id,
                                                       version=form.version.data),
        lambda **kw: _detail_page(follow_up_id, take=form, **kw),
    )  # fmt: skip
    return _done(
        saved,
        outcome,
        "It is yours now: it appears in My follow-ups.",
        url_for("followups.detail", follow_up_id=follow_up_id),
    )
