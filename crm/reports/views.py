"""The chair's briefs: the weekly brief and the one-page brief on a company, each as a
printable page and as a PDF. Every copy is audited before it is served (R8)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import Blueprint, Response, render_template
from sqlalchemy.orm import Session

from crm.accounts.models import User
from crm.authz import actor, require_login
from crm.commitments.queries import today as pakistan_today
from crm.dashboard import figures, policy
from crm.dashboard.charts import Bar, column_chart
from crm.db import get_session, utcnow
from crm.errors import Forbidden, NotFound
from crm.formatting import format_date, local
from crm.http import writes
from crm.markdown import render as markdown
from crm.pdf import MarkedPdf
from crm.reports import pdf, queries, services, weekly
from crm.reports.queries import CompanyBrief, MinutesAccess

bp = Blueprint("reports", __name__)
require_login(bp)


def _reader(session: Session) -> tuple[User, MinutesAccess, datetime]:
    user, now = actor(), utcnow()
    access = queries.minutes_access(session, reader=user, now=now)
    if not policy.sees_board(user, is_focal_person=access.is_focal_person):
        raise Forbidden(services.NOT_FOR_YOU, code=services.NOT_PERMITTED)
    return user, access, now


def _audit(session: Session, access: MinutesAccess, brief: Any, name: str, fmt: str) -> None:
    services.record_brief_export(session, actor=access.reader, brief=name, fmt=fmt, marking=brief.marking,
                                 minutes_of=brief.minutes_shown, is_focal_person=access.is_focal_person)  # fmt: skip
    session.commit()


def _pdf_response(document: MarkedPdf, filename: str) -> Response:
    response = Response(document.output(), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"  # a marked document is not left in caches
    return response


@bp.route("/reports/weekly", endpoint="weekly")
@writes
def weekly_brief() -> str:
    """The weekly brief as a printable page."""
    session = get_session()
    user, access, now = _reader(session)
    brief = weekly.weekly_brief(session, access=access, today=pakistan_today())
    _audit(session, access, brief, "weekly", "html")
    return render_template("reports/weekly.html", brief=brief, now=now, withheld=pdf.withheld, markdown=markdown)


@bp.route("/reports/weekly.pdf")
@writes
def weekly_pdf() -> Response:
    session = get_session()
    user, access, now = _reader(session)
    brief = weekly.weekly_brief(session, access=access, today=pakistan_today())
    _audit(session, access, brief, "weekly", "pdf")
    document = pdf.weekly_document(brief, reader=user.full_name, now=now)
    return _pdf_response(document, f"weekly-brief-{format_date(brief.end)}-{brief.marking.value.upper()}.pdf")


def _company_brief(session: Session, access: MinutesAccess, company_id: int, today: date) -> CompanyBrief:
    brief = queries.company_brief(session, company_id=company_id, access=access, today=today)
    if brief is None:
        raise NotFound("There is no such company.")
    return brief


def _months(session: Session, company_id: int, today: date) -> list[Bar]:
    months, series = figures.engagements_per_month(session, today=today, company_id=company_id)
    counts = series[0].counts if series else [0] * len(months)
    return [Bar(figures.month_label(m), c) for m, c in zip(months, counts, strict=True)]


def _last_contact(brief: CompanyBrief, today: date) -> str:
    if brief.last_contact is None:
        return "never"
    days = (today - local(brief.last_contact).date()).days
    return f"{format_date(brief.last_contact)} ({days} day{'' if days == 1 else 's'} ago)"


@bp.route("/companies/<int:company_id>/brief")
@writes
def company_brief(company_id: int) -> str:
    """The one-page brief on a company as a printable page."""
    session, today = get_session(), pakistan_today()
    user, access, now = _reader(session)
    brief = _company_brief(session, access, company_id, today)
    months = _months(session, company_id, today)
    _audit(session, access, brief, f"company:{company_id}", "html")
    chart = column_chart("chart-brief-months", f"Engagements per month with {brief.company.name}", months,
                         unit="engagement")  # fmt: skip
    return render_template("reports/company.html", brief=brief, now=now, months=months, chart=chart,
                           last_contact=_last_contact(brief, today), withheld=pdf.withheld,
                           markdown=markdown)  # fmt: skip


@bp.route("/companies/<int:company_id>/brief.pdf")
@writes
def company_brief_pdf(company_id: int) -> Response:
    session, today = get_session(), pakistan_today()
    user, access, now = _reader(session)
    brief = _company_brief(session, access, company_id, today)
    months = [(bar.label, bar.value) for bar in _months(session, company_id, today)]
    _audit(session, access, brief, f"company:{company_id}", "pdf")
    document = pdf.company_document(brief, months, reader=user.full_name, now=now,
                                    last_contact=_last_contact(brief, today))  # fmt: skip
    return _pdf_response(document, f"brief-company-{company_id}-{format_date(today)}-{brief.marking.value.upper()}.pdf")
