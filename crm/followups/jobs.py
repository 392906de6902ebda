"""Scheduled work on follow-ups: reminders before the due date, escalation once overdue.

Both scan open follow-ups by due date within a short window (the (status, due_date, id)
index), load the people to notify in bulk, and notify through
`crm.notifications.services.notify` with a deterministic key, so repeating a run, or two
schedulers running it at once, sends nothing twice.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from crm.accounts.models import Role
from crm.followups.models import FollowUp, FollowUpStatus
from crm.formatting import format_date
from crm.notifications.models import NotificationKind
from crm.notifications.services import notify, queue_webhook_event
from crm.scheduler import jobkit
from crm.scheduler.queries import active_users_with_roles, load_recipients, organisation_names, user_names

# An item is escalated when it falls overdue; one overdue for longer than this is assumed
# escalated already (or older than the scheduler) and is left to the daily digest, so a first
# run on years of history does not bury the chair.
ESCALATION_LOOKBACK_DAYS = 7

COLUMNS = (
    FollowUp.id,
    FollowUp.title,
    FollowUp.due_date,
    FollowUp.priority,
    FollowUp.assignee_id,
    FollowUp.assignee_organisation_id,
)


def _open_due_between(session: Session, first: date, last: date) -> list[Row[Any]]:
    query = (
        select(*COLUMNS)
        .where(FollowUp.status == FollowUpStatus.OPEN, FollowUp.due_date >= first, FollowUp.due_date <= last)
        .order_by(FollowUp.due_date, FollowUp.id)
    )
    return list(session.execute(query))


def follow_up_reminders(session: Session, now: datetime) -> str:
    """Remind each open follow-up's assignee (or, for an organisation's queue, its acting
    members) before the due date, once per configured threshold (REMINDER_DAYS)."""
    days, on = jobkit.reminder_days(), jobkit.today(now)
    if not days:
        return "no reminders configured (REMINDER_DAYS is empty)"
    rows = _open_due_between(session, on, on + timedelta(days=max(days)))
    people = load_recipients(
        session,
        user_ids={r.assignee_id for r in rows if r.assignee_id},
        organisation_ids={r.assignee_organisation_id for r in rows if r.assignee_id is None},
    )
    link, email, sent = jobkit.public_link("followups.mine"), jobkit.send_email(), 0
    for row in rows:
        threshold = jobkit.reminder_threshold((row.due_date - on).days, days)
        recipients = people.user(row.assignee_id) if row.assignee_id else people.members(row.assignee_organisation_id)
        for user in recipients if threshold is not None else []:
            sent += notify(
                session, user=user, key=f"reminder:follow_up:{row.id}:{row.due_date.isoformat()}:{threshold}d",
                kind=NotificationKind.REMINDER, title=f"Follow-up {jobkit.due_phrase(row.due_date, on)}: {row.title}",
                body=f"Priority: {row.priority.label}.", link=link, email=email, now=now,
            ) is not None  # fmt: skip
    horizon = format_date(on + timedelta(days=max(days)))
    return f"{sent} reminder(s) sent for {len(rows)} open follow-up(s) due by {horizon}"


def owner_names(session: Session, rows: list[Row[Any]]) -> dict[int, str]:
    """Follow-up id -> its assignee's name or "the <ORG> queue": two queries at most."""
    users = user_names(session, {r.assignee_id for r in rows if r.assignee_id})
    organisations = organisation_names(session, {r.assignee_organisation_id for r in rows if r.assignee_id is None})
    return {
        r.id: users.get(r.assignee_id, "a former user")
        if r.assignee_id
        else f"the {organisations.get(r.assignee_organisation_id, 'organisation')} queue"
        for r in rows
    }


def escalate_overdue_follow_ups(session: Session, now: datetime) -> tuple[int, int]:
    """Tell every active chair (in-app, e-mail when configured) and the webhooks about each
    open follow-up that fell overdue within the look-back window, once per due date.
    Returns (items escalated now, notifications sent)."""
    on = jobkit.today(now)
    rows = _open_due_between(session, on - timedelta(days=ESCALATION_LOOKBACK_DAYS), on - timedelta(days=1))
    chairs = active_users_with_roles(session, Role.CHAIR) if rows else []
    owners = owner_names(session, rows)
    link, email, urls = jobkit.public_link("followups.mine"), jobkit.send_email(), jobkit.webhook_urls()
    items = sent = 0
    for row in rows:
        key = f"escalation:follow_up:{row.id}:{row.due_date.isoformat()}"
        title = f"Overdue follow-up (was due {format_date(row.due_date)}): {row.title}"
        body = f"Priority: {row.priority.label}. Assigned to {owners.get(row.id, 'nobody')}."
        delivered = [
            notify(
                session,
                user=chair,
                key=key,
                kind=NotificationKind.ESCALATION,
                title=title,
                body=body,
                link=link,
                email=email,
                now=now,
            )  # fmt: skip
            for chair in chairs
        ]
        sent += sum(d is not None for d in delivered)
        queued = queue_webhook_event(session, event="overdue", key=key, now=now, urls=urls, data={
            "type": "follow_up", "id": row.id, "due_date": row.due_date, "link": link})  # fmt: skip
        items += any(d is not None for d in delivered) or bool(queued)
    return items, sent
