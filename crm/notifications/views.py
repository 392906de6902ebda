"""The notification centre: the signed-in user's notifications, marking them read, and the
header's unread count (one query per page at most)."""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response

from crm.authz import actor, require_login
from crm.db import get_session
from crm.http import db_id, safe_next
from crm.notifications import queries, services

bp = Blueprint("notifications", __name__, url_prefix="/notifications")
require_login(bp)
log = logging.getLogger(__name__)

PAGE_SIZE = 50
SHOWS = {"all": "All", "unread": "Unread"}


def unread_notifications() -> int | None:
    """The signed-in user's unread count for the header, queried once per request (on `g`),
    and only when a template asks; None for anonymous visitors."""
    viewer = g.get("viewer")
    if viewer is None:
        return None
    if "unread_notifications" not in g:
        try:
            g.unread_notifications = queries.unread_count(get_session(), viewer.id)
        except SQLAlchemyError:
            # An error page is being shown after a database failure: a count is not worth a second one.
            log.warning("unread count unavailable", exc_info=True)
            g.unread_notifications = None
    count: int | None = g.unread_notifications
    return count


@bp.app_context_processor
def _header_count() -> dict[str, Any]:
    return {"unread_notifications": unread_notifications}


def local_target(link: str) -> str:
    """Where a notification's link leads on this site: an absolute link to PUBLIC_URL becomes
    its path; anything that is not a path on this site leads back to the centre."""
    public = current_app.config.get("PUBLIC_URL", "")
    if public and link.startswith(public + "/"):
        link = link[len(public) :]
    return safe_next(link, url_for("notifications.index"))


@bp.route("")
def index() -> str:
    show = request.args.get("show") if request.args.get("show") in SHOWS else "all"
    rows = queries.list_for_user(
        get_session(), user_id=actor().id, unread_only=show == "unread",
        before_id=request.args.get("before", type=db_id), limit=PAGE_SIZE + 1,
    )  # fmt: skip
    shown = rows[:PAGE_SIZE]
    return render_template(
        "notifications/index.html",
        rows=shown,
        show=show,
        shows=SHOWS,
        next_before=shown[-1].id if len(rows) > PAGE_SIZE else None,
    )


@bp.post("/<int:notification_id>/read")
def read(notification_id: int) -> Response:
    """Mark read, then follow the notification's link (or return to the list with `stay`)."""
    session = get_session()
    notification = services.mark_read(session, actor=actor(), notification_id=notification_id)
    session.commit()
    back = url_for("notifications.index", show=request.form.get("show") if request.form.get("show") in SHOWS else None)
    if request.form.get("stay") or not notification.link:
        return redirect(back)
    return redirect(local_target(notification.link))


@bp.post("/read-all")
def read_all() -> Response:
    session = get_session()
    count = services.mark_all_read(session, actor=actor())
    session.commit()
    message = f"{count} notification{'s' if count != 1 else ''} marked as read." if count else "Nothing was unread."
    flash(message, "success")
    return redirect(url_for("notifications.index"))
