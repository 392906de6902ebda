"""Scheduled work on data requests: remind the requested organisation before the due date,
and tell the chair when a request is late (R9).

Both scan open requests by due date within a short window (the (status, due_date, id)
index) and leave the loop to `crm.scheduler.jobkit`: people loaded in bulk, notified with a
deterministic key, so a second run, or a second scheduler, sends nothing twice. Notifications
name the request's title and organisation, never a response's content.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from functools import partial
from operator import attrgetter
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from crm.accounts.models import User
from crm.datarequests.models import DataRequest, DataRequestStatus
from crm.formatting import format_date
from crm.organisations.models import Organisation
from crm.scheduler import jobkit
from crm.scheduler.queries import load_recipients


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


def _link(row: Row[Any]) -> str:
    return jobkit.public_link("datarequests.detail", "datarequests.index", request_id=row.id)


def data_request_reminders(session: Session, now: datetime) -> str:
    """Remind the requested organisation's active members before an open request falls due,
    once per configured threshold (REMINDER_DAYS)."""

    def recipients(rows: Sequence[Row[Any]]) -> Callable[[Row[Any]], list[User]]:
        people = load_recipients(session, user_ids=(), organisation_ids={row.requested_from_id for row in rows})
        return lambda row: people.members(row.requested_from_id)

    def notice(row: Row[Any], on: date) -> jobkit.Notice:
        title = f"{_label(row)} is {jobkit.due_phrase(row.due_date, on)}"
        return jobkit.Notice("data_request", row.id, row.due_date, title, _link(row))

    load = partial(_open_due_between, session)
    due = attrgetter("due_date")
    return jobkit.send_reminders(
        session, now, noun="data request", load=load, due=due, recipients=recipients, notice=notice
    )


def data_request_escalation(session: Session, now: datetime) -> str:
    """Tell every active chair (in-app, e-mail when configured) and the webhooks about each open
    request that fell late within the look-back window, once per due date."""

    def notice(row: Row[Any]) -> jobkit.Notice:
        title = f"{_label(row)} is late: it was due {format_date(row.due_date)}"
        return jobkit.Notice("data_request", row.id, row.due_date, title, _link(row))

    items, sent = jobkit.escalate_overdue(
        session, now, load=partial(_open_due_between, session), notices=lambda _: notice
    )
    return f"escalated {items} data request(s) newly late ({sent} notification(s))"
