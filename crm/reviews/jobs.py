"""Scheduled work on draft reviews: remind the reviewers before the input is due, and tell
the chair when the group's input is overdue (R9).

Both scan open reviews (received, under review) by input due date within a short window (the
(status, input_due, id) index), load the people to notify in bulk and notify through
`crm.notifications.services.notify` with a deterministic key: a second run, or a second
scheduler, sends nothing twice. Drafts carry no classification; the notification names the
draft's title and its originating organisation, never comments or the consolidated input.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from crm.accounts.models import Role, User
from crm.followups.jobs import ESCALATION_LOOKBACK_DAYS
from crm.formatting import format_date
from crm.notifications.models import NotificationKind
from crm.notifications.services import notify, queue_webhook_event
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


def draft_review_reminders(session: Session, now: datetime) -> str:
    """Remind each open review's reviewers (the secretariat when none is named) before the
    group's input is due, once per configured threshold (REMINDER_DAYS)."""
    days, on = jobkit.reminder_days(), jobkit.today(now)
    if not days:
        return "no reminders configured (REMINDER_DAYS is empty)"
    rows = _open_due_between(session, on, on + timedelta(days=max(days)))
    reviewers = _reviewers(session, [row.id for row in rows]) if rows else {}
    email, sent = jobkit.send_email(), 0
    for row in rows:
        threshold = jobkit.reminder_threshold((row.input_due - on).days, days)
        for user in reviewers[row.id] if threshold is not None else []:
            sent += notify(
                session, user=user, key=f"reminder:draft_review:{row.id}:{row.input_due.isoformat()}:{threshold}d",
                kind=NotificationKind.REMINDER, title=f"{_label(row)}: input {jobkit.due_phrase(row.input_due, on)}",
                link=jobkit.public_link("reviews.detail", "reviews.index", review_id=row.id), email=email, now=now,
            ) is not None  # fmt: skip
    horizon = format_date(on + timedelta(days=max(days)))
    return f"{sent} reminder(s) sent for {len(rows)} open draft review(s) due by {horizon}"


def draft_review_escalation(session: Session, now: datetime) -> str:
    """Tell every active chair (in-app, e-mail when configured) and the webhooks about each open
    review whose input fell overdue within the look-back window, once per due date."""
    on = jobkit.today(now)
    rows = _open_due_between(session, on - timedelta(days=ESCALATION_LOOKBACK_DAYS), on - timedelta(days=1))
    chairs = active_users_with_roles(session, Role.CHAIR) if rows else []
    email, urls = jobkit.send_email(), jobkit.webhook_urls()
    items = sent = 0
    for row in rows:
        key = f"escalation:draft_review:{row.id}:{row.input_due.isoformat()}"
        link = jobkit.public_link("reviews.detail", "reviews.index", review_id=row.id)
        title = f"{_label(row)}: the group's input is overdue (was due {format_date(row.input_due)})"
        delivered = [
            notify(
                session,
                user=chair,
                key=key,
                kind=NotificationKind.ESCALATION,
                title=title,
                link=link,
                email=email,
                now=now,
            )  # fmt: skip
            for chair in chairs
        ]
        sent += sum(d is not None for d in delivered)
        queued = queue_webhook_event(session, event="overdue", key=key, now=now, urls=urls, data={
            "type": "draft_review", "id": row.id, "due_date": row.input_due, "link": link})  # fmt: skip
        items += any(d is not None for d in delivered) or bool(queued)
    return f"escalated {items} draft review(s) newly overdue ({sent} notification(s))"
