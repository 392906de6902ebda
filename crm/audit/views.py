"""The audit log page (chair and admin)."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from crm.accounts.models import Role
from crm.audit import queries
from crm.authz import require_login, role_required
from crm.db import get_session
from crm.http import db_id

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
