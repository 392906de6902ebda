"""My follow-ups: the signed-in user's open action items, overdue first, and completing one."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from crm.authz import actor, require_login
from crm.db import get_session, utcnow
from crm.errors import NotFound
from crm.followups import policy, queries, services
from crm.followups.forms import CompleteForm
from crm.followups.models import FollowUp
from crm.followups.queries import DueCursor
from crm.formatting import local
from crm.http import MAX_ID, submit_form

bp = Blueprint("followups", __name__, url_prefix="/follow-ups")
require_login(bp)

PAGE_SIZE = 50
# Pages of the records a follow-up links to, shown as links once those pages exist.
RECORD_PAGES = {
    "company": ("companies.profile", "company_id"),
    "thread": ("threads.detail", "thread_id"),
    "engagement": ("engagements.detail", "engagement_id"),
}


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


def _page_context(rows: list[FollowUp]) -> dict[str, object]:
    return {
        "today": local(utcnow()).date(),
        "labels": queries.record_labels(get_session(), rows),
        "links": record_links(),
        "params": {kind: param for kind, (_, param) in RECORD_PAGES.items()},
    }


@bp.route("")
def mine() -> str:
    user = actor()
    rows = queries.my_open_follow_ups(
        get_session(), user=user, after=decode_cursor(request.args.get("after")), limit=PAGE_SIZE + 1
    )
    shown = rows[:PAGE_SIZE]
    return render_template(
        "followups/mine.html",
        rows=shown,
        next_after=encode_cursor(shown[-1]) if len(rows) > PAGE_SIZE else None,
        can_complete={f.id: policy.can_complete(user, f) for f in shown},
        **_page_context(shown),
    )


def _visible(follow_up_id: int) -> FollowUp:
    follow_up = queries.get_follow_up(get_session(), follow_up_id)
    if follow_up is None or not policy.can_view(actor(), follow_up):
        raise NotFound("There is no such follow-up.")
    return follow_up


def _complete_page(follow_up_id: int, form: CompleteForm, *, conflict: bool = False) -> str:
    follow_up = _visible(follow_up_id)
    if conflict or form.version.data is None:
        form.version.data = follow_up.version  # a second submit acts on what is now stored
    return render_template(
        "followups/complete.html", follow_up=follow_up, form=form, conflict=conflict,
        can_complete=policy.can_complete(actor(), follow_up), **_page_context([follow_up]),
    )  # fmt: skip


@bp.route("/<int:follow_up_id>/complete", methods=["GET", "POST"])
def complete(follow_up_id: int) -> Response | str | tuple[str, int]:
    form = CompleteForm()
    saved, outcome = submit_form(
        form,
        lambda session: services.complete_follow_up(
            session, actor=actor(), follow_up_id=follow_up_id, note=form.note.data or "", version=form.version.data
        ),
        lambda **kw: _complete_page(follow_up_id, form, **kw),
    )
    if not saved:
        return outcome
    flash("Marked as done.", "success")
    return redirect(url_for("followups.mine"))
