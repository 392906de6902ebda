"""Keeping the search index in step with the records, on every write path.

A session listener (`after_flush`) sees which searchable records the flush inserted, changed
(in a field the index holds) or deleted, and rewrites their documents with Core statements on
the same connection: the index changes in the same transaction as the record, whichever
service, job, import or CLI command wrote it, and rolls back with it. Documents are built from
the rows as stored (one SELECT per model per flush), never from the ORM objects, whose
relationships are `lazy="raise"` and whose attributes may be expired.

Bulk Core `UPDATE`/`DELETE` statements on these models bypass the listener; none exist today.
Data loaded that way, or present before migration 0007, is indexed by `flask --app app search
reindex` (`rebuild`).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Connection, Table, delete, event, insert, inspect, select
from sqlalchemy.orm import Session, sessionmaker

from crm.commitments.models import Commitment
from crm.companies.models import Company
from crm.contacts.models import Contact
from crm.datarequests.models import DataRequest
from crm.directives.models import Directive
from crm.engagements.models import Engagement
from crm.meetings.models import WGMeeting
from crm.organisations.models import Organisation
from crm.reviews.models import DraftReview
from crm.search.models import Kind, SearchDocument
from crm.statements.models import Statement
from crm.threads.models import Thread

DOCUMENTS = cast(Table, SearchDocument.__table__)
TITLE_LIMIT = 300
# Enough for any real minutes; PostgreSQL refuses a tsvector over 1 MB.
BODY_LIMIT = 100_000
BATCH = 500
# Control characters, including \x02 and \x03, which the backends use to mark matches in
# snippets: a record's own text can never forge a <mark>.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

Doc = dict[str, Any]
Builder = Callable[[Connection, Sequence[int]], list[Doc]]


def clean(text: str | None, limit: int) -> str:
    return CONTROL.sub(" ", text or "")[:limit]


def joined(*parts: str | None) -> str:
    return "\n".join(part for part in parts if part)


def document(kind: Kind, record_id: int, title: str, body: str, **extra: Any) -> Doc:
    """One row of `search_documents`, every column given (executemany needs the same keys)."""
    return {
        "kind": kind, "record_id": record_id, "title": clean(title, TITLE_LIMIT), "body": clean(body, BODY_LIMIT),
        "classification": extra.get("classification"), "thread_id": extra.get("thread_id"),
        "company_id": extra.get("company_id"), "dated_at": extra.get("dated_at"), "status": extra.get("status", ""),
    }  # fmt: skip


def _companies(connection: Connection, ids: Sequence[int]) -> list[Doc]:
    query = select(Company.id, Company.name, Company.legal_name, Company.notes).where(Company.id.in_(ids))
    return [document(Kind.COMPANY, r.id, r.name, joined(r.legal_name, r.notes), company_id=r.id)
            for r in connection.execute(query)]  # fmt: skip


def _contacts(connection: Connection, ids: Sequence[int]) -> list[Doc]:
    query = (
        select(
            Contact.id,
            Contact.name,
            Contact.title,
            Contact.company_id,
            Company.name.label("company"),
            Organisation.name.label("organisation"),
            Organisation.short_name,
        )  # fmt: skip
        .outerjoin(Company, Company.id == Contact.company_id)
        .outerjoin(Organisation, Organisation.id == Contact.organisation_id)
        .where(Contact.id.in_(ids))
    )
    return [
        document(
            Kind.CONTACT,
            r.id,
            r.name,
            joined(r.title, r.company, r.organisation, r.short_name),
            company_id=r.company_id,
        )  # fmt: skip
        for r in connection.execute(query)
    ]


def _threads(connection: Connection, ids: Sequence[int]) -> list[Doc]:
    query = select(Thread.id, Thread.title, Thread.objective, Thread.our_ask, Thread.their_position,
                   Thread.next_step, Thread.stage).where(Thread.id.in_(ids))  # fmt: skip
    return [
        document(
            Kind.THREAD,
            r.id,
            r.title,
            joined(r.objective, r.our_ask, r.their_position, r.next_step),
            thread_id=r.id,
            status=r.stage.label,
        )  # fmt: skip
        for r in connection.execute(query)
    ]


def _engagements(connection: Connection, ids: Sequence[int]) -> list[Doc]:
    """Two documents: what everyone signed in may see, and the minutes (R5) when there are any."""
    query = select(Engagement.id, Engagement.subject, Engagement.summary, Engagement.minutes, Engagement.kind,
                   Engagement.classification, Engagement.company_id, Engagement.thread_id, Engagement.occurred_at,
                   Engagement.our_ref, Engagement.their_ref, Engagement.diary_no)  # fmt: skip
    query = query.where(Engagement.id.in_(ids))
    docs = []
    for r in connection.execute(query):
        shared = {"classification": r.classification, "company_id": r.company_id, "thread_id": r.thread_id,
                  "dated_at": r.occurred_at, "status": r.kind.label}  # fmt: skip
        docs.append(document(Kind.ENGAGEMENT, r.id, r.subject, joined(r.summary, r.our_ref, r.their_ref, r.diary_no),
                             **shared))  # fmt: skip
        if r.minutes.strip():
            docs.append(document(Kind.ENGAGEMENT_MINUTES, r.id, r.subject, r.minutes, **shared))
    return docs


def _commitments(connection: Connection, ids: Sequence[int]) -> list[Doc]:
    query = select(Commitment.id, Commitment.text, Commitment.party, Commitment.company_id, Commitment.thread_id,
                   Commitment.status).where(Commitment.id.in_(ids))  # fmt: skip
    return [document(Kind.COMMITMENT, r.id, r.text, joined(r.text, r.party), company_id=r.company_id,
                     thread_id=r.thread_id, status=r.status.label) for r in connection.execute(query)]  # fmt: skip


def _directives(connection: Connection, ids: Sequence[int]) -> list[Doc]:
    query = select(Directive.id, Directive.serial, Directive.source_ref, Directive.text, Directive.action_by_text,
                   Directive.status).where(Directive.id.in_(ids))  # fmt: skip
    return [
        document(
            Kind.DIRECTIVE,
            r.id,
            f"Directive {r.serial} ({r.source_ref})",
            joined(r.text, r.action_by_text),
            status=r.status.label,
        )  # fmt: skip
        for r in connection.execute(query)
    ]


def _reviews(connection: Connection, ids: Sequence[int]) -> list[Doc]:
    query = select(DraftReview.id, DraftReview.title, DraftReview.committee, DraftReview.consolidated_input,
                   DraftReview.status).where(DraftReview.id.in_(ids))  # fmt: skip
    return [document(Kind.DRAFT_REVIEW, r.id, r.title, joined(r.committee, r.consolidated_input),
                     status=r.status.label) for r in connection.execute(query)]  # fmt: skip


def _data_requests(connection: Connection, ids: Sequence[int]) -> list[Doc]:
    query = select(DataRequest.id, DataRequest.title, DataRequest.details, DataRequest.thread_id,
                   DataRequest.status).where(DataRequest.id.in_(ids))  # fmt: skip
    return [document(Kind.DATA_REQUEST, r.id, r.title, r.details, thread_id=r.thread_id, status=r.status.label)
            for r in connection.execute(query)]  # fmt: skip


def _statements(connection: Connection, ids: Sequence[int]) -> list[Doc]:
    query = select(Statement.id, Statement.text, Statement.status, Statement.company_id, Statement.thread_id,
                   Statement.issued_at).where(Statement.id.in_(ids))  # fmt: skip
    return [document(Kind.STATEMENT, r.id, _first_line(r.text), r.text, company_id=r.company_id,
                     thread_id=r.thread_id, dated_at=r.issued_at, status=r.status.label)
            for r in connection.execute(query)]  # fmt: skip


def _first_line(text: str, limit: int = 120) -> str:
    line = (text or "").strip().splitlines()[0] if (text or "").strip() else ""
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def _meetings(connection: Connection, ids: Sequence[int]) -> list[Doc]:
    """Two documents, as for engagements: the meeting and its agenda; its minutes (R5)."""
    query = select(WGMeeting.id, WGMeeting.title, WGMeeting.agenda, WGMeeting.minutes, WGMeeting.classification,
                   WGMeeting.held_at).where(WGMeeting.id.in_(ids))  # fmt: skip
    docs = []
    for r in connection.execute(query):
        shared: dict[str, Any] = {"classification": r.classification, "dated_at": r.held_at}
        docs.append(document(Kind.MEETING, r.id, r.title, r.agenda, **shared))
        if r.minutes.strip():
            docs.append(document(Kind.MEETING_MINUTES, r.id, r.title, r.minutes, **shared))
    return docs


@dataclass(frozen=True)
class Source:
    """A searchable model: the documents it yields and the fields they are built from."""

    model: type[Any]
    kinds: tuple[Kind, ...]
    watched: frozenset[str]
    build: Builder


SOURCES = (
    Source(Company, (Kind.COMPANY,), frozenset({"name", "legal_name", "notes"}), _companies),
    Source(Contact, (Kind.CONTACT,), frozenset({"name", "title", "company_id", "organisation_id"}), _contacts),
    Source(Thread, (Kind.THREAD,),
           frozenset({"title", "objective", "our_ask", "their_position", "next_step", "stage"}), _threads),
    Source(Engagement, (Kind.ENGAGEMENT, Kind.ENGAGEMENT_MINUTES),
           frozenset({"subject", "summary", "minutes", "kind", "classification", "company_id", "thread_id",
                      "occurred_at", "our_ref", "their_ref", "diary_no"}), _engagements),
    Source(Commitment, (Kind.COMMITMENT,),
           frozenset({"text", "party", "company_id", "thread_id", "status"}), _commitments),
    Source(Directive, (Kind.DIRECTIVE,),
           frozenset({"serial", "source_ref", "text", "action_by_text", "status"}), _directives),
    Source(DraftReview, (Kind.DRAFT_REVIEW,),
           frozenset({"title", "committee", "consolidated_input", "status"}), _reviews),
    Source(DataRequest, (Kind.DATA_REQUEST,), frozenset({"title", "details", "thread_id", "status"}), _data_requests),
    Source(Statement, (Kind.STATEMENT,),
           frozenset({"text", "status", "company_id", "thread_id", "issued_at"}), _statements),
    Source(WGMeeting, (Kind.MEETING, Kind.MEETING_MINUTES),
           frozenset({"title", "agenda", "minutes", "classification", "held_at"}), _meetings),
)  # fmt: skip
BY_MODEL = {source.model: source for source in SOURCES}
CONTACTS = BY_MODEL[Contact]
# A contact's document holds its company's and organisation's names: renaming those re-indexes it.
DEPENDENT_CONTACTS = {
    Company: (frozenset({"name"}), Contact.company_id),
    Organisation: (frozenset({"name", "short_name"}), Contact.organisation_id),
}


def _changed(instance: Any, fields: frozenset[str]) -> bool:
    attributes = inspect(instance).attrs
    return any(attributes[name].history.has_changes() for name in fields)


@dataclass
class Changes:
    """What one flush did to searchable records, by source: ids to (re)index and ids removed."""

    refresh: defaultdict[Source, set[int]]
    removed: defaultdict[Source, set[int]]
    renamed: defaultdict[type[Any], set[int]]  # companies and organisations whose names changed

    @classmethod
    def of(cls, session: Session) -> Changes:
        changes = cls(defaultdict(set), defaultdict(set), defaultdict(set))
        for instance in session.new:
            if type(instance) in BY_MODEL:
                changes.refresh[BY_MODEL[type(instance)]].add(instance.id)
        for instance in session.dirty:
            changes._note_dirty(instance)
        for instance in session.deleted:
            if type(instance) in BY_MODEL:
                changes.removed[BY_MODEL[type(instance)]].add(instance.id)
        return changes

    def _note_dirty(self, instance: Any) -> None:
        source = BY_MODEL.get(type(instance))
        if source is not None and _changed(instance, source.watched):
            self.refresh[source].add(instance.id)
        dependent = DEPENDENT_CONTACTS.get(type(instance))
        if dependent is not None and _changed(instance, dependent[0]):
            self.renamed[type(instance)].add(instance.id)

    def __bool__(self) -> bool:
        return bool(self.refresh or self.removed or self.renamed)


def _chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    ordered = sorted(ids)
    for start in range(0, len(ordered), BATCH):
        yield ordered[start : start + BATCH]


def remove(connection: Connection, source: Source, ids: Iterable[int]) -> None:
    """Drop the documents of these records."""
    for chunk in _chunks(ids):
        connection.execute(delete(DOCUMENTS).where(DOCUMENTS.c.kind.in_(source.kinds),
                                                   DOCUMENTS.c.record_id.in_(chunk)))  # fmt: skip


def refresh(connection: Connection, source: Source, ids: Iterable[int]) -> int:
    """Rewrite the documents of these records from the rows as stored; the number written."""
    written = 0
    for chunk in _chunks(ids):
        docs = source.build(connection, chunk)
        remove(connection, source, chunk)
        if docs:
            connection.execute(insert(DOCUMENTS), docs)
        written += len(docs)
    return written


def apply(connection: Connection, changes: Changes) -> None:
    """Bring the index in step with one flush's changes."""
    for source, ids in changes.removed.items():
        remove(connection, source, ids)
    contacts = set(changes.refresh.pop(CONTACTS, set()))
    for model, ids in changes.renamed.items():
        column = DEPENDENT_CONTACTS[model][1]
        contacts.update(connection.scalars(select(Contact.id).where(column.in_(sorted(ids)))))
    for source, ids in changes.refresh.items():
        refresh(connection, source, ids - changes.removed.get(source, set()))
    refresh(connection, CONTACTS, contacts - changes.removed.get(CONTACTS, set()))


def _after_flush(session: Session, _context: Any) -> None:
    # new/dirty/deleted and attribute history still describe the flush at this point.
    changes = Changes.of(session)
    if changes:
        apply(session.connection(), changes)


def install(sessions: sessionmaker[Session]) -> None:
    """Maintain the index from every session this factory makes (idempotent)."""
    if not event.contains(sessions, "after_flush", _after_flush):
        event.listen(sessions, "after_flush", _after_flush)


def rebuild(connection: Connection) -> dict[str, int]:
    """Empty the index and index every searchable record again, in batches; documents per kind."""
    connection.execute(delete(DOCUMENTS))
    counts: dict[str, int] = {}
    for source in SOURCES:
        batches = _id_batches(connection, source)
        counts[source.model.__tablename__] = sum(refresh(connection, source, ids) for ids in batches)
    return counts


def _id_batches(connection: Connection, source: Source) -> Iterator[list[int]]:
    last = 0
    while True:
        ids = list(connection.scalars(select(source.model.id).where(source.model.id > last)
                                      .order_by(source.model.id).limit(BATCH)))  # fmt: skip
        if not ids:
            return
        yield ids
        last = ids[-1]
