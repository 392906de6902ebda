"""The search page, `/search?q=`: ranked results the reader may see, with marked snippets.

Registering this blueprint also installs the index listener on the app's sessions
(`index.install`), so every write path of the app keeps the index in step.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request, url_for
from flask.blueprints import BlueprintSetupState
from sqlalchemy.orm import Session

from crm.accounts.models import User
from crm.authz import actor, require_login
from crm.db import get_session, utcnow, write_intent
from crm.search import index, queries, services
from crm.search.models import FAMILIES, Kind

bp = Blueprint("search", __name__)
require_login(bp)


@bp.record_once
def _maintain_index(state: BlueprintSetupState) -> None:
    index.install(state.app.extensions["rabta.db"].sessionmaker)


# Where each kind of result leads; minutes open at the minutes heading of their record.
ENDPOINTS = {
    Kind.COMPANY: ("companies.profile", "company_id"),
    Kind.CONTACT: ("contacts.detail", "contact_id"),
    Kind.THREAD: ("threads.detail", "thread_id"),
    Kind.ENGAGEMENT: ("engagements.detail", "engagement_id"),
    Kind.ENGAGEMENT_MINUTES: ("engagements.detail", "engagement_id"),
    Kind.COMMITMENT: ("commitments.detail", "commitment_id"),
    Kind.DIRECTIVE: ("directives.detail", "directive_id"),
    Kind.DRAFT_REVIEW: ("reviews.detail", "review_id"),
    Kind.DATA_REQUEST: ("datarequests.detail", "request_id"),
    Kind.STATEMENT: ("statements.detail", "statement_id"),
    Kind.MEETING: ("meetings.detail", "meeting_id"),
    Kind.MEETING_MINUTES: ("meetings.detail", "meeting_id"),
}
MINUTES = frozenset({Kind.ENGAGEMENT_MINUTES, Kind.MEETING_MINUTES})


def result_url(result: queries.Result) -> str:
    endpoint, argument = ENDPOINTS[result.kind]
    anchor = "minutes-title" if result.kind in MINUTES else None
    values: dict[str, Any] = {argument: result.record_id}
    return url_for(endpoint, _anchor=anchor, **values)


def families_of(values: list[str]) -> list[Kind]:
    """The `kind` filters given that name a record kind (unknown values are ignored)."""
    return [kind for kind in FAMILIES if kind.value in values]


def audited_search(session: Session, reader: User, text: str | None, **options: Any) -> queries.SearchPage:
    """Search; when the page excerpts minutes, audit that read (R8) and commit it.

    The search itself is a read. Only a page that shows minutes writes, in a transaction of
    its own that takes SQLite's write lock up front (the read one cannot be upgraded safely).
    """
    page = queries.search(session, reader=reader, text=text, now=utcnow(), **options)
    engagement_ids = page.minutes_shown(Kind.ENGAGEMENT_MINUTES)
    meeting_ids = page.minutes_shown(Kind.MEETING_MINUTES)
    if engagement_ids or meeting_ids:
        session.rollback()
        with write_intent():
            services.record_minutes_shown(session, actor=reader, engagement_ids=engagement_ids, meeting_ids=meeting_ids)
            session.commit()
    return page


@bp.route("/search")
def results() -> str:
    text = request.args.get("q", "")
    families = families_of(request.args.getlist("kind"))
    offset = request.args.get("offset", 0, type=int)
    page = audited_search(get_session(), actor(), text, families=families, offset=offset)
    return render_template(
        "search/results.html", q=text[: queries.INPUT_LIMIT], page=page, families=FAMILIES, chosen=families,
        offset=min(max(offset, 0), queries.MAX_OFFSET), result_url=result_url, page_size=queries.PAGE_SIZE,
    )  # fmt: skip
