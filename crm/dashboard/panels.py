"""The board's panels: what is overdue, what awaits the chair, what is behind schedule.

Each panel is a query for its first few items, oldest due first, and its total. The board
reads all its panels in one statement (`panels_together`: a UNION ALL of each panel's
limited query, each with its total as a COUNT subquery over the panel's own table, which an
index on (status, due date) answers without reading the rows); the weekly report reads a
panel alone (`_panel`). Either way the number of statements does not grow with the data.
Which panels a viewer gets is decided by the view from each feature's policy.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Date, Select, String, cast, func, literal, null, or_, select, union_all
from sqlalchemy.orm import Session, aliased

from crm.accounts.models import User
from crm.commitments.models import Commitment
from crm.commitments.queries import overdue_condition as commitment_overdue
from crm.companies.models import Company
from crm.datarequests.models import DataRequest
from crm.datarequests.queries import late_condition
from crm.directives.models import Directive, DirectiveStatus
from crm.engagements.models import Engagement
from crm.exceptions.models import ChannelException, ExceptionStatus
from crm.followups.models import FollowUp, FollowUpStatus
from crm.notes.models import NotesRequest, NotesRequestStatus
from crm.organisations.models import Organisation
from crm.reviews.models import DraftReview
from crm.reviews.queries import overdue_condition as review_overdue
from crm.threads.models import Thread

PANEL_ITEMS = 5
EXCEPTIONS_LABEL = "Channel exceptions awaiting review"
NOTES_LABEL = "Notes requests awaiting decision"


@dataclass(frozen=True)
class Item:
    """One line of a panel: the record's id (for its link), what it is, when, and whose."""

    id: int
    title: str
    due: date | None
    detail: str
    note: str = ""


@dataclass(frozen=True)
class Panel:
    kind: str  # follow_ups, commitments, directives, data_requests, draft_reviews, exceptions, notes
    label: str
    total: int
    items: list[Item]


# Any width of row: each panel selects (id, title, due, detail[, note]).
Rows = Select[*tuple[Any, ...]]


@dataclass(frozen=True)
class Spec:
    """A panel's definition: its rows (ordered by due date then id, undated last, or by id
    when it has no dates) and the table whose matching rows its total counts."""

    kind: str
    label: str
    query: Rows
    table: Any

    def total(self) -> Any:
        """COUNT over the panel's own table and conditions: its joins are many-to-one on
        non-null keys, so they change no count, and without them the count is index-only."""
        query = select(func.count()).select_from(self.table)
        if self.query.whereclause is not None:
            query = query.where(self.query.whereclause)
        return query.correlate(None).scalar_subquery()


def _panel(session: Session, spec: Spec, limit: int) -> Panel:
    """One panel alone (the weekly report): its rows and total in one statement."""
    rows = list(session.execute(spec.query.add_columns(spec.total().label("total")).limit(limit)))
    items = [Item(*row[:-1]) for row in rows]
    return Panel(spec.kind, spec.label, int(rows[0].total) if rows else 0, items)


def panels_together(session: Session, specs: Sequence[Spec], limit: int = PANEL_ITEMS) -> list[Panel]:
    """Several panels in one statement: each panel's first `limit` rows (its own ORDER BY and
    LIMIT, in a subquery) and its total, UNION ALL'd; rows are put back in each panel's order
    (due date, undated last, then id: the order every panel's query uses) here."""
    parts = []
    for number, spec in enumerate(specs):
        first = spec.query.limit(limit).subquery()
        columns = list(first.c)
        note = columns[4] if len(columns) > 4 else cast(null(), String)
        # Only the notes panel has no dates (a bare NULL): typed, so that PostgreSQL unites it.
        due = columns[2] if isinstance(columns[2].type, Date) else cast(null(), Date)
        parts.append(select(literal(number).label("panel"), columns[0], columns[1], due, columns[3], note,
                            spec.total().label("total")))  # fmt: skip
    found: list[list[Any]] = [[] for _ in specs]
    for row in session.execute(union_all(*parts)):
        found[row[0]].append(row)
    result = []
    for spec, rows in zip(specs, found, strict=True):
        items = sorted((Item(row[1], row[2], row[3], row[4], row[5] or "") for row in rows), key=_order)
        result.append(Panel(spec.kind, spec.label, int(rows[0][6]) if rows else 0, items))
    return result


def _order(item: Item) -> tuple[bool, date, int]:
    return (item.due is None, item.due or date.min, item.id)


def _open_directive() -> ColumnElement[bool]:
    return Directive.status.in_([s for s in DirectiveStatus if s.is_open])


def overdue_follow_ups_spec(today: date) -> Spec:
    """Open follow-ups past their due date, with their assignee (or assignee organisation)."""
    owner = func.coalesce(User.full_name, Organisation.short_name, literal("Unassigned"))
    query = (
        select(FollowUp.id, FollowUp.title, FollowUp.due_date, owner)
        .outerjoin(User, User.id == FollowUp.assignee_id)
        .outerjoin(Organisation, Organisation.id == FollowUp.assignee_organisation_id)
        .where(FollowUp.status == FollowUpStatus.OPEN, FollowUp.due_date < today)
        .order_by(FollowUp.due_date, FollowUp.id)
    )
    return Spec("follow_ups", "Follow-ups", query, FollowUp)


def overdue_follow_ups(session: Session, today: date, limit: int = PANEL_ITEMS) -> Panel:
    return _panel(session, overdue_follow_ups_spec(today), limit)


