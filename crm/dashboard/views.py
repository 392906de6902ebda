"""Home: what the signed-in user should do next, by role and designation."""

from __future__ import annotations

from flask import Blueprint, render_template

from crm.authz import actor, require_login
from crm.db import get_session
from crm.designations import queries as designation_queries

bp = Blueprint("dashboard", __name__)
require_login(bp)


@bp.route("/")
def home() -> str:
    session = get_session()
    user = actor()
    holders = designation_queries.current_holders(session)
    mine = [d.kind for d in holders.values() if d.user_id == user.id]
    return render_template("dashboard/home.html", holders=holders, my_designations=mine, role=user.role.value)
