"""Searching: parse the reader's words, match and rank what they may see, mark the matches.

One page costs a fixed number of queries whatever the data size: the focal person, the
reader's grants (only when a grant could open something), the ranked page, the marked
titles and snippets, company names, and the stored classification of the minutes on the page
(the second check). Access is decided in SQL (policy.Scope) before ranking, so a document the
reader may not see is never ranked, counted or excerpted; `policy.may_see` then asks the
predicates again for each result on the page.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from markupsafe import Markup, escape
from sqlalchemy import ColumnElement, Row, false, or_, select
from sqlalchemy.orm import Session

from crm.accounts.models import Clearance, User
from crm.companies.models import Company
from crm.designations.queries import focal_person_id
from crm.engagements.models import Engagement
from crm.meetings.models import WGMeeting
from crm.notes.queries import live_grant_targets
from crm.search import policy
from crm.search.backends import START, STOP, Terms, backend_for
from crm.search.models import FAMILIES, Kind, SearchDocument

PAGE_SIZE = 20
MAX_OFFSET = 1_000  # deeper than anyone reads a ranked list; bounds the work of a crafted request
# Matches ranked per search: only the newest this many that the reader may see are scored, so a
# common word costs the same as a rare one; an older, better match beyond them is not ranked.
RANK_CANDIDATES = 2_000
INPUT_LIMIT = 200  # characters of the query considered
MAX_WORDS = 8
WORD_LIMIT = 64
PREFIX_FROM = 3  # a shorter last word is matched whole (a one-letter prefix matches nearly everything)
# Letters, marks and digits make words (as SQLite's unicode61 tokenizer has it); all else separates.
WORD_CATEGORIES = frozenset("LMN")
MARKDOWN_NOISE = re.compile(r"[*#`]+|\s+")  # Markdown emphasis and headings; runs of spaces
D = SearchDocument


def parse(text: str | None) -> Terms:
    """The words of a query, lower case, at most MAX_WORDS; nothing the engines could read as syntax."""
    words, current = [], []
    for char in (text or "")[:INPUT_LIMIT] + " ":
        if unicodedata.category(char)[0] in WORD_CATEGORIES or unicodedata.category(char) == "Co":
            current.append(char)
        elif current:
            words.append("".join(current).lower()[:WORD_LIMIT])
            current = []
    words = list(dict.fromkeys(words))[:MAX_WORDS]  # in order, once each
    ends_in_word = bool(text) and not (text or "")[:INPUT_LIMIT][-1:].isspace()
    return Terms(tuple(words), prefix=bool(words) and ends_in_word and len(words[-1]) >= PREFIX_FROM)


def highlighted(raw: str) -> Markup:
    """The text HTML-escaped, with the backend's match marks as <mark> (balanced), and nothing else."""
    parts, open_mark = [], False
    for piece in re.split(f"([{START}{STOP}])", MARKDOWN_NOISE.sub(lambda m: " " if m[0].isspace() else "", raw)):
        if piece == START and not open_mark:
            parts.append("<mark>")
            open_mark = True
        elif piece == STOP and open_mark:
            parts.append("</mark>")
            open_mark = False
        elif piece not in (START, STOP):
            parts.append(str(escape(piece)))
    if open_mark:
        parts.append("</mark>")
    return Markup("".join(parts).strip())  # noqa: S704 (every piece is escaped; only our own tags are added)


@dataclass(frozen=True)
class Result:
    """One result as a page or the API shows it (no ORM objects: nothing can load later)."""

    kind: Kind
    record_id: int
    title: Markup
    snippet: Markup
    classification: Clearance | None
    company: str
    dated_at: datetime | None
    status: str


@dataclass(frozen=True)
class SearchPage:
    terms: Terms
    results: list[Result] = field(default_factory=list)
    next_offset: int | None = None

    def minutes_shown(self, kind: Kind) -> list[int]:
        """Records whose minutes this page excerpts (kind ENGAGEMENT_MINUTES or MEETING_MINUTES)."""
        return [result.record_id for result in self.results if result.kind is kind]


def scope_of(session: Session, reader: User, now: datetime) -> tuple[policy.Scope, bool]:
    """The reader's scope and whether they are the focal person (grants loaded only if they could count)."""
    is_focal = focal_person_id(session) == reader.id
    scope = policy.scope_for(reader, is_focal_person=is_focal)
    if scope.needs_grants:
        engagement_ids, thread_ids = live_grant_targets(session, user_id=reader.id, now=now)
        grants = policy.Grants(frozenset(engagement_ids), frozenset(thread_ids))
        scope = policy.scope_for(reader, is_focal_person=is_focal, grants=grants)
    return scope, is_focal


def visible(scope: policy.Scope, wanted: Collection[Kind]) -> ColumnElement[bool]:
    """The SQL form of the scope, limited to the wanted kinds."""
    conditions: list[ColumnElement[bool]] = []
    plain = sorted(kind for kind in scope.kinds if kind in wanted)
    if plain:
        conditions.append(D.kind.in_(plain))
    if Kind.ENGAGEMENT_MINUTES in wanted:
        conditions += _engagement_minutes(scope)
    if Kind.MEETING_MINUTES in wanted and scope.meeting_minutes_levels:
        conditions.append((D.kind == Kind.MEETING_MINUTES) & D.classification.in_(sorted(scope.meeting_minutes_levels)))
    return or_(*conditions) if conditions else false()


