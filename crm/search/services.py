"""Search writes: the audit of minutes shown in results (R8), and rebuilding the index."""

from __future__ import annotations

from sqlalchemy.orm import Session

from crm.accounts.models import User
from crm.audit.services import Target, record
from crm.search import index


def record_minutes_shown(session: Session, *, actor: User, engagement_ids: list[int], meeting_ids: list[int]) -> None:
    """R8: a snippet of minutes is a read of minutes. One event for a page of results that
    excerpted any (the records named), none otherwise. The caller checked R5 (queries.search)."""
    if engagement_ids or meeting_ids:
        record(session, actor=actor, action="search.read_minutes", target=Target("search", "results"),
               after={"engagement_ids": engagement_ids, "meeting_ids": meeting_ids})  # fmt: skip


def rebuild_index(session: Session, *, actor: User | None) -> dict[str, int]:
    """Index every searchable record again from scratch (after migration 0007 on a database with
    data, or after a bulk load); audited. Returns the documents written per table."""
    counts = index.rebuild(session.connection())
    record(session, actor=actor, action="search.reindex", target=Target("search", "index"), after=counts)
    return counts
