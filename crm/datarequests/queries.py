"""Reading data requests: the filtered list (newest first, keyset on id), counts, one request
with its links, responses and files, and the form's choices.

Loading is decided here (relationships are lazy="raise"), so a page issues the same number of
queries whatever the number of rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session, joinedload

from crm.datarequests.models import DataRequest, DataRequestStatus, DataResponse
from crm.directives.models import Directive
from crm.engagements.models import Attachment
from crm.http import MAX_ID
from crm.threads.models import Thread

PAGE_SIZE = 50
CHOICES_LIMIT = 500


def late_condition(on: date) -> ColumnElement[bool]:
    """DataRequest.is_overdue as SQL: open and past its due date."""
    return and_(DataRequest.status == DataRequestStatus.OPEN, DataRequest.due_date < on)


@dataclass(frozen=True)
class Filters:
    """What the list is narrowed to; None means any. `late` is derived from the due date."""

    status: DataRequestStatus | None = None
    late: bool = False
    organisation_id: int | None = None

    def as_dict(self) -> dict[str, Any]:
        values = {
            "status": "late" if self.late else (self.status.value if self.status else None),
            "organisation_id": self.organisation_id,
        }
        return {name: value for name, value in values.items() if value is not None}


def list_requests(
    session: Session, *, filters: Filters, on: date, after: int | None = None, limit: int = PAGE_SIZE
) -> list[DataRequest]:
    """Data requests, newest first (keyset on id), with the requested organisation."""
    query = select(DataRequest).options(joinedload(DataRequest.requested_from))
    if filters.status is not None:
        query = query.where(DataRequest.status == filters.status)
    if filters.late:
        query = query.where(late_condition(on))
    if filters.organisation_id is not None:
        query = query.where(DataRequest.requested_from_id == filters.organisation_id)
    if after is not None:
        query = query.where(DataRequest.id < after)
    return list(session.scalars(query.order_by(DataRequest.id.desc()).limit(limit)))


@dataclass(frozen=True)
class Counts:
    open: int
    late: int


def counts(session: Session, *, on: date) -> Counts:
    """Open and late requests, in one query."""
    query = select(func.count().filter(DataRequest.status == DataRequestStatus.OPEN),
                   func.count().filter(late_condition(on)))  # fmt: skip
    row = session.execute(query).one()
    return Counts(int(row[0] or 0), int(row[1] or 0))


@dataclass(frozen=True)
class RequestDetail:
    request: DataRequest
    directive_label: str | None
    thread_title: str | None
    responses: list[DataResponse]
    files: dict[int, list[Attachment]]  # response id -> its files


def get_request(session: Session, request_id: int) -> DataRequest | None:
    """One request with its requested organisation."""
    if not 1 <= request_id <= MAX_ID:
        return None
    query = (
        select(DataRequest)
        .options(joinedload(DataRequest.requested_from))
        .where(DataRequest.id == request_id)
        .execution_options(populate_existing=True)
    )
    return session.scalar(query)


def _directive_label(session: Session, directive_id: int | None) -> str | None:
    if directive_id is None:
        return None
    row = session.execute(select(Directive.serial, Directive.source_ref).where(Directive.id == directive_id)).first()
    return f"Direction {row.serial} ({row.source_ref})" if row else None


def responses_of(session: Session, request_id: int) -> list[DataResponse]:
    """The responses, oldest first, with organisation and author."""
    query = (
        select(DataResponse)
        .options(joinedload(DataResponse.organisation), joinedload(DataResponse.responded_by))
        .where(DataResponse.data_request_id == request_id)
        .order_by(DataResponse.created_at, DataResponse.id)
    )
    return list(session.scalars(query))


def files_of_responses(session: Session, response_ids: list[int]) -> dict[int, list[Attachment]]:
    """Files by response id (one query)."""
    files: dict[int, list[Attachment]] = {}
    if response_ids:
        query = select(Attachment).where(Attachment.data_response_id.in_(response_ids)).order_by(Attachment.id)
        for attachment in session.scalars(query):
            files.setdefault(attachment.data_response_id or 0, []).append(attachment)
    return files


def get_detail(session: Session, request_id: int) -> RequestDetail | None:
    """Everything the request's page shows, in a fixed number of queries."""
    request = get_request(session, request_id)
    if request is None:
        return None
    thread = session.scalar(select(Thread.title).where(Thread.id == request.thread_id)) if request.thread_id else None
    responses = responses_of(session, request_id)
    return RequestDetail(request, _directive_label(session, request.directive_id), thread, responses,
                         files_of_responses(session, [r.id for r in responses]))  # fmt: skip


def directive_choices(session: Session) -> list[tuple[int, str]]:
    """(id, "Direction 4 — text…") of the tracker's directives."""
    query = select(Directive.id, Directive.serial, Directive.text).order_by(Directive.source_date, Directive.id)
    return [(r.id, f"Direction {r.serial} — {r.text[:80]}") for r in session.execute(query.limit(CHOICES_LIMIT))]


def thread_choices(session: Session) -> list[tuple[int, str]]:
    """(id, title) of the negotiation threads, by title."""
    query = select(Thread.id, Thread.title).order_by(Thread.title, Thread.id).limit(CHOICES_LIMIT)
    return [(r.id, r.title) for r in session.execute(query)]
