"""Scheduled work on commitments: reminders before the due date, and the overdue escalation
(commitments and follow-ups) to the chair.

Commitments are watched by the focal person (the chair during a vacancy); a government →
company promise with a delivering organisation is also that organisation's to keep, so its
acting members are reminded too. Notifications carry the company's name, the direction and
dates, never the promise's text (R5: e-mails and webhooks carry links, not content).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from functools import partial
from operator import attrgetter
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from crm.accounts.models import Role, User
from crm.commitments.models import Commitment, CommitmentDirection, CommitmentStatus
from crm.companies.models import Company
from crm.designations.queries import focal_person_id
from crm.followups.jobs import escalate_overdue_follow_ups
from crm.formatting import format_date
from crm.scheduler import jobkit
from crm.scheduler.queries import Recipients, active_users_with_roles, load_recipients


def _open_due_between(session: Session, first: date, last: date) -> list[Row[Any]]:
    query = (
        select(Commitment.id, Commitment.due_date, Commitment.direction, Commitment.organisation_id, Company.name)
        .join(Company, Company.id == Commitment.company_id)
        .where(Commitment.status == CommitmentStatus.OPEN, Commitment.due_date >= first, Commitment.due_date <= last)
        .order_by(Commitment.due_date, Commitment.id)
    )
    return list(session.execute(query))


def _delivering_organisation(row: Row[Any]) -> int | None:
    return row.organisation_id if row.direction is CommitmentDirection.GOVERNMENT_TO_COMPANY else None


def _watchers(session: Session, rows: Sequence[Row[Any]]) -> tuple[list[User], Recipients]:
    """The focal person (or every active chair during a vacancy), and the delivering
    organisations' members: three queries at most."""
    holder = focal_person_id(session)
    organisations = {org for org in map(_delivering_organisation, rows) if org}
    people = load_recipients(session, user_ids={holder} if holder else set(), organisation_ids=organisations)
    watchers = people.user(holder) or active_users_with_roles(session, Role.CHAIR)
    return watchers, people


def _label(row: Row[Any]) -> str:
    return f"Commitment #{row.id} ({row.name}, {row.direction.label})"


def _link(row: Row[Any]) -> str:
    return jobkit.public_link("commitments.detail", "commitments.register", commitment_id=row.id)


def commitment_reminders(session: Session, now: datetime) -> str:
    """Remind the focal person (chair in a vacancy) and, for a government promise, the
    delivering organisation's members, before each open commitment's due date, once per
    configured threshold (REMINDER_DAYS)."""

    def recipients(rows: Sequence[Row[Any]]) -> Callable[[Row[Any]], Iterable[User]]:
        watchers, people = _watchers(session, rows) if rows else ([], Recipients())
        return lambda row: {u.id: u for u in [*watchers, *people.members(_delivering_organisation(row))]}.values()

    def notice(row: Row[Any], on: date) -> jobkit.Notice:
        title = f"{_label(row)} is {jobkit.due_phrase(row.due_date, on)}"
        return jobkit.Notice("commitment", row.id, row.due_date, title, _link(row))

    load = partial(_open_due_between, session)
    due = attrgetter("due_date")
    return jobkit.send_reminders(
        session, now, noun="commitment", load=load, due=due, recipients=recipients, notice=notice
    )


def escalate_overdue_commitments(session: Session, now: datetime) -> tuple[int, int]:
    """Tell every active chair (in-app, e-mail when configured) and the webhooks about each
    open commitment that fell overdue within the look-back window, once per due date.
    Returns (items escalated now, notifications sent)."""

    def notice(row: Row[Any]) -> jobkit.Notice:
        title = f"{_label(row)} is overdue: it was due {format_date(row.due_date)}"
        return jobkit.Notice("commitment", row.id, row.due_date, title, _link(row))

    return jobkit.escalate_overdue(session, now, load=partial(_open_due_between, session), notices=lambda _: notice)


def overdue_escalation(session: Session, now: datetime) -> str:
    """The `overdue_escalation` job: overdue commitments and follow-ups, to the chair."""
    commitments, commitment_notes = escalate_overdue_commitments(session, now)
    follow_ups, follow_up_notes = escalate_overdue_follow_ups(session, now)
    return (
        f"escalated {commitments} commitment(s) and {follow_ups} follow-up(s) newly overdue"
        f" ({commitment_notes + follow_up_notes} notification(s))"
    )
