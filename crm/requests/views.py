"""Engagement request pages: file a request to the focal person, see its outcome, decide it."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from crm.accounts.models import User
from crm.authz import actor, require_login
from crm.db import get_session
from crm.designations.queries import focal_person_id
from crm.errors import Conflict, Forbidden, Invalid, NotFound
from crm.exports import CSV, EXPORT_LIMIT, XLSX, audited_export
from crm.http import MAX_ID, apply_field_errors, db_id, submit_form, writes
from crm.requests import policy, queries, services
from crm.requests.forms import AcceptForm, DeclineForm, RequestForm
from crm.requests.models import EngagementRequest, Urgency
from crm.requests.queries import Scope

bp = Blueprint("requests", __name__, url_prefix="/requests")
require_login(bp)

PAGE_SIZE = 50


def _is_focal(user: User) -> bool:
    return focal_person_id(get_session()) == user.id


def _scopes(user: User, is_focal: bool) -> list[Scope]:
    """The lists this viewer has, the default first."""
    scopes = []
    if policy.is_decider(user, is_focal_person=is_focal):
        scopes.append(Scope.TO_DECIDE)
    if policy.sees_all(user, is_focal_person=is_focal):
        scopes.append(Scope.ALL)
    if user.role in policy.REQUEST_ROLES:
        scopes.append(Scope.MINE)
    return scopes


def _scope(user: User, is_focal: bool) -> tuple[Scope, list[Scope]]:
    """The list asked for (`?view=`) among the viewer's lists; Forbidden when they have none."""
    scopes = _scopes(user, is_focal)
    if not scopes:
        raise Forbidden("Your role does not file or decide engagement requests.", code=policy.NOT_PERMITTED)
    wanted = request.args.get("view", "")
    return (Scope(wanted) if wanted in {s.value for s in scopes} else scopes[0]), scopes


@bp.route("")
def index() -> str:
    user, session = actor(), get_session()
    is_focal = _is_focal(user)
    scope, scopes = _scope(user, is_focal)
    rows = queries.list_requests(
        session, scope=scope, viewer_id=user.id, before_id=request.args.get("before", type=db_id),
        newest_first=True, limit=PAGE_SIZE + 1,
    )  # fmt: skip
    return render_template(
        "requests/index.html", rows=rows[:PAGE_SIZE], scope=scope, scopes=scopes,
        next_before=rows[PAGE_SIZE - 1].id if len(rows) > PAGE_SIZE else None,
        can_request=policy.request_refusal(user, is_focal_person=is_focal) is None,
    )  # fmt: skip


EXPORT_HEADER = ("Id", "Filed (PKT)", "Company", "Purpose", "Urgency", "Status", "Requested by", "Organisation",
                 "Decided by", "Decided (PKT)", "Decline reason", "Follow-up")  # fmt: skip


@bp.route("/export.xlsx", defaults=XLSX)
@bp.route("/export.csv", defaults=CSV)
@writes
def export(fmt: str) -> Response:
    """The list the viewer is on (`?view=`), newest first, audited as an export (R8)."""
    user, session = actor(), get_session()
    scope, _ = _scope(user, _is_focal(user))
    found = queries.list_requests(session, scope=scope, viewer_id=user.id, newest_first=True, limit=EXPORT_LIMIT)
    rows = [(r.id, r.created_at, r.company.name, r.purpose, r.urgency, r.status, r.requested_by.full_name,
             r.organisation.short_name, r.decided_by.full_name if r.decided_by else "", r.decided_at,
             r.decline_reason, r.follow_up_id) for r in found]  # fmt: skip
    return audited_export(session, register="engagement_requests", fmt=fmt, filters={"view": scope.value},
                          header=EXPORT_HEADER, rows=rows)  # fmt: skip


