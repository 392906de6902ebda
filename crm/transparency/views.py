"""Transparency returns of meetings with the companies (UNCLASSIFIED engagements only).

Two publication formats, each as CSV or XLSX:
- UK "ministerial meetings": Minister, Date, Name of organisation or individual, Purpose of meeting.
  The NSMCWG focal person who held the designation that day stands for the minister.
- EU "meetings of Commissioners": Date, Location, Name of interest representative(s),
  Participants, Subject(s). Participants are the government organisations present.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from flask import Blueprint, render_template, request
from werkzeug.wrappers import Response

from crm.authz import actor, require_login
from crm.db import get_session
from crm.engagements.models import Engagement
from crm.errors import Forbidden
from crm.exports import audited_export
from crm.formatting import KARACHI
from crm.http import writes
from crm.transparency import policy, queries
from crm.transparency.forms import RangeForm

bp = Blueprint("transparency", __name__, url_prefix="/transparency")
require_login(bp)

UK_HEADER = ("Minister", "Date", "Name of organisation or individual", "Purpose of meeting")
EU_HEADER = ("Date", "Location", "Name of interest representative(s)", "Participants", "Subject(s)")
VACANT = "NSMCWG (focal person post vacant)"


@bp.before_request
def _readers_only() -> None:
    if not policy.can_export(actor()):
        raise Forbidden("Transparency returns are for the chair, the secretariat, members and observers.")


def _last_quarter(today: date) -> tuple[date, date]:
    first_of_quarter = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    end = first_of_quarter - timedelta(days=1)
    return date(end.year, end.month - 2, 1), end


def _form() -> RangeForm:
    start, end = _last_quarter(_today())
    return RangeForm(request.args if request.args else None, date_from=start, date_to=end)


def _today() -> date:
    return datetime.now(KARACHI).date()


@bp.route("")
def index() -> tuple[str, int] | str:
    form = _form()
    valid = form.validate() if request.args else True
    return _page(form) if valid else (_page(form), 422)


def _page(form: RangeForm) -> str:
    start, end = form.date_from.data, form.date_to.data
    if not start or not end or form.errors:
        return render_template("transparency/index.html", form=form, count=None, args={})
    count = queries.count_publishable(get_session(), date_from=start, date_to=end)
    args = {"date_from": start.isoformat(), "date_to": end.isoformat()}
    return render_template("transparency/index.html", form=form, count=count, args=args)


def _uk_row(e: Engagement, history: queries.FocalHistory) -> tuple[Any, ...]:
    return (history.holder_at(e.occurred_at) or VACANT, e.occurred_at.astimezone(KARACHI).date(), e.company.name,
            e.subject)  # fmt: skip


def _eu_row(e: Engagement) -> tuple[Any, ...]:
    location = e.location or e.kind.label
    participants = "; ".join(o.short_name for o in e.organisations)
    return (e.occurred_at.astimezone(KARACHI).date(), location, e.company.name, participants, e.subject)


@bp.route("/<any(uk, eu):style>.<any(csv, xlsx):fmt>")
@writes
def export(style: str, fmt: str) -> Response | tuple[str, int]:
    """One return for the range, audited as an export (R8); a bad range re-shows the form (422)."""
    form = _form()
    if not form.validate():
        return _page(form), 422
    session, start, end = get_session(), form.date_from.data, form.date_to.data
    if start is None or end is None:  # validated above; for the type checker
        return _page(form), 422
    rows = queries.publishable_meetings(session, date_from=start, date_to=end)
    header: tuple[str, ...] = UK_HEADER if style == "uk" else EU_HEADER
    if style == "uk":
        history = queries.focal_history(session)
        table = [_uk_row(e, history) for e in rows]
    else:
        table = [_eu_row(e) for e in rows]
    return audited_export(session, register="transparency", fmt=fmt, header=header, rows=table,
                          filters={"style": style, "date_from": start.isoformat(), "date_to": end.isoformat()},
                          filename=f"meetings-{style}-transparency")  # fmt: skip
