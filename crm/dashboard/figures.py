"""The figures behind the charts: grouped counts, one query a chart.

Months are Pakistan's calendar months: an engagement at 22:00 UTC on the 31st belongs to the
next month in Islamabad. Pakistan keeps UTC+5 all year, which SQLite's date functions can add;
PostgreSQL converts with the zone's name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.orm import Session

from crm.commitments.models import CommitmentStatus
from crm.commitments.queries import status_totals
from crm.companies.models import Company
from crm.dashboard.charts import Bar
from crm.directives.models import Directive, DirectiveStatus
from crm.engagements.models import Engagement
from crm.formatting import KARACHI

MONTHS = 12
MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def commitments_by_status(session: Session, *, today: date, company_id: int | None = None) -> list[Bar]:
    """Commitments in each status, with the open ones split into on time and overdue."""
    counts, late_open = status_totals(session, on=today, company_id=company_id)
    total_open = counts.get(CommitmentStatus.OPEN, 0)
    bars = [Bar("Open, on time", total_open - late_open), Bar("Open, overdue", late_open)]
    bars += [Bar(status.label, counts.get(status, 0)) for status in CommitmentStatus if status.is_closed]
    return bars


DIRECTIVE_ORDER = (DirectiveStatus.NOT_STARTED, DirectiveStatus.ON_SCHEDULE, DirectiveStatus.BEHIND_SCHEDULE,
                   DirectiveStatus.COMPLETED, DirectiveStatus.SUPERSEDED)  # fmt: skip


def directive_progress(session: Session, *, today: date) -> list[Bar]:
    """Directives by status as the tracker states it: an open one past its due date counts as
    behind schedule whatever was last declared (crm.directives.policy.is_behind)."""
    open_statuses = [s for s in DirectiveStatus if s.is_open]
    late = and_(Directive.status.in_(open_statuses), Directive.due_date < today)
    # Grouped through a subquery: PostgreSQL would not match a GROUP BY whose bound
    # parameters are numbered apart from the select list's.
    standing = select(case((late, DirectiveStatus.BEHIND_SCHEDULE.value), else_=Directive.status).label("s")).subquery()
    query = select(standing.c.s, func.count()).group_by(standing.c.s)
    counts = {DirectiveStatus(status): int(total) for status, total in session.execute(query)}
    return [Bar(status.label, counts.get(status, 0)) for status in DIRECTIVE_ORDER]


def month_starts(today: date, months: int = MONTHS) -> list[date]:
    """The first day of each of the last `months` months, oldest first, this month last."""
    index = today.year * 12 + today.month - 1
    return [date((i // 12), i % 12 + 1, 1) for i in range(index - months + 1, index + 1)]


def month_label(month: date) -> str:
    return f"{MONTH_NAMES[month.month - 1]} {month.year % 100:02d}"


def _month_of(session: Session) -> ColumnElement[str]:
    """`YYYY-MM` of an engagement's time in Pakistan, in the database's own dialect."""
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone("Asia/Karachi", Engagement.occurred_at), "YYYY-MM")
    return func.strftime("%Y-%m", Engagement.occurred_at, "+5 hours")


@dataclass(frozen=True)
class MonthlySeries:
    company_id: int
    company: str
    counts: list[int]

    @property
    def total(self) -> int:
        return sum(self.counts)


def engagements_per_month(
    session: Session, *, today: date, company_id: int | None = None, months: int = MONTHS
) -> tuple[list[date], list[MonthlySeries]]:
    """Engagements per Pakistani month per company over the last `months` months (this one
    included), busiest company first; companies without any engagement then are left out."""
    starts = month_starts(today, months)
    since = datetime.combine(starts[0], time(), tzinfo=KARACHI).astimezone(UTC)
    inner = select(Engagement.company_id, _month_of(session).label("month")).where(Engagement.occurred_at >= since)
    if company_id is not None:
        inner = inner.where(Engagement.company_id == company_id)
    rows = inner.subquery()
    query = (
        select(Company.id, Company.name, rows.c.month, func.count())
        .join(rows, rows.c.company_id == Company.id)
        .group_by(Company.id, Company.name, rows.c.month)
    )
    keys = {f"{m.year:04d}-{m.month:02d}": n for n, m in enumerate(starts)}
    series: dict[int, MonthlySeries] = {}
    for cid, name, key, count in session.execute(query):
        entry = series.setdefault(cid, MonthlySeries(cid, name, [0] * len(starts)))
        if key in keys:
            entry.counts[keys[key]] += int(count)
    return starts, sorted(series.values(), key=lambda s: (-s.total, s.company.lower()))
