"""Home: what the signed-in user should do next, by role and designation."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

from crm.authz import actor, require_login
from crm.db import get_session
from crm.designations import queries as designation_queries

bp = Blueprint("dashboard", __name__)
require_login(bp)

# Pages "What comes next" may point to; each link shows only once its page is installed.
NEXT_STEP_PAGES = (
    "designations.index",
    "designations.new",
    "requests.index",
    "requests.new",
    "exceptions.index",
    "exceptions.new",
    "followups.mine",
    "companies.index",
    "threads.board",
    "engagements.index",
)


@bp.route("/")
def home() -> str:
    session = get_session()
    user = actor()
    holders = designation_queries.current_holders(session)
    mine = [d.kind for d in holders.values() if d.user_id == user.id]
    views = current_app.view_functions
    return render_template(
        "dashboard/home.html",
        holders=holders,
        my_designations=mine,
        is_focal_person=any(kind.value == "focal_person" for kind in mine),
        role=user.role.value,
        has={endpoint: endpoint in views for endpoint in NEXT_STEP_PAGES},
    )
