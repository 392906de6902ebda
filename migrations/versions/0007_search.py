"""Global search index (issue 6): search_documents, with FTS5 on SQLite and tsvector on PostgreSQL.

The full-text part is database-specific raw SQL, outside the models (see crm/search/models.py):
- SQLite: an external-content FTS5 table `search_fts` over (title, body), kept in step with
  `search_documents` by three triggers. A later batch migration that recreates
  `search_documents` on SQLite must recreate the triggers too.
- PostgreSQL: a stored generated column `tsv` (title weighted A, body D, the 'simple'
  configuration: no stemming, no stop words, the same matching as SQLite's unicode61) and a
  GIN index on it.

A migration cannot run the app's code, so existing records are indexed afterwards by
`flask --app app search reindex` (README, operations).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import crm.db

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As they were at this revision (the migration must not follow later changes of the code).
KINDS = ("company", "contact", "thread", "engagement", "engagement_minutes", "commitment", "directive",
         "draft_review", "data_request", "statement", "meeting", "meeting_minutes")  # fmt: skip
CLEARANCES = ("unclassified", "restricted", "confidential", "secret")
SQLITE_UP = (
    "CREATE VIRTUAL TABLE search_fts USING fts5(title, body, content='search_documents', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER search_documents_ai AFTER INSERT ON search_documents BEGIN "
    "INSERT INTO search_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END",
    "CREATE TRIGGER search_documents_ad AFTER DELETE ON search_documents BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body); END",
    "CREATE TRIGGER search_documents_au AFTER UPDATE ON search_documents BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body); "
    "INSERT INTO search_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END",
)
SQLITE_DOWN = (
    "DROP TRIGGER IF EXISTS search_documents_au",
    "DROP TRIGGER IF EXISTS search_documents_ad",
    "DROP TRIGGER IF EXISTS search_documents_ai",
    "DROP TABLE IF EXISTS search_fts",
)
POSTGRES_UP = (
    "ALTER TABLE search_documents ADD COLUMN tsv tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('simple'::regconfig, coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, coalesce(body, '')), 'D')) STORED",
    "CREATE INDEX ix_search_documents_tsv ON search_documents USING gin (tsv)",
)


def upgrade() -> None:
    op.create_table(
        "search_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Enum(*KINDS, name="kind", native_enum=False, length=32), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column(
            "classification", sa.Enum(*CLEARANCES, name="clearance", native_enum=False, length=32), nullable=True
        ),
        sa.Column("thread_id", sa.Integer(), nullable=True),
        sa.Column("company_id", sa.Integer(), nullable=True),
        sa.Column("dated_at", crm.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_documents")),
        sa.UniqueConstraint("kind", "record_id", name="uq_search_documents_kind_record"),
    )
    statements = SQLITE_UP if op.get_bind().dialect.name == "sqlite" else POSTGRES_UP
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_DOWN:
            op.execute(statement)
    # On PostgreSQL the generated column and its index go with the table.
    op.drop_table("search_documents")
