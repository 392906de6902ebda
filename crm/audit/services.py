"""Appending to the audit chain. Every service that writes calls `record` before it returns."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import TYPE_CHECKING, Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from crm.audit.models import AuditChainHead, AuditEvent
from crm.db import utcnow

if TYPE_CHECKING:
    from crm.accounts.models import User

CHAIN_HEAD_ID = 1


def _plain(value: Any) -> Any:
    """A JSON-native form that reads back from either database exactly as written."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    return value


def snapshot(obj: object, *fields: str) -> dict[str, Any]:
    """The named attributes of a record, for an event's before/after."""
    return {name: _plain(getattr(obj, name)) for name in fields}


def event_hash(event: AuditEvent) -> str:
    """SHA-256 over every stored field of the event, including the previous hash."""
    payload = {
        "seq": event.seq,
        "occurred_at": event.occurred_at.isoformat(),
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "action": event.action,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "before": event.before,
        "after": event.after,
        "ip": event.ip,
        "prev_hash": event.prev_hash,
    }
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Target:
    """What an event is about: a record's type and id (or a name, for a failed sign-in)."""

    type: str
    id: str

    @classmethod
    def of(cls, record: Any) -> Target:
        return cls(type(record).__tablename__, str(record.id))


def record(
    session: Session,
    *,
    actor: User | None,
    action: str,
    target: Target,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    ip: str = "",
    actor_label: str | None = None,
) -> AuditEvent:
    """Append one event to the chain, in the caller's transaction.

    The chain head is updated first: that takes its row lock (PostgreSQL) or the write lock
    (SQLite) so concurrent appends queue instead of forking the chain. Raises if the head row
    is missing (the database was not migrated).
    """
    seq, prev_hash = session.execute(
        update(AuditChainHead)
        .where(AuditChainHead.id == CHAIN_HEAD_ID)
        .values(seq=AuditChainHead.seq + 1)
        .returning(AuditChainHead.seq, AuditChainHead.last_hash)
        .execution_options(synchronize_session=False)
    ).one()
    event = AuditEvent(
        seq=seq,
        occurred_at=utcnow(),
        actor_id=actor.id if actor else None,
        actor_label=actor_label or (actor.username if actor else "system"),
        action=action,
        target_type=target.type,
        target_id=target.id,
        before=_plain(before) if before is not None else None,
        after=_plain(after) if after is not None else None,
        ip=ip,
        prev_hash=prev_hash,
    )
    event.hash = event_hash(event)
    session.add(event)
    session.execute(
        update(AuditChainHead)
        .where(AuditChainHead.id == CHAIN_HEAD_ID)
        .values(last_hash=event.hash)
        .execution_options(synchronize_session=False)
    )
    return event
