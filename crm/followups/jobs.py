"""Scheduled work on follow-ups: reminders before the due date, escalation once overdue.

Both scan open follow-ups by due date within a short window (the (status, due_date, id)
index) and leave the loop to `crm.scheduler.jobkit`: people loaded in bulk, notified with a
deterministic key, so repeating a run, or two schedulers running it at once, sends nothing
twice.
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
from crm.followups.models import FollowUp, FollowUpStatus
from crm.formatting import format_date
from crm.scheduler import jobkit
from crm.scheduler.queries import load_recipients, organisation_names, user_names

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

    def recipients(rows: Sequence[Row[Any]]) -> Callable[[Row[Any]], list[User]]:
        people = load_recipients(
            session,
            user_ids={r.assignee_id for r in rows if r.assignee_id},
            organisation_ids={r.assignee_organisation_id for r in rows if r.assignee_id is None},
        )
        return lambda row: (
            people.user(row.assignee_id) if row.assignee_id else people.members(row.assignee_organisation_id)
        )

    def notice(row: Row[Any], on: date) -> jobkit.Notice:
        title = f"Follow-up {jobkit.due_phrase(row.due_date, on)}: {row.title}"
        return jobkit.Notice("follow_up", row.id, row.due_date, title, link, body=f"Priority: {row.priority.label}.")

    link = jobkit.public_link("followups.mine")
    load = partial(_open_due_between, session)
    due = attrgetter("due_date")
    return jobkit.send_reminders(
        session, now, noun="follow-up", load=load, due=due, recipients=recipients, notice=notice
    )


def owner_names(session: Session, rows: Sequence[Row[Any]]) -> dict[int, str]:
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
    link = jobkit.public_link("followups.mine")

    def notices(rows: Sequence[Row[Any]]) -> Callable[[Row[Any]], jobkit.Notice]:
        owners = owner_names(session, rows)
        return lambda row: jobkit.Notice(
            "follow_up", row.id, row.due_date, f"Overdue follow-up (was due {format_date(row.due_date)}): {row.title}",
            link, body=f"Priority: {row.priority.label}. Assigned to {owners.get(row.id, 'nobody')}.",
        )  # fmt: skip

    return jobkit.escalate_overdue(session, now, load=partial(_open_due_between, session), notices=notices)
