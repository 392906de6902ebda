"""Scheduled work on directives (R9): reminders before the due date to the action-by
organisations, and escalation to the chair once overdue.

Escalation does not change a directive's status: "behind schedule" past the due date is
derived (as overdue is for commitments), so no row is written without a person behind it and
the organisation still gives the reason for the delay when it next reports. Notifications go
through `crm.scheduler.jobkit`'s loops with deterministic keys (once per directive, due date
and threshold), so a repeated run, or two schedulers at once, sends nothing twice. Titles name the serial and the
letter, never the text: a directive's words stay in Rabta.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from functools import partial

from sqlalchemy.orm import Session

from crm.accounts.models import User
from crm.directives.models import Directive
from crm.directives.queries import overdue_open
from crm.formatting import format_date
from crm.scheduler import jobkit
from crm.scheduler.queries import load_recipients


def _name(directive: Directive) -> str:
    return f"Direction {directive.serial} of {directive.source_ref} ({format_date(directive.source_date)})"


def _due(directive: Directive) -> date:
    assert directive.due_date is not None  # overdue_open finds directives with a due date only
    return directive.due_date


def _link(directive: Directive) -> str:
    return jobkit.public_link("directives.detail", "directives.tracker", directive_id=directive.id)


def _open_due_between(session: Session, first: date, last: date) -> list[Directive]:
    return overdue_open(session, first=first, last=last)


def directive_reminders(session: Session, now: datetime) -> str:
    """Remind the active members of each open directive's action-by organisations before the
    due date, once per configured threshold (REMINDER_DAYS)."""

    def recipients(rows: Sequence[Directive]) -> Callable[[Directive], list[User]]:
        people = load_recipients(
            session, user_ids=set(), organisation_ids={o.id for d in rows for o in d.organisations}
        )
        return lambda directive: [u for o in directive.organisations for u in people.members(o.id)]

    def notice(directive: Directive, on: date) -> jobkit.Notice:
        title = f"{_name(directive)} {jobkit.due_phrase(_due(directive), on)}"
        body = "Report progress on the directives tracker."
        return jobkit.Notice("directive", directive.id, _due(directive), title, _link(directive), body=body)

    load = partial(_open_due_between, session)
    return jobkit.send_reminders(
        session, now, noun="directive", load=load, due=_due, recipients=recipients, notice=notice
    )


def directive_escalation(session: Session, now: datetime) -> str:
    """Tell every active chair (and the webhooks) about each open directive that fell
    overdue within the look-back window, once per directive and due date."""

    def notice(directive: Directive) -> jobkit.Notice:
        title = f"Behind schedule: {_name(directive)}, due {format_date(_due(directive))}"
        action_by = ", ".join(o.short_name for o in directive.organisations) or directive.action_by_text or "—"
        body = f"Action by: {action_by}. Status: {directive.status.label}."
        return jobkit.Notice("directive", directive.id, _due(directive), title, _link(directive), body=body)

    items, sent = jobkit.escalate_overdue(
        session, now, load=partial(_open_due_between, session), notices=lambda _: notice
    )
    return f"{items} overdue directive(s) escalated, {sent} notification(s) sent"