def _engagement_minutes(scope: policy.Scope) -> list[ColumnElement[bool]]:
    minutes = D.kind == Kind.ENGAGEMENT_MINUTES
    conditions: list[ColumnElement[bool]] = []
    if scope.minutes_levels:
        conditions.append(minutes & D.classification.in_(sorted(scope.minutes_levels)))
    grants = scope.grants
    if scope.grant_levels and (grants.engagement_ids or grants.thread_ids):
        covered = or_(D.record_id.in_(sorted(grants.engagement_ids)), D.thread_id.in_(sorted(grants.thread_ids)))
        conditions.append(minutes & D.classification.in_(sorted(scope.grant_levels)) & covered)
    return conditions


def search(
    session: Session,
    *,
    reader: User,
    text: str | None,
    now: datetime,
    families: Collection[Kind] = (),
    offset: int = 0,
    limit: int = PAGE_SIZE,
) -> SearchPage:
    """One ranked page of what `reader` may find for `text` (best first, then oldest document).

    `families` limits the record kinds (empty: all). An empty or wordless query finds nothing
    and asks nothing of the database. Never raises on any input text.
    """
    terms = parse(text)
    offset = min(max(offset, 0), MAX_OFFSET)
    if not terms:
        return SearchPage(terms)
    scope, is_focal = scope_of(session, reader, now)
    rows = _ranked(session, terms, visible(scope, policy.kinds_wanted(families or FAMILIES)), offset, limit)
    sources = _sources(session, rows[:limit])
    page_rows = [row for row in rows[:limit] if _second_check(reader, row, scope, is_focal, sources)]
    more = len(rows) > limit and offset + limit <= MAX_OFFSET
    return SearchPage(terms, _results(session, terms, page_rows), offset + limit if more else None)


def _ranked(session: Session, terms: Terms, condition: ColumnElement[bool], offset: int, limit: int) -> list[Row[Any]]:
    backend = backend_for(session)
    columns = (D.id, D.kind, D.record_id, D.classification, D.company_id, D.dated_at, D.status)
    # Only the newest RANK_CANDIDATES visible matches are ranked: a common word matches tens of
    # thousands of documents, and scoring them all cost hundreds of ms. The candidates are read
    # newest first, stopping at the cap; with fewer matches, all are ranked.
    candidates, _ = backend.ranked(select(backend.key().label("id")), terms)
    newest = candidates.where(condition).order_by(backend.key().desc()).limit(RANK_CANDIDATES).subquery()
    query, score = backend.scored(select(*columns), terms, newest, condition)
    score = score.label("score")
    query = query.add_columns(score)
    return list(session.execute(query.order_by(score.desc(), D.id).offset(offset).limit(limit + 1)))


def _sources(session: Session, rows: Sequence[Row[Any]]) -> dict[tuple[Kind, int], policy.Found]:
    """The minutes' records as stored now (classification, thread), for the second check."""
    found: dict[tuple[Kind, int], policy.Found] = {}
    engagement_ids = [row.record_id for row in rows if row.kind is Kind.ENGAGEMENT_MINUTES]
    meeting_ids = [row.record_id for row in rows if row.kind is Kind.MEETING_MINUTES]
    if engagement_ids:
        stored = select(Engagement.id, Engagement.classification, Engagement.thread_id)
        for e in session.execute(stored.where(Engagement.id.in_(engagement_ids))):
            found[(Kind.ENGAGEMENT_MINUTES, e.id)] = policy.Found(Kind.ENGAGEMENT_MINUTES, e.id, e.classification,
                                                                  e.thread_id)  # fmt: skip
    if meeting_ids:
        for m in session.execute(select(WGMeeting.id, WGMeeting.classification).where(WGMeeting.id.in_(meeting_ids))):
            found[(Kind.MEETING_MINUTES, m.id)] = policy.Found(Kind.MEETING_MINUTES, m.id, m.classification)
    return found


def _second_check(reader: User, row: Row[Any], scope: policy.Scope, is_focal: bool,
                  sources: dict[tuple[Kind, int], policy.Found]) -> bool:  # fmt: skip
    if row.kind in (Kind.ENGAGEMENT_MINUTES, Kind.MEETING_MINUTES):
        found = sources.get((row.kind, row.record_id))  # a record gone since it was indexed: not shown
    else:
        found = policy.Found(row.kind, row.record_id)
    return found is not None and policy.may_see(reader, found, is_focal_person=is_focal, grants=scope.grants)


def _results(session: Session, terms: Terms, rows: list[Row[Any]]) -> list[Result]:
    if not rows:
        return []
    marked = backend_for(session).marked(session, terms, [row.id for row in rows])
    company_ids = sorted({row.company_id for row in rows if row.company_id is not None})
    names: dict[int | None, str] = {}
    if company_ids:
        names.update((row.id, row.name) for row in session.execute(select(Company.id, Company.name)
                                                                    .where(Company.id.in_(company_ids))))  # fmt: skip
    results = []
    for row in rows:
        marks = marked.get(row.id)
        if marks is None:
            continue  # changed between the two queries (a concurrent write): left out, never guessed
        results.append(Result(row.kind, row.record_id, highlighted(marks.title), highlighted(marks.snippet),
                              row.classification, names.get(row.company_id, ""), row.dated_at, row.status))  # fmt: skip
    return results
