"""Reading the statements register, with everything a page shows loaded up front."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, raiseload

from crm.accounts.models import User
from crm.audit.models import AuditEvent
from crm.companies.models import Company
from crm.statements.models import Statement, StatementStatus
from crm.threads.models import Thread

PAGE_SIZE = 50
EXPORT_LIMIT = 10_000
THREAD_CHOICES_LIMIT = 500
LOADS = (
    joinedload(Statement.company),
    joinedload(Statement.thread),
    joinedload(Statement.drafted_by).joinedload(User.organisation),
    joinedload(Statement.issued_by).joinedload(User.organisation),
    raiseload("*"),
)


@dataclass(frozen=True)
class Withdrawal:
    """Who withdrew an issued statement, when and why (kept in the audit trail)."""

    by: str
    at: datetime
    reason: str


def get_statement(session: Session, statement_id: int) -> Statement | None:
    """One statement with its company, thread, drafter and issuer loaded."""
    query = select(Statement).options(*LOADS).where(Statement.id == statement_id)
    return session.scalar(query.execution_options(populate_existing=True))


def list_statements(
    session: Session,
    *,
    status: StatementStatus | None = None,
    after_id: int | None = None,
    before_id: int | None = None,
    newest_first: bool = True,
    limit: int = PAGE_SIZE,
) -> list[Statement]:
    """Statements by id (newest first by default), keyset-paginated either way; filter by status."""
    query = select(Statement).options(*LOADS).limit(limit)
    query = query.order_by(Statement.id.desc() if newest_first else Statement.id)
    if status is not None:
        query = query.where(Statement.status == status)
    if after_id is not None:
        query = query.where(Statement.id > after_id)
    if before_id is not None:
        query = query.where(Statement.id < before_id)
    return list(session.scalars(query))


def withdrawal_of(session: Session, statement: Statement) -> Withdrawal | None:
    """The withdrawal of a withdrawn statement, from its audit event (None otherwise)."""
    if statement.status is not StatementStatus.WITHDRAWN:
        return None
    event = session.scalar(
        select(AuditEvent)
        .where(
            AuditEvent.action == "statement.withdraw",
            AuditEvent.target_type == "statements",
            AuditEvent.target_id == str(statement.id),
        )
        .order_by(AuditEvent.seq.desc())
        .limit(1)
    )
    if event is None:
        return None
    after: dict[str, Any] = event.after or {}
    return Withdrawal(by=event.actor_label, at=event.occurred_at, reason=str(after.get("reason", "")))


def company_choices(session: Session) -> list[tuple[int, str]]:
    """(id, name) of every company, by name."""
    return [(row.id, row.name) for row in session.execute(select(Company.id, Company.name).order_by(Company.name))]


def thread_choices(session: Session) -> list[tuple[int, str]]:
    """(id, title) of threads by title (capped: the register has a few hundred at most)."""
    query = select(Thread.id, Thread.title).order_by(Thread.title, Thread.id).limit(THREAD_CHOICES_LIMIT)
    return [(row.id, row.title) for row in session.execute(query)]
