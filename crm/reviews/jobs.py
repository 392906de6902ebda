"""Scheduled work on draft reviews: remind the reviewers before the input is due, and tell
the chair when the group's input is overdue (R9).

Both scan open reviews (received, under review) by input due date within a short window (the
(status, input_due, id) index) and leave the loop to `crm.scheduler.jobkit`: people loaded in
bulk, notified with a deterministic key, so a second run, or a second scheduler, sends nothing
twice. Drafts carry no classification; the notification names the draft's title and its
originating organisation, never comments or the consolidated input.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from functools import partial
from operator import attrgetter
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from crm.accounts.models import Role, User
from crm.formatting import format_date
from crm.organisations.models import Organisation
from crm.reviews.models import DraftReview, draft_reviewers
from crm.reviews.queries import OPEN
from crm.scheduler import jobkit
from crm.scheduler.queries import active_users_with_roles, load_recipients


def _open_due_between(session: Session, first: date, last: date) -> list[Row[Any]]:
    query = (
        select(DraftReview.id, DraftReview.title, DraftReview.input_due, Organisation.short_name)
        .join(Organisation, Organisation.id == DraftReview.originating_organisation_id)
        .where(DraftReview.status.in_(OPEN), DraftReview.input_due >= first, DraftReview.input_due <= last)
        .order_by(DraftReview.input_due, DraftReview.id)
    )
    return list(session.execute(query))


def _reviewers(session: Session, review_ids: list[int]) -> dict[int, list[User]]:
    """Active reviewers of each review; the secretariat for a review with none named: three queries."""
    pairs = list(session.execute(select(draft_reviewers.c.draft_review_id, draft_reviewers.c.user_id)
                                 .where(draft_reviewers.c.draft_review_id.in_(review_ids))))  # fmt: skip
    people = load_recipients(session, user_ids={user_id for _, user_id in pairs}, organisation_ids=())
    named: dict[int, list[User]] = {}
    for review_id, user_id in pairs:
        named.setdefault(review_id, []).extend(people.user(user_id))
    secretariat = active_users_with_roles(session, Role.SECRETARIAT) if len(named) < len(review_ids) else []
    return {review_id: named.get(review_id) or secretariat for review_id in review_ids}


def _label(row: Row[Any]) -> str:
    return f"Draft review “{row.title}” ({row.short_name})"


def _link(row: Row[Any]) -> str:
    return jobkit.public_link("reviews.detail", "reviews.index", review_id=row.id)


def draft_review_reminders(session: Session, now: datetime) -> str:
    """Remind each open review's reviewers (the secretariat when none is named) before the
    group's input is due, once per configured threshold (REMINDER_DAYS)."""

    def recipients(rows: Sequence[Row[Any]]) -> Callable[[Row[Any]], list[User]]:
        reviewers = _reviewers(session, [row.id for row in rows]) if rows else {}
        return lambda row: reviewers[row.id]

    def notice(row: Row[Any], on: date) -> jobkit.Notice:
        title = f"{_label(row)}: input {jobkit.due_phrase(row.input_due, on)}"
        return jobkit.Notice("draft_review", row.id, row.input_due, title, _link(row))

    load = partial(_open_due_between, session)
    due = attrgetter("input_due")
    return jobkit.send_reminders(
        session, now, noun="draft review", load=load, due=due, recipients=recipients, notice=notice
    )


def draft_review_escalation(session: Session, now: datetime) -> str:
    """Tell every active chair (in-app, e-mail when configured) and the webhooks about each open
    review whose input fell overdue within the look-back window, once per due date."""

    def notice(row: Row[Any]) -> jobkit.Notice:
        title = f"{_label(row)}: the group's input is overdue (was due {format_date(row.input_due)})"
        return jobkit.Notice("draft_review", row.id, row.input_due, title, _link(row))

    items, sent = jobkit.escalate_overdue(
        session, now, load=partial(_open_due_between, session), notices=lambda _: notice
    )
    return f"escalated {items} draft review(s) newly overdue ({sent} notification(s))"
