"""Saved filters: save the current list's filter under a name, follow it, delete it.

The list pages include `templates/filters/_saved.html`; its data comes from the context
processor below (one query, on those pages only), so no list handler changes and no
template queries. A refused save goes back to the list with the typed name and the reason.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, g, redirect, request, session, url_for
from werkzeug.wrappers import Response

from crm.authz import actor, require_login
from crm.db import get_session
from crm.errors import Invalid
from crm.filters import policy, queries, services
from crm.filters.forms import DeleteFilterForm, SaveFilterForm

bp = Blueprint("filters", __name__, url_prefix="/filters")
require_login(bp)

FORM_PREFIX = "saved"  # field ids unique beside the list's own filter form
DRAFT_KEY = "saved_filter_draft"  # the refused name and reason, shown once on the list page


def page_url(page: str, query: str) -> str:
    """The list page with a saved query string."""
    base = url_for(page)
    return f"{base}?{query}" if query else base


@bp.route("", methods=["POST"])
def save() -> Response:
    form = SaveFilterForm(prefix=FORM_PREFIX)
    page = form.page.data if form.page.data in policy.PAGES else "dashboard.home"
    query = queries.clean_query(form.query.data or "")
    back = page_url(page, query)
    if not form.validate_on_submit():
        return _refused(page, form.name.data or "", _first_error(form), back)
    db = get_session()
    try:
        with db.begin_nested():
            saved = services.save_filter(db, actor=actor(), page=page, name=form.name.data or "", query=query)
    except Invalid as error:
        return _refused(page, form.name.data or "", next(iter(error.fields.get("name", [])), error.message), back)
    db.commit()
    flash(f"The filter “{saved.name}” is saved.", "success")
    return redirect(page_url(page, saved.query), code=303)


def _first_error(form: SaveFilterForm) -> str:
    if form.csrf_token.errors:
        return "Your form expired or was sent from elsewhere. Please submit it again."
    return next((e for errors in form.errors.values() for e in errors), "Name the filter.")


def _refused(page: str, name: str, reason: str, back: str) -> Response:
    session[DRAFT_KEY] = {"page": page, "name": name.strip()[: policy.NAME_MAX], "error": reason}
    flash(f"The filter was not saved: {reason}", "error")
    return redirect(back, code=303)


@bp.route("/<int:filter_id>/delete", methods=["POST"])
def delete(filter_id: int) -> Response:
    form = DeleteFilterForm()
    if not form.validate_on_submit():
        flash("Your form expired or was sent from elsewhere. Please submit it again.", "error")
        return redirect(url_for("dashboard.home"), code=303)
    db = get_session()
    removed = services.delete_filter(db, actor=actor(), filter_id=filter_id)
    db.commit()
    flash(f"The saved filter “{removed.name}” is deleted.", "success")
    return redirect(page_url(removed.page, request.form.get("return_query", "")), code=303)


@bp.app_context_processor
def saved_filters_panel() -> dict[str, Any]:
    """`saved_filters` for the list pages that offer them (GET, signed in), else nothing."""
    page = request.endpoint or ""
    if page not in policy.PAGES or request.method != "GET" or g.get("viewer") is None:
        return {}
    user_id, current = g.viewer.id, queries.clean_query(request.query_string.decode())
    draft = session.pop(DRAFT_KEY, None) if session.get(DRAFT_KEY, {}).get("page") == page else None
    form = SaveFilterForm(formdata=None, prefix=FORM_PREFIX, page=page, query=current,
                          name=draft["name"] if draft else "")  # fmt: skip
    if draft:
        form.name.errors = [draft["error"]]
    db = get_session()
    return {"saved_filters": {
        "page": page,
        "items": [(f, page_url(page, f.query)) for f in queries.list_filters(db, user_id=user_id, page=page)],
        "form": form,
        "current": current,
    }}  # fmt: skip
