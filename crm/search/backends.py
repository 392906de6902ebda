"""Full-text matching, ranking and match marking: SQLite FTS5 or PostgreSQL, behind one interface.

Both receive the same parsed terms (queries.Terms: words made only of letters, digits and
marks, so no user input ever reaches the query syntax) and match every word, the last one
as a prefix when it is long enough. Matches in titles weigh more than matches in bodies:
bm25 with column weights on SQLite, tsvector weights A and D with `ts_rank_cd` on PostgreSQL.
Scores are "higher is better" on both.

Matched words come back between the control characters START and STOP, which the index
strips from every stored text (index.CONTROL); the caller escapes the text, then turns them
into <mark> (queries.highlighted).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

from sqlalchemy import ColumnClause, ColumnElement, Select, bindparam, column, func, literal_column, select, table
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import TableClause

from crm.search.marking import START, STOP, Matcher, highlight, snippet
from crm.search.models import FTS_TABLE, SearchDocument

AnySelect = Select[*tuple[Any, ...]]
TITLE_WEIGHT, BODY_WEIGHT = 10.0, 1.0
SNIPPET_TOKENS = 24
HEADLINE_SOURCE = 20_000  # characters of a body read for a snippet


@dataclass(frozen=True)
class Terms:
    """A parsed query: the words to match (lower case), and whether the last is a prefix."""

    words: tuple[str, ...]
    prefix: bool

    def __bool__(self) -> bool:
        return bool(self.words)


@dataclass(frozen=True)
class Marked:
    """A document's title and body excerpt with matches between START and STOP."""

    title: str
    snippet: str


class Backend(Protocol):
    def key(self) -> ColumnElement[int]:
        """The document id as the matching side sees it (the column its ORDER BY and ranges use)."""

    def ranked(self, query: AnySelect, terms: Terms) -> tuple[AnySelect, ColumnElement[float]]:
        """`query` over search_documents restricted to matching documents, and the score."""

    def scored(
        self, query: AnySelect, terms: Terms, newest: Any, condition: ColumnElement[bool]
    ) -> tuple[AnySelect, ColumnElement[float]]:
        """`query` over the candidates `newest` (a subquery of matching, visible ids), and the score."""

    def marked(self, session: Session, terms: Terms, ids: Sequence[int]) -> dict[int, Marked]:
        """The marked title and snippet of these documents (one query)."""


class SqliteBackend:
    """FTS5: `search_fts` is an external-content index over search_documents (rowid = id)."""

    fts: ClassVar[TableClause] = table(FTS_TABLE, column("rowid"))

    @staticmethod
    def expression(terms: Terms) -> str:
        # Every word is a quoted string (words hold no quotes); `*` after the last makes a prefix.
        return " ".join(f'"{word}"' for word in terms.words) + ("*" if terms.prefix else "")

    def key(self) -> ColumnElement[int]:
        # FTS5 walks its matches in rowid order either way and takes a rowid range as a bound.
        return self.fts.c.rowid

    def scored(
        self, query: AnySelect, terms: Terms, newest: Any, condition: ColumnElement[bool]
    ) -> tuple[AnySelect, ColumnElement[float]]:
        # bm25() needs the MATCH's own cursor: the match runs again, bounded to the candidates'
        # rowid range, and the reader's condition again with it (the range holds others too).
        ranked, score = self.ranked(query, terms)
        return ranked.where(condition, self.fts.c.rowid >= select(func.min(newest.c.id)).scalar_subquery()), score

    def _match(self, terms: Terms) -> ColumnElement[bool]:
        return literal_column(FTS_TABLE).op("MATCH")(bindparam("fts_query", self.expression(terms)))

    def ranked(self, query: AnySelect, terms: Terms) -> tuple[AnySelect, ColumnElement[float]]:
        # bm25() is lower for better matches; negated so that both backends sort descending.
        score = -func.bm25(literal_column(FTS_TABLE), TITLE_WEIGHT, BODY_WEIGHT)
        joined = query.select_from(self.fts.join(SearchDocument, SearchDocument.id == self.fts.c.rowid))
        return joined.where(self._match(terms)), score

    def marked(self, session: Session, terms: Terms, ids: Sequence[int]) -> dict[int, Marked]:
        # Marked in Python (crm.search.marking), not by FTS5's highlight() and snippet(): those
        # need the MATCH cursor, which walks every document a common prefix term matches.
        matcher = Matcher.of(terms.words, terms.prefix)
        body = func.substr(SearchDocument.body, 1, HEADLINE_SOURCE)
        query = select(SearchDocument.id, SearchDocument.title, body).where(SearchDocument.id.in_(ids))
        return {row[0]: Marked(highlight(row[1] or "", matcher), snippet(row[2] or "", matcher, SNIPPET_TOKENS))
                for row in session.execute(query)}  # fmt: skip


class PostgresBackend:
    """A stored tsvector column `tsv` (title weight A, body D) with a GIN index."""

    tsv: ClassVar[ColumnClause[Any]] = literal_column(f"{SearchDocument.__tablename__}.tsv")
    config: ClassVar[ColumnClause[Any]] = literal_column("'simple'::regconfig")

    @staticmethod
    def expression(terms: Terms) -> str:
        # Quoted lexemes (words hold no quotes or backslashes), all required; `:*` makes a prefix.
        words = [f"'{word}'" for word in terms.words]
        if terms.prefix:
            words[-1] += ":*"
        return " & ".join(words)

    def key(self) -> ColumnElement[int]:
        return SearchDocument.id.expression

    def scored(
        self, query: AnySelect, terms: Terms, newest: Any, condition: ColumnElement[bool]
    ) -> tuple[AnySelect, ColumnElement[float]]:
        # The candidates' rows by primary key, matched and checked once (in `newest`): repeating
        # the match here made the planner scan every match a second time.
        del condition  # already applied to the candidates
        return query.where(SearchDocument.id.in_(select(newest.c.id))), func.ts_rank_cd(self.tsv, self._query(terms))

    def _query(self, terms: Terms) -> ColumnElement[Any]:
        return func.to_tsquery(self.config, bindparam("ts_query", self.expression(terms)))

    def ranked(self, query: AnySelect, terms: Terms) -> tuple[AnySelect, ColumnElement[float]]:
        tsquery = self._query(terms)
        return query.where(self.tsv.op("@@")(tsquery)), func.ts_rank_cd(self.tsv, tsquery)

    def marked(self, session: Session, terms: Terms, ids: Sequence[int]) -> dict[int, Marked]:
        tsquery = self._query(terms)
        marks = f"StartSel={START}, StopSel={STOP}"
        fragments = f'MaxFragments=2, MinWords=8, MaxWords={SNIPPET_TOKENS}, FragmentDelimiter=" … ", {marks}'
        body = func.left(SearchDocument.body, HEADLINE_SOURCE)
        query = select(
            SearchDocument.id,
            func.ts_headline(self.config, SearchDocument.title, tsquery, f"HighlightAll=true, {marks}"),
            func.ts_headline(self.config, body, tsquery, fragments),
        ).where(SearchDocument.id.in_(ids))
        return {row[0]: Marked(row[1] or "", row[2] or "") for row in session.execute(query)}


def backend_for(session: Session) -> Backend:
    """The backend of the database this session talks to."""
    return PostgresBackend() if session.get_bind().dialect.name == "postgresql" else SqliteBackend()
