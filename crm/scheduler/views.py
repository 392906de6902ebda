"""The admin's scheduler health page: each job's last run and error, the lock, the outbox."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template

from crm.accounts.models import Role
from crm.authz import actor, require_login, role_required
from crm.db import get_session, utcnow
from crm.scheduler import policy, queries

bp = Blueprint("scheduler", __name__)
require_login(bp)


@bp.route("/admin/scheduler")
@role_required(Role.ADMIN)
def health() -> str:
    if not policy.can_view_health(actor()):
        abort(403, "Your role does not give access to this page.")
    session = get_session()
    return render_template(
        "scheduler/health.html",
        jobs=queries.job_health(session, current_app.config),
        lease=queries.current_lease(session),
        outbox=queries.outbox_counts(session),
        now=utcnow(),
    )
