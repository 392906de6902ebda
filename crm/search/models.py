"""The search index: one row per searchable text of a record (a "document").

An engagement has two documents: what everyone signed in may see (subject, summary) and its
minutes, which R5 guards; a WG meeting likewise (agenda; minutes). Each minutes document
carries the classification and thread of its record, so the reader's clearance, standing and
grants can be applied in SQL before ranking.

The full-text machinery is outside the mapped columns, because it differs per database and
is built by migration 0007 with raw SQL: on SQLite an FTS5 virtual table `search_fts` (with
its shadow tables) over `title` and `body`; on PostgreSQL a generated `tsv` column with a GIN
index. `include_name` tells Alembic's comparison to leave them alone.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from crm.accounts.models import Clearance
from crm.db import Base, UTCDateTime, str_enum

FTS_TABLE = "search_fts"
TSV_COLUMN = "tsv"
TSV_INDEX = "ix_search_documents_tsv"


class Kind(StrEnum):
    COMPANY = "company"
    CONTACT = "contact"
    THREAD = "thread"
    ENGAGEMENT = "engagement"
    ENGAGEMENT_MINUTES = "engagement_minutes"
    COMMITMENT = "commitment"
    DIRECTIVE = "directive"
    DRAFT_REVIEW = "draft_review"
    DATA_REQUEST = "data_request"
    STATEMENT = "statement"
    MEETING = "meeting"
    MEETING_MINUTES = "meeting_minutes"

    @property
    def label(self) -> str:
        return KIND_LABELS[self]

    @property
    def family(self) -> Kind:
        """The record kind a reader filters by: minutes belong to their engagement or meeting."""
        return {Kind.ENGAGEMENT_MINUTES: Kind.ENGAGEMENT, Kind.MEETING_MINUTES: Kind.MEETING}.get(self, self)


KIND_LABELS = {
    Kind.COMPANY: "Company",
    Kind.CONTACT: "Contact",
    Kind.THREAD: "Negotiation thread",
    Kind.ENGAGEMENT: "Engagement",
    Kind.ENGAGEMENT_MINUTES: "Engagement minutes",
    Kind.COMMITMENT: "Commitment",
    Kind.DIRECTIVE: "Directive",
    Kind.DRAFT_REVIEW: "Draft review",
    Kind.DATA_REQUEST: "Data request",
    Kind.STATEMENT: "Statement",
    Kind.MEETING: "WG meeting",
    Kind.MEETING_MINUTES: "WG meeting minutes",
}
# The kinds a reader can filter by (minutes documents count as their record's kind).
FAMILIES = tuple(kind for kind in Kind if kind.family is kind)


class SearchDocument(Base):
    """One searchable text of one record. Written only by crm/search/index.py (derived data)."""

    __tablename__ = "search_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[Kind] = mapped_column(str_enum(Kind))
    record_id: Mapped[int]
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    # For R5 in SQL: the record's classification (engagements and meetings) and thread (grants).
    classification: Mapped[Clearance | None] = mapped_column(str_enum(Clearance))
    thread_id: Mapped[int | None]
    # For the result line, loaded with the page (names are looked up then, so they never go stale).
    company_id: Mapped[int | None]
    dated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(64), default="")

    __table_args__ = (
        # Re-indexing a record replaces its documents by (kind, record_id).
        UniqueConstraint("kind", "record_id", name="uq_search_documents_kind_record"),
    )


def include_name(name: str | None, type_: str, parent_names: dict[str, Any]) -> bool:
    """Alembic filter: the database-specific full-text objects are not part of the models."""
    if type_ == "table":
        return not (name or "").startswith(FTS_TABLE)
    if type_ == "column" and parent_names.get("table_name") == SearchDocument.__tablename__:
        return name != TSV_COLUMN
    return not (type_ == "index" and name == TSV_INDEX)


def is_full_text_table(name: str) -> bool:
    """The FTS5 virtual table and its shadow tables (SQLite)."""
    return name.startswith(FTS_TABLE)
