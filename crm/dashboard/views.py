"""Home: what the signed-in user should do next, by role and designation; for the chair (and
the secretariat, observers and the focal person) the status board; and the charts page."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request

from crm.authz import actor, require_login
from crm.commitments.queries import today as pakistan_today
from crm.dashboard import board, policy
from crm.dashboard.queries import SORTS, Sort
from crm.db import get_session
from crm.designations import queries as designation_queries
from crm.designations.models import DesignationKind
from crm.errors import Forbidden

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
NOT_FOR_YOU = "The status board is for the chair, the secretariat, observers and the focal person."


@bp.route("/")
def home() -> str:
    session = get_session()
    user = actor()
    holders = designation_queries.current_holders(session)
    mine = [d.kind for d in holders.values() if d.user_id == user.id]
    is_focal = DesignationKind.FOCAL_PERSON in mine
    views = current_app.view_functions
    status = None
    if policy.sees_board(user, is_focal_person=is_focal):
        sort = Sort.parse(request.args.get("sort"), request.args.get("dir"))
        status = board.board_context(session, user=user, is_focal_person=is_focal, sort=sort)
    return render_template(
        "dashboard/home.html",
        holders=holders,
        my_designations=mine,
        is_focal_person=is_focal,
        role=user.role.value,
        has={endpoint: endpoint in views for endpoint in NEXT_STEP_PAGES},
        board=status,
        columns=SORTS,
    )


@bp.route("/charts")
def charts() -> str:
    """Engagements per month per company (last 12 months), commitments and directives by status."""
    session, user = get_session(), actor()
    if not policy.sees_board(user, is_focal_person=designation_queries.focal_person_id(session) == user.id):
        raise Forbidden(NOT_FOR_YOU)
    today = pakistan_today()
    return render_template("dashboard/charts.html", monthly=board.monthly_charts(session, today=today),
                           charts=board.status_charts(session, today), today=today)  # fmt: skip
