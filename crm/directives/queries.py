"""Reading directives: the tracker (the PMO's table), one directive with its reports and files,
the latest progress per directive, and the milestones. Loading is decided here: a fixed
number of queries per page, whatever the number of directives or reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session, joinedload, raiseload, selectinload

from crm.directives.models import (
    Directive,
    DirectiveStatus,
    Milestone,
    MilestoneRecord,
    ProgressReport,
    directive_organisations,
)
from crm.engagements.models import Attachment
from crm.http import MAX_ID

TRACKER_LIMIT = 500  # a tracker is a letter's table, not a log: more than this is a mistake


@dataclass(frozen=True)
class Filters:
    """The tracker's filters; `today` (Pakistan's) decides what is overdue."""

    today: date
    status: DirectiveStatus | None = None
    overdue: bool = False
    organisation_id: int | None = None
    source_ref: str | None = None

    def as_dict(self) -> dict[str, Any]:
        values = {"status": self.status.value if self.status else None, "overdue": self.overdue or None,
                  "organisation_id": self.organisation_id, "source_ref": self.source_ref}  # fmt: skip
        return {k: v for k, v in values.items() if v is not None}


def _overdue(today: date) -> ColumnElement[bool]:
    return and_(
        Directive.status.in_([s for s in DirectiveStatus if s.is_open]),
        Directive.due_date.is_not(None),
        Directive.due_date < today,
    )


def _filtered(query: Select[Any], filters: Filters) -> Select[Any]:
    if filters.status is not None:
        query = query.where(Directive.status == filters.status)
    if filters.overdue:
        query = query.where(_overdue(filters.today))
    if filters.organisation_id is not None:
        query = query.where(
            Directive.id.in_(
                select(directive_organisations.c.directive_id).where(
                    directive_organisations.c.organisation_id == filters.organisation_id
                )
            )
        )
    if filters.source_ref:
        query = query.where(Directive.source_ref == filters.source_ref)
    return query


def serial_key(directive: Directive) -> tuple[int, int, str]:
    """Numbers first in numeric order (1, 2, ... 10), then letters (B) as the letter lists them."""
    serial = directive.serial
    return (0, int(serial), "") if serial.isdigit() else (1, 0, serial)


def tracker(session: Session, *, filters: Filters) -> list[Directive]:
    """Directives matching the filters, with their organisations, grouped by letter (oldest
    first) and in the letter's own order of serials. Two queries."""
    query = _filtered(
        select(Directive).options(selectinload(Directive.organisations), raiseload("*")), filters
    ).order_by(Directive.source_date, Directive.source_ref, Directive.id)
    rows = list(session.scalars(query.limit(TRACKER_LIMIT)))
    return sorted(rows, key=lambda d: (d.source_date, d.source_ref, *serial_key(d)))


def list_directives(
    session: Session, *, filters: Filters, after_id: int | None = None, limit: int = 50
) -> list[Directive]:
    """Directives by id (keyset on id), with their organisations, for the API."""
    query = _filtered(select(Directive).options(selectinload(Directive.organisations), raiseload("*")), filters)
    if after_id is not None:
        query = query.where(Directive.id > after_id)
    return list(session.scalars(query.order_by(Directive.id).limit(limit)))


def get_directive(session: Session, directive_id: int) -> Directive | None:
    """One directive with its organisations loaded (None when unknown or out of range)."""
    if not 0 < directive_id <= MAX_ID:
        return None
    query = select(Directive).options(selectinload(Directive.organisations)).where(Directive.id == directive_id)
    return session.scalar(query)


def latest_reports(session: Session, directive_ids: list[int]) -> dict[int, ProgressReport]:
    """The most recent progress report of each directive (by date, then id), with its
    organisation: one query."""
    if not directive_ids:
        return {}
    newest = (
        select(func.max(ProgressReport.id))
        .where(ProgressReport.directive_id.in_(directive_ids))
        .group_by(ProgressReport.directive_id)
    )
    # Latest by id within a directive: reports are added in order; a back-dated one is still
    # the latest news the tracker has.
    query = (
        select(ProgressReport)
        .options(joinedload(ProgressReport.organisation), raiseload("*"))
        .where(ProgressReport.id.in_(newest))
    )
    return {r.directive_id: r for r in session.scalars(query)}


def reports_of(session: Session, directive_id: int) -> list[ProgressReport]:
    """A directive's progress reports, newest first, with organisation and reporter."""
    query = (
        select(ProgressReport)
        .options(joinedload(ProgressReport.organisation), joinedload(ProgressReport.reported_by), raiseload("*"))
        .where(ProgressReport.directive_id == directive_id)
        .order_by(ProgressReport.reported_on.desc(), ProgressReport.id.desc())
    )
    return list(session.scalars(query))


def files_of(session: Session, report_ids: list[int]) -> dict[int, list[Attachment]]:
    """The files of these progress reports, by report: one query."""
    if not report_ids:
        return {}
    query = (
        select(Attachment)
        .options(raiseload("*"))
        .where(Attachment.progress_report_id.in_(report_ids))
        .order_by(Attachment.id)
    )
    files: dict[int, list[Attachment]] = {}
    for attachment in session.scalars(query):
        files.setdefault(attachment.progress_report_id or 0, []).append(attachment)
    return files


def milestones(session: Session) -> dict[Milestone, MilestoneRecord]:
    """The recorded milestones, by key."""
    return {row.key: row for row in session.scalars(select(MilestoneRecord))}


def superseding(session: Session, directives: list[Directive]) -> dict[int, str]:
    """Directive id -> "<serial> of <letter>" of the directives that superseded these: one query."""
    ids = {d.superseded_by_id for d in directives if d.superseded_by_id}
    if not ids:
        return {}
    query = select(Directive.id, Directive.serial, Directive.source_ref).where(Directive.id.in_(ids))
    return {row.id: f"{row.serial} of {row.source_ref}" for row in session.execute(query)}


def source_refs(session: Session) -> list[str]:
    """The letters the tracker holds, for the filter."""
    return list(session.scalars(select(Directive.source_ref).distinct().order_by(Directive.source_ref)))


def directive_choices(session: Session, *, exclude_id: int | None = None) -> list[tuple[int, str]]:
    """(id, "serial — letter: text…") of every directive, for choosing a superseding one."""
    query = select(Directive.id, Directive.serial, Directive.source_ref, Directive.text).order_by(Directive.id)
    if exclude_id is not None:
        query = query.where(Directive.id != exclude_id)
    return [(r.id, f"{r.serial} — {r.source_ref}: {r.text[:80]}") for r in session.execute(query)]


def overdue_open(session: Session, *, first: date, last: date) -> list[Directive]:
    """Open directives due between `first` and `last` (inclusive), with their organisations."""
    query = (
        select(Directive)
        .options(selectinload(Directive.organisations), raiseload("*"))
        .where(
            Directive.status.in_([s for s in DirectiveStatus if s.is_open]),
            Directive.due_date >= first,
            Directive.due_date <= last,
        )
        .order_by(Directive.due_date, Directive.id)
    )
    return list(session.scalars(query))


def count_behind(session: Session, today: date) -> int:
    """How many open directives are behind schedule (declared, or past their due date)."""
    query = select(func.count(Directive.id)).where(
        or_(Directive.status == DirectiveStatus.BEHIND_SCHEDULE, _overdue(today))
    )
    return session.scalar(query) or 0
