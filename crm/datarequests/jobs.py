"""Scheduled work on data requests: remind the requested organisation before the due date,
and tell the chair when a request is late (R9).

Both scan open requests by due date within a short window (the (status, due_date, id)
index), load the people to notify in bulk and notify through
`crm.notifications.services.notify` with a deterministic key: a second run, or a second
scheduler, sends nothing twice. Notifications name the request's title and organisation,
never a response's content.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from crm.accounts.models import Role
from crm.datarequests.models import DataRequest, DataRequestStatus
from crm.followups.jobs import ESCALATION_LOOKBACK_DAYS
from crm.formatting import format_date
from crm.notifications.models import NotificationKind
from crm.notifications.services import notify, queue_webhook_event
from crm.organisations.models import Organisation
from crm.scheduler import jobkit
from crm.scheduler.queries import active_users_with_roles, load_recipients


def _open_due_between(session: Session, first: date, last: date) -> list[Row[Any]]:
    query = (
        select(
            DataRequest.id,
            DataRequest.title,
            DataRequest.due_date,
            DataRequest.requested_from_id,
            Organisation.short_name,
        )  # fmt: skip
        .join(Organisation, Organisation.id == DataRequest.requested_from_id)
        .where(
            DataRequest.status == DataRequestStatus.OPEN, DataRequest.due_date >= first, DataRequest.due_date <= last
        )  # fmt: skip
        .order_by(DataRequest.due_date, DataRequest.id)
    )
    return list(session.execute(query))


def _label(row: Row[Any]) -> str:
    return f"Data request to {row.short_name}: “{row.title}”"


def data_request_reminders(session: Session, now: datetime) -> str:
    """Remind the requested organisation's active members before an open request falls due,
    once per configured threshold (REMINDER_DAYS)."""
    days, on = jobkit.reminder_days(), jobkit.today(now)
    if not days:
        return "no reminders configured (REMINDER_DAYS is empty)"
    rows = _open_due_between(session, on, on + timedelta(days=max(days)))
    people = load_recipients(session, user_ids=(), organisation_ids={row.requested_from_id for row in rows})
    email, sent = jobkit.send_email(), 0
    for row in rows:
        threshold = jobkit.reminder_threshold((row.due_date - on).days, days)
        for user in people.members(row.requested_from_id) if threshold is not None else []:
            sent += notify(
                session, user=user, key=f"reminder:data_request:{row.id}:{row.due_date.isoformat()}:{threshold}d",
                kind=NotificationKind.REMINDER, title=f"{_label(row)} is {jobkit.due_phrase(row.due_date, on)}",
                link=jobkit.public_link("datarequests.detail", "datarequests.index", request_id=row.id),
                email=email, now=now,
            ) is not None  # fmt: skip
    horizon = format_date(on + timedelta(days=max(days)))
    return f"{sent} reminder(s) sent for {len(rows)} open data request(s) due by {horizon}"


def data_request_escalation(session: Session, now: datetime) -> str:
    """Tell every active chair (in-app, e-mail when configured) and the webhooks about each open
    request that fell late within the look-back window, once per due date."""
    on = jobkit.today(now)
    rows = _open_due_between(session, on - timedelta(days=ESCALATION_LOOKBACK_DAYS), on - timedelta(days=1))
    chairs = active_users_with_roles(session, Role.CHAIR) if rows else []
    email, urls = jobkit.send_email(), jobkit.webhook_urls()
    items = sent = 0
    for row in rows:
        key = f"escalation:data_request:{row.id}:{row.due_date.isoformat()}"
        link = jobkit.public_link("datarequests.detail", "datarequests.index", request_id=row.id)
        title = f"{_label(row)} is late: it was due {format_date(row.due_date)}"
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
            "type": "data_request", "id": row.id, "due_date": row.due_date, "link": link})  # fmt: skip
        items += any(d is not None for d in delivered) or bool(queued)
    return f"escalated {items} data request(s) newly late ({sent} notification(s))"
