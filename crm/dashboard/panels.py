"""The board's panels: what is overdue, what awaits the chair, what is behind schedule.

Each panel is one query returning its first few items, oldest due first, with the panel's
total in the same statement (`COUNT(*) OVER ()`), so the board's query count does not grow
with the data. Which panels a viewer gets is decided by the view from each feature's policy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, func, literal, null, or_, select
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


def _panel(session: Session, kind: str, label: str, query: Rows, limit: int) -> Panel:
    rows = list(session.execute(query.add_columns(func.count().over().label("total")).limit(limit)))
    items = [Item(*row[:-1]) for row in rows]
    return Panel(kind, label, int(rows[0].total) if rows else 0, items)


def _open_directive() -> ColumnElement[bool]:
    return Directive.status.in_([s for s in DirectiveStatus if s.is_open])


def overdue_follow_ups(session: Session, today: date, limit: int = PANEL_ITEMS) -> Panel:
    """Open follow-ups past their due date, with their assignee (or assignee organisation)."""
    owner = func.coalesce(User.full_name, Organisation.short_name, literal("Unassigned"))
    query = (
        select(FollowUp.id, FollowUp.title, FollowUp.due_date, owner)
        .outerjoin(User, User.id == FollowUp.assignee_id)
        .outerjoin(Organisation, Organisation.id == FollowUp.assignee_organisation_id)
        .where(FollowUp.status == FollowUpStatus.OPEN, FollowUp.due_date < today)
        .order_by(FollowUp.due_date, FollowUp.id)
    )
    return _panel(session, "follow_ups", "Follow-ups", query, limit)


def overdue_commitments(session: Session, today: date, limit: int = PANEL_ITEMS) -> Panel:
    """Open commitments past their due date (either side), with their company."""
    query = (
        select(Commitment.id, Commitment.text, Commitment.due_date, Company.name)
        .join(Company, Company.id == Commitment.company_id)
        .where(commitment_overdue(today))
        .order_by(Commitment.due_date, Commitment.id)
    )
    return _panel(session, "commitments", "Commitments", query, limit)


def overdue_directives(session: Session, today: date, limit: int = PANEL_ITEMS) -> Panel:
    """Open directives past the due date their timeline gives."""
    title = Directive.serial.concat(": ").concat(Directive.text)
    query = (
        select(Directive.id, title, Directive.due_date, Directive.source_ref)
        .where(_open_directive(), Directive.due_date < today)
        .order_by(Directive.due_date, Directive.id)
    )
    return _panel(session, "directives", "Directives", query, limit)


def late_data_requests(session: Session, today: date, limit: int = PANEL_ITEMS) -> Panel:
    """Open data requests past their due date, with the organisation asked."""
    query = (
        select(DataRequest.id, DataRequest.title, DataRequest.due_date, Organisation.short_name)
        .join(Organisation, Organisation.id == DataRequest.requested_from_id)
        .where(late_condition(today))
        .order_by(DataRequest.due_date, DataRequest.id)
    )
    return _panel(session, "data_requests", "Data requests", query, limit)


def overdue_draft_reviews(session: Session, today: date, limit: int = PANEL_ITEMS) -> Panel:
    """Drafts still under review past the date the group's input was due."""
    query = (
        select(DraftReview.id, DraftReview.title, DraftReview.input_due, Organisation.short_name)
        .join(Organisation, Organisation.id == DraftReview.originating_organisation_id)
        .where(review_overdue(today))
        .order_by(DraftReview.input_due, DraftReview.id)
    )
    return _panel(session, "draft_reviews", "Draft reviews", query, limit)


def overdue_items(session: Session, today: date) -> list[Panel]:
    """The five kinds of record with due dates (R9), each with its oldest overdue items."""
    return [fn(session, today) for fn in (overdue_follow_ups, overdue_commitments, overdue_directives,
                                          late_data_requests, overdue_draft_reviews)]  # fmt: skip


def directives_behind(session: Session, today: date, limit: int = PANEL_ITEMS) -> Panel:
    """Directives declared behind schedule, or open past their due date, with the reason given."""
    title = Directive.serial.concat(": ").concat(Directive.text)
    behind = or_(Directive.status == DirectiveStatus.BEHIND_SCHEDULE, _open_directive() & (Directive.due_date < today))
    query = (
        select(Directive.id, title, Directive.due_date, Directive.source_ref, Directive.delay_reason)
        .where(behind)
        .order_by(Directive.due_date.is_(None), Directive.due_date, Directive.id)
    )
    return _panel(session, "directives", "Directives behind schedule", query, limit)


def open_exceptions(session: Session, limit: int = PANEL_ITEMS) -> Panel:
    """Channel exceptions not yet reviewed by the chair, oldest first."""
    query = (
        select(
            ChannelException.id, ChannelException.who, ChannelException.occurred_on, Company.name, ChannelException.what
        )  # fmt: skip
        .join(Company, Company.id == ChannelException.company_id)
        .where(ChannelException.status == ExceptionStatus.OPEN)
        .order_by(ChannelException.occurred_on, ChannelException.id)
    )
    return _panel(session, "exceptions", "Channel exceptions awaiting review", query, limit)


def pending_notes_requests(session: Session, limit: int = PANEL_ITEMS) -> Panel:
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
    return _panel(session, "notes", "Notes requests awaiting decision", query, limit)
