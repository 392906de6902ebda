"""The audit log page (chair and admin)."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from werkzeug.wrappers import Response

from crm.accounts.models import Role
from crm.audit import queries
from crm.authz import require_login, role_required
from crm.db import get_session
from crm.exports import CSV, EXPORT_LIMIT, XLSX, audited_export
from crm.http import db_id, writes

bp = Blueprint("audit", __name__, url_prefix="/audit")
require_login(bp)

PAGE_SIZE = 50


@bp.route("/")
@role_required(Role.ADMIN, Role.CHAIR)
def events() -> str:
    before = request.args.get("before", type=db_id)
    rows = queries.list_events(get_session(), before_seq=before, limit=PAGE_SIZE + 1)
    next_before = rows[PAGE_SIZE - 1].seq if len(rows) > PAGE_SIZE else None
    return render_template("audit/events.html", events=rows[:PAGE_SIZE], next_before=next_before)


EXPORT_HEADER = ("Seq", "When (PKT)", "Who", "Action", "Record type", "Record id", "Address", "Hash")


@bp.route("/events.xlsx", defaults=XLSX)
@bp.route("/events.csv", defaults=CSV)
@role_required(Role.ADMIN, Role.CHAIR)
@writes
def export(fmt: str) -> Response:
    """The newest EXPORT_LIMIT events (what the page lists; never before/after values), audited (R8)."""
    session = get_session()
    found = queries.list_events(session, limit=EXPORT_LIMIT)
    rows = [(e.seq, e.occurred_at, e.actor_label, e.action, e.target_type, e.target_id, e.ip, e.hash) for e in found]
    return audited_export(session, register="audit_events", fmt=fmt, filters={}, header=EXPORT_HEADER, rows=rows,
                          filename="audit-log")  # fmt: skip
