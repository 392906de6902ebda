"""Notes request pages: ask to read minutes, see the outcome, decide (R6), revoke, and the
watermarked PDF copy of minutes one may read (R5).

Handlers are thin: parse → service (in a savepoint, via crm.http.submit_form) → commit once.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from crm.accounts.models import User
from crm.authz import actor, require_login
from crm.db import get_session, utcnow
from crm.designations.queries import focal_person_id
from crm.errors import Forbidden, NotFound
from crm.exports import CSV, EXPORT_LIMIT, XLSX, audited_export, highest
from crm.http import db_id, submit_form, writes
from crm.notes import pdf, policy, queries, services
from crm.notes.forms import ApproveForm, DeclineForm, NotesRequestForm, RevokeForm
from crm.notes.models import NotesRequest
from crm.notes.queries import Scope

bp = Blueprint("notes", __name__, url_prefix="/notes")
require_login(bp)

Page = BaseResponse | str | tuple[str, int]


def _is_focal(user: User) -> bool:
    return focal_person_id(get_session()) == user.id


def grant_days() -> int:
    """The default grant period: NOTES_GRANT_DAYS when configured, else 30 days (R6)."""
    return int(current_app.config.get("NOTES_GRANT_DAYS") or services.DEFAULT_GRANT_DAYS)


def _scopes(user: User, is_focal: bool) -> list[Scope]:
    """The lists this viewer has, the default first."""
    scopes = [Scope.TO_DECIDE] if policy.is_decider(user, is_focal_person=is_focal) else []
    if policy.sees_all(user, is_focal_person=is_focal):
        scopes.append(Scope.ALL)
    if policy.request_refusal(user) is None:
        scopes.append(Scope.MINE)
    return scopes


def _scope(user: User) -> tuple[Scope, list[Scope]]:
    """The list asked for (`?view=`) among the viewer's lists; Forbidden when they have none."""
    scopes = _scopes(user, _is_focal(user))
    if not scopes:
        raise Forbidden(policy.REFUSAL_MESSAGES[policy.NOT_PERMITTED], code=policy.NOT_PERMITTED)
    wanted = request.args.get("view", "")
    return (Scope(wanted) if wanted in {s.value for s in scopes} else scopes[0]), scopes


@bp.route("")
def index() -> str:
    user, session = actor(), get_session()
    scope, scopes = _scope(user)
    rows = queries.list_requests(
        session, scope=scope, viewer_id=user.id, before_id=request.args.get("before", type=db_id),
        newest_first=True, limit=queries.PAGE_SIZE + 1,
    )  # fmt: skip
    return render_template(
        "notes/index.html", rows=rows[: queries.PAGE_SIZE], scope=scope, scopes=scopes, now=utcnow(),
        next_before=rows[queries.PAGE_SIZE - 1].id if len(rows) > queries.PAGE_SIZE else None,
    )  # fmt: skip


EXPORT_HEADER = ("Id", "Asked (PKT)", "Requester", "Engagement", "Company", "Thread", "Justification", "Status",
                 "Decided by", "Decided (PKT)", "Decision note", "Grant expires (PKT)")  # fmt: skip


def _export_row(r: NotesRequest) -> tuple[Any, ...]:
    engagement = r.engagement
    return (r.id, r.created_at, r.requester.full_name, engagement.subject if engagement else "",
            engagement.company.name if engagement else "", r.thread.title if r.thread else "", r.justification,
            r.status, r.decided_by.full_name if r.decided_by else "", r.decided_at, r.decision_note,
            r.expires_at)  # fmt: skip


@bp.route("/export.xlsx", defaults=XLSX)
@bp.route("/export.csv", defaults=CSV)
@writes
def export(fmt: str) -> BaseResponse:
    """The list the viewer is on (`?view=`), newest first, audited (R8). Never minutes: the file is
    marked with the most sensitive engagement it names."""
    user, session = actor(), get_session()
    scope, _ = _scope(user)
    found = queries.list_requests(session, scope=scope, viewer_id=user.id, newest_first=True, limit=EXPORT_LIMIT)
    marking = highest(r.engagement.classification for r in found if r.engagement)
    return audited_export(session, register="notes_requests", fmt=fmt, filters={"view": scope.value},
                          header=EXPORT_HEADER, rows=[_export_row(r) for r in found],
                          classification=marking)  # fmt: skip


def _target(form: NotesRequestForm) -> dict[str, Any]:
    """What the form is about: the engagement (with its company) or the thread, for the page."""
    session = get_session()
    engagement_id, thread_id = form.engagement_id.data, form.thread_id.data
    engagement = queries.engagement_for_request(session, engagement_id) if engagement_id else None
    thread = queries.get_thread(session, thread_id) if thread_id and not engagement_id else None
    return {"engagement": engagement, "thread": thread}


def _new_page(form: NotesRequestForm, *, conflict: bool = False) -> str:
    """The form; after a Conflict (duplicate_request) with the notice (submit_form answers 409)."""
    return render_template("notes/new.html", form=form, duplicate=conflict, **_target(form))