def _request_form() -> RequestForm:
    session = get_session()
    form = RequestForm()
    if request.method == "GET":
        form.company_id.data = request.args.get("company_id", type=db_id)
        form.thread_id.data = request.args.get("thread_id", type=db_id)
    posted = form.company_id.data
    company_id = posted if isinstance(posted, int) and 0 < posted <= MAX_ID else None
    form.company_id.choices = [SelectChoice(i, name) for i, name in queries.company_choices(session)]
    threads = queries.thread_choices(session, company_id=company_id)
    form.thread_id.choices = [SelectChoice("", "None"), *(SelectChoice(i, title) for i, title in threads)]
    return form


@bp.route("/new", methods=["GET", "POST"])
def new() -> Response | str:
    user = actor()
    refusal = policy.request_refusal(user, is_focal_person=_is_focal(user))
    if refusal:
        raise Forbidden(policy.REFUSAL_MESSAGES[refusal], code=refusal)
    form = _request_form()
    if form.validate_on_submit():
        session = get_session()
        try:
            with session.begin_nested():
                filed = services.request_engagement(
                    session, actor=user, company_id=form.company_id.data, thread_id=form.thread_id.data,
                    purpose=form.purpose.data or "", urgency=Urgency(form.urgency.data),
                )  # fmt: skip
        except Invalid as error:
            apply_field_errors(form, error.fields)
        else:
            session.commit()
            flash("Your request is filed. The focal person will accept or decline it; you will see the outcome here.",
                  "success")  # fmt: skip
            return redirect(url_for("requests.detail", request_id=filed.id))
    return render_template("requests/new.html", form=form)


def _visible(request_id: int) -> tuple[EngagementRequest, bool]:
    """The request if the viewer may see it (else 404, so ids reveal nothing), and whether they may decide it."""
    user = actor()
    is_focal = _is_focal(user)
    found = queries.get_request(get_session(), request_id)
    if found is None or not policy.can_view(user, found, is_focal_person=is_focal):
        raise NotFound("There is no such engagement request.")
    return found, policy.can_decide(user, found, is_focal_person=is_focal)


def _detail(request_id: int, *, decline: DeclineForm | None = None, conflict: bool = False) -> str:
    found, can_decide = _visible(request_id)
    session = get_session()
    decline = decline or DeclineForm(formdata=None, version=found.version)
    if conflict:
        decline.version.data = found.version  # a second submit acts on what is now stored
    return render_template(
        "requests/detail.html", item=found, can_decide=can_decide, accept=AcceptForm(formdata=None,
        version=found.version), decline=decline, conflict=conflict, thread_title=queries.thread_title(
        session, found.thread_id), follow_up=queries.follow_up_of(session, found),
        has_focal_person=focal_person_id(session) is not None,
    )  # fmt: skip


@bp.route("/<int:request_id>")
def detail(request_id: int) -> str:
    return _detail(request_id)


@bp.route("/<int:request_id>/accept", methods=["POST"])
def accept(request_id: int) -> Response | tuple[str, int]:
    form = AcceptForm()
    if not form.validate_on_submit():
        raise Invalid("The request was incomplete; reload the page and try again.")
    session = get_session()
    try:
        with session.begin_nested():
            services.accept_request(session, actor=actor(), request_id=request_id, version=form.version.data)
    except Conflict:
        return _detail(request_id, conflict=True), 409
    session.commit()
    flash("Accepted: it is now a follow-up for the focal person.", "success")
    return redirect(url_for("requests.detail", request_id=request_id))


@bp.route("/<int:request_id>/decline", methods=["POST"])
def decline(request_id: int) -> Response | str | tuple[str, int]:
    form = DeclineForm()
    saved, outcome = submit_form(
        form,
        lambda session: services.decline_request(
            session, actor=actor(), request_id=request_id, reason=form.reason.data or "", version=form.version.data
        ),
        lambda **kw: _detail(request_id, decline=form, **kw),
    )
    if not saved:
        return outcome
    flash("Declined. The requester sees your reason.", "success")
    return redirect(url_for("requests.detail", request_id=request_id))