def overdue_commitments_spec(today: date) -> Spec:
    """Open commitments past their due date (either side), with their company."""
    query = (
        select(Commitment.id, Commitment.text, Commitment.due_date, Company.name)
        .join(Company, Company.id == Commitment.company_id)
        .where(commitment_overdue(today))
        .order_by(Commitment.due_date, Commitment.id)
    )
    return Spec("commitments", "Commitments", query, Commitment)


def overdue_commitments(session: Session, today: date, limit: int = PANEL_ITEMS) -> Panel:
    return _panel(session, overdue_commitments_spec(today), limit)


def overdue_directives_spec(today: date) -> Spec:
    """Open directives past the due date their timeline gives."""
    title = Directive.serial.concat(": ").concat(Directive.text)
    query = (
        select(Directive.id, title, Directive.due_date, Directive.source_ref)
        .where(_open_directive(), Directive.due_date < today)
        .order_by(Directive.due_date, Directive.id)
    )
    return Spec("directives", "Directives", query, Directive)


def overdue_directives(session: Session, today: date, limit: int = PANEL_ITEMS) -> Panel:
    return _panel(session, overdue_directives_spec(today), limit)


def late_data_requests_spec(today: date) -> Spec:
    """Open data requests past their due date, with the organisation asked."""
    query = (
        select(DataRequest.id, DataRequest.title, DataRequest.due_date, Organisation.short_name)
        .join(Organisation, Organisation.id == DataRequest.requested_from_id)
        .where(late_condition(today))
        .order_by(DataRequest.due_date, DataRequest.id)
    )
    return Spec("data_requests", "Data requests", query, DataRequest)


def late_data_requests(session: Session, today: date, limit: int = PANEL_ITEMS) -> Panel:
    return _panel(session, late_data_requests_spec(today), limit)


def overdue_draft_reviews_spec(today: date) -> Spec:
    """Drafts still under review past the date the group's input was due."""
    query = (
        select(DraftReview.id, DraftReview.title, DraftReview.input_due, Organisation.short_name)
        .join(Organisation, Organisation.id == DraftReview.originating_organisation_id)
        .where(review_overdue(today))
        .order_by(DraftReview.input_due, DraftReview.id)
    )
    return Spec("draft_reviews", "Draft reviews", query, DraftReview)


def overdue_draft_reviews(session: Session, today: date, limit: int = PANEL_ITEMS) -> Panel:
    return _panel(session, overdue_draft_reviews_spec(today), limit)


OVERDUE: tuple[Callable[[date], Spec], ...] = (overdue_follow_ups_spec, overdue_commitments_spec,
    overdue_directives_spec, late_data_requests_spec, overdue_draft_reviews_spec)  # fmt: skip


def overdue_items(session: Session, today: date) -> list[Panel]:
    """The five kinds of record with due dates (R9), each with its oldest overdue items."""
    return panels_together(session, [spec(today) for spec in OVERDUE])


def directives_behind_spec(today: date) -> Spec:
    """Directives declared behind schedule, or open past their due date, with the reason given."""
    title = Directive.serial.concat(": ").concat(Directive.text)
    behind = or_(Directive.status == DirectiveStatus.BEHIND_SCHEDULE, _open_directive() & (Directive.due_date < today))
    query = (
        select(Directive.id, title, Directive.due_date, Directive.source_ref, Directive.delay_reason)
        .where(behind)
        .order_by(Directive.due_date.is_(None), Directive.due_date, Directive.id)
    )
    return Spec("directives", "Directives behind schedule", query, Directive)


def directives_behind(session: Session, today: date, limit: int = PANEL_ITEMS) -> Panel:
    return _panel(session, directives_behind_spec(today), limit)


def open_exceptions_spec() -> Spec:
    """Channel exceptions not yet reviewed by the chair, oldest first."""
    query = (
        select(
            ChannelException.id, ChannelException.who, ChannelException.occurred_on, Company.name, ChannelException.what
        )  # fmt: skip
        .join(Company, Company.id == ChannelException.company_id)
        .where(ChannelException.status == ExceptionStatus.OPEN)
        .order_by(ChannelException.occurred_on, ChannelException.id)
    )
    return Spec("exceptions", EXCEPTIONS_LABEL, query, ChannelException)


def open_exceptions(session: Session, limit: int = PANEL_ITEMS) -> Panel:
    return _panel(session, open_exceptions_spec(), limit)


def pending_notes_requests_spec() -> Spec:
    """Notes requests awaiting a decision: who asks, for what (a subject or a thread's title)."""
    requester = aliased(User)
    target = func.coalesce(Engagement.subject, Thread.title, literal(""))
    query = (
        select(NotesRequest.id, target, null().label("due"), requester.full_name, NotesRequest.justification)
        .join(requester, requester.id == NotesRequest.requester_id)
        .outerjoin(Engagement, Engagement.id == NotesRequest.engagement_id)
        .outerjoin(Thread, Thread.id == NotesRequest.thread_id)
        .where(NotesRequest.status == NotesRequestStatus.PENDING)
        .order_by(NotesRequest.id)
    )
    return Spec("notes", NOTES_LABEL, query, NotesRequest)


def pending_notes_requests(session: Session, limit: int = PANEL_ITEMS) -> Panel:
    return _panel(session, pending_notes_requests_spec(), limit)