@bp.route("/new", methods=["GET", "POST"])
def new() -> Page:
    user = actor()
    refusal = policy.request_refusal(user)
    if refusal:
        raise Forbidden(policy.REFUSAL_MESSAGES[refusal], code=refusal)
    form = NotesRequestForm()
    if request.method == "GET":
        form.engagement_id.data = request.args.get("engagement_id", type=db_id)
        form.thread_id.data = request.args.get("thread_id", type=db_id) if not form.engagement_id.data else None
    saved, outcome = submit_form(
        form,
        lambda s: services.request_notes(
            s,
            actor=user,
            justification=form.justification.data or "",
            engagement_id=form.engagement_id.data,
            thread_id=form.thread_id.data,
        ),  # fmt: skip
        lambda **kw: _new_page(form, **kw),
    )
    if not saved:
        return outcome
    flash("Your request is filed. The focal person or the chair will approve or decline it.", "success")
    return redirect(url_for("notes.detail", request_id=outcome.id))


def _visible(request_id: int) -> tuple[NotesRequest, bool]:
    """The request if the viewer may see it (else 404, so ids reveal nothing), and whether they are focal."""
    user = actor()
    is_focal = _is_focal(user)
    found = queries.get_request(get_session(), request_id)
    if found is None or not policy.can_view(user, found, is_focal_person=is_focal):
        raise NotFound(services.NOT_FOUND)
    return found, is_focal


def _detail(request_id: int, *, approve: ApproveForm | None = None, decline: DeclineForm | None = None,
            revoke: RevokeForm | None = None, conflict: bool = False) -> str:  # fmt: skip
    item, is_focal = _visible(request_id)
    user, now = actor(), utcnow()
    live = policy.is_live(item, now)
    forms: dict[str, ApproveForm | DeclineForm | RevokeForm] = {
        "approve": approve or ApproveForm(formdata=None, version=item.version, days=grant_days()),
        "decline": decline or DeclineForm(formdata=None, version=item.version),
        "revoke": revoke or RevokeForm(formdata=None, version=item.version),
    }
    if conflict:  # a second submit acts on what is now stored
        for form in forms.values():
            form.version.data = item.version
    return render_template(
        "notes/detail.html", item=item, live=live, conflict=conflict, now=now, **forms,
        can_decide=policy.can_decide(user, item, is_focal_person=is_focal),
        can_revoke=policy.can_revoke(user, item, is_focal_person=is_focal, now=now),
        covered=queries.covered_engagements(get_session(), item) if live else [],
        is_requester=item.requester_id == user.id,
    )  # fmt: skip


@bp.route("/<int:request_id>")
def detail(request_id: int) -> str:
    return _detail(request_id)


def _decided(message: str, request_id: int) -> BaseResponse:
    flash(message, "success")
    return redirect(url_for("notes.detail", request_id=request_id))


@bp.route("/<int:request_id>/approve", methods=["POST"])
def approve(request_id: int) -> Page:
    form = ApproveForm()
    saved, outcome = submit_form(
        form,
        lambda s: services.approve_request(
            s, actor=actor(), request_id=request_id, version=form.version.data, days=form.days.data or 0
        ),
        lambda **kw: _detail(request_id, approve=form, **kw),
    )
    if not saved:
        return outcome
    return _decided("Approved: the requester may read the minutes until the grant expires.", request_id)


@bp.route("/<int:request_id>/decline", methods=["POST"])
def decline(request_id: int) -> Page:
    form = DeclineForm()
    saved, outcome = submit_form(
        form,
        lambda s: services.decline_request(
            s, actor=actor(), request_id=request_id, reason=form.reason.data or "", version=form.version.data
        ),
        lambda **kw: _detail(request_id, decline=form, **kw),
    )
    if not saved:
        return outcome
    return _decided("Declined. The requester sees your reason.", request_id)


@bp.route("/<int:request_id>/revoke", methods=["POST"])
def revoke(request_id: int) -> Page:
    form = RevokeForm()
    saved, outcome = submit_form(
        form,
        lambda s: services.revoke_grant(
            s, actor=actor(), request_id=request_id, reason=form.reason.data or "", version=form.version.data
        ),
        lambda **kw: _detail(request_id, revoke=form, **kw),
    )
    if not saved:
        return outcome
    return _decided("The grant is revoked: the minutes are no longer shown to the requester.", request_id)


@bp.route("/minutes/<int:engagement_id>.pdf")
@writes
def minutes_pdf(engagement_id: int) -> Response:
    """A PDF copy of minutes the reader may read (R5, a grant counts), watermarked with their
    name and the time; audited as a read and as an export (R8)."""
    session, user, now = get_session(), actor(), utcnow()
    copy = services.export_minutes(session, actor=user, engagement_id=engagement_id)
    body = pdf.minutes_pdf(copy.engagement, copy.minutes, reader=user.full_name, now=now)
    session.commit()
    response = Response(body, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="minutes-{engagement_id}.pdf"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response
