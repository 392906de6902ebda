"""What the status board and the charts page show a viewer: rows, panels and charts.

Each panel is included only when the viewer may see every record of its kind under that
feature's own policy; otherwise the panel is left out (never shown partially filled).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from markupsafe import Markup
from sqlalchemy.orm import Session

from crm.accounts.models import User
from crm.commitments.queries import today as pakistan_today
from crm.dashboard import figures, panels
from crm.dashboard.charts import Bar, bar_chart, column_chart
from crm.dashboard.queries import Sort, board_rows
from crm.exceptions import policy as exceptions_policy
from crm.followups import policy as followups_policy
from crm.notes import policy as notes_policy

SMALL_MULTIPLES = 8  # companies drawn on the charts page; the table beside them lists all


def status_charts(session: Session, today: date) -> list[dict[str, Any]]:
    """The two charts of the board: commitments by status and directive progress."""
    commitments = figures.commitments_by_status(session, today=today)
    directives = figures.directive_progress(session, today=today)
    return [
        {"id": "chart-commitments", "title": "Commitments by status", "bars": commitments, "unit": "commitment",
         "svg": bar_chart("chart-commitments", "Commitments by status", commitments, unit="commitment")},
        {"id": "chart-directives", "title": "Directive progress", "bars": directives, "unit": "directive",
         "svg": bar_chart("chart-directives", "Directive progress by status", directives, unit="directive")},
    ]  # fmt: skip


def board_context(session: Session, *, user: User, is_focal_person: bool, sort: Sort) -> dict[str, Any]:
    """Everything the board shows this viewer, in a constant number of queries."""
    today = pakistan_today()
    # Every panel in one statement; a panel the viewer may not see in full is not asked for.
    specs = [spec(today) for spec in panels.OVERDUE] + [panels.directives_behind_spec(today)]
    if exceptions_policy.sees_all(user):
        specs.append(panels.open_exceptions_spec())
    if notes_policy.sees_all(user, is_focal_person=is_focal_person):
        specs.append(panels.pending_notes_requests_spec())
    found = panels.panels_together(session, specs)
    by_kind = {panel.label: panel for panel in found[len(panels.OVERDUE) :]}
    context: dict[str, Any] = {
        "today": today,
        "sort": sort,
        "rows": board_rows(session, today=today, sort=sort),
        "overdue": found[: len(panels.OVERDUE)],
        "behind": found[len(panels.OVERDUE)],
        "exceptions": by_kind.get(panels.EXCEPTIONS_LABEL),
        "notes": by_kind.get(panels.NOTES_LABEL),
        "charts": status_charts(session, today),
        "oversees_follow_ups": followups_policy.can_oversee(user),
    }
    return context


def monthly_charts(session: Session, *, today: date, company_id: int | None = None) -> dict[str, Any]:
    """Engagements per month: one small chart per busy company, and every company's figures."""
    months, series = figures.engagements_per_month(session, today=today, company_id=company_id)
    labels = [figures.month_label(m) for m in months]
    charts: list[tuple[figures.MonthlySeries, Markup]] = []
    for n, entry in enumerate(series[:SMALL_MULTIPLES]):
        bars = [Bar(label, count) for label, count in zip(labels, entry.counts, strict=True)]
        title = f"Engagements per month with {entry.company}, {labels[0]} to {labels[-1]}"
        charts.append((entry, column_chart(f"chart-month-{n}", title, bars, unit="engagement")))
    return {"months": months, "labels": labels, "series": series, "charts": charts}
