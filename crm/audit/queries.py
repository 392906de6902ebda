"""Reading the audit log, and verifying the chain."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.audit.models import GENESIS_HASH, AuditChainHead, AuditEvent
from crm.audit.services import CHAIN_HEAD_ID, event_hash


@dataclass(frozen=True)
class ChainReport:
    """The outcome of a verification: ok, or the first broken event and why."""

    ok: bool
    checked: int
    broken_seq: int | None = None
    broken_id: int | None = None
    reason: str = ""


def _check(event: AuditEvent, expected_seq: int, prev_hash: str) -> str:
    if event.seq != expected_seq:
        return f"expected event #{expected_seq} here, found #{event.seq} (removed or reordered)"
    if event.prev_hash != prev_hash:
        return "its link to the previous event does not match (an event before it was removed or altered)"
    if event_hash(event) != event.hash:
        return "its content does not match its hash (altered)"
    return ""


def verify_chain(session: Session, *, batch: int = 2000) -> ChainReport:
    """Walk the chain in order and name the first event that breaks it.

    Detects an altered event (hash mismatch), a removed one (gap in seq, or a broken link),
    a reordering (seq or link out of place), and events cut from the end (the chain head
    remembers the last seq and hash).
    """
    expected, prev_hash, checked = 1, GENESIS_HASH, 0
    # populate_existing: check what is stored, not copies this session may already hold.
    query = select(AuditEvent).order_by(AuditEvent.seq).execution_options(yield_per=batch, populate_existing=True)
    with session.scalars(query) as events:  # closes the server-side cursor on an early return
        for event in events:
            reason = _check(event, expected, prev_hash)
            if reason:
                return ChainReport(False, checked, event.seq, event.id, reason)
            expected, prev_hash, checked = expected + 1, event.hash, checked + 1
    head = session.get(AuditChainHead, CHAIN_HEAD_ID)
    if head is None:
        return ChainReport(False, checked, None, None, "the chain head is missing")
    if head.seq != checked or head.last_hash != prev_hash:
        return ChainReport(
            False, checked, checked + 1, None, f"events after #{checked} are missing (the head records #{head.seq})"
        )
    return ChainReport(True, checked)


def list_events(
    session: Session,
    *,
    before_seq: int | None = None,
    limit: int = 50,
    action: str | None = None,
    target_type: str | None = None,
    target_id: str | None = None,
    actor_id: int | None = None,
) -> list[AuditEvent]:
    """Newest first, keyset-paginated on seq (cheap at any depth); optional exact-match filters."""
    query = select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(limit)
    if before_seq is not None:
        query = query.where(AuditEvent.seq < before_seq)
    for column, value in (
        (AuditEvent.action, action),
        (AuditEvent.target_type, target_type),
        (AuditEvent.target_id, target_id),
        (AuditEvent.actor_id, actor_id),
    ):
        if value is not None:
            query = query.where(column == value)
    return list(session.scalars(query))
