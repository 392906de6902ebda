"""Scheduled work on directives (R9): reminders before the due date to the action-by
organisations, and escalation to the chair once overdue.

Escalation does not change a directive's status: "behind schedule" past the due date is
derived (as overdue is for commitments), so no row is written without a person behind it and
the organisation still gives the reason for the delay when it next reports. Notifications go
through `notify` with deterministic keys (once per directive, due date and threshold), so a
repeated run, or two schedulers at once, sends nothing twice. Titles name the serial and the
letter, never the text: a directive's words stay in Rabta.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from crm.accounts.models import Role
from crm.directives.models import Directive
from crm.directives.queries import overdue_open
from crm.formatting import format_date
from crm.notifications.models import NotificationKind
from crm.notifications.services import notify, queue_webhook_event
from crm.scheduler import jobkit
from crm.scheduler.queries import active_users_with_roles, load_recipients

# As for follow-ups: an item overdue for longer was escalated already (or predates the
# scheduler) and is not announced again on a first run over old history.
ESCALATION_LOOKBACK_DAYS = 7


def _name(directive: Directive) -> str:
    return f"Direction {directive.serial} of {directive.source_ref} ({format_date(directive.source_date)})"


def directive_reminders(session: Session, now: datetime) -> str:
    """Remind the active members of each open directive's action-by organisations before the
    due date, once per configured threshold (REMINDER_DAYS)."""
    days, on = jobkit.reminder_days(), jobkit.today(now)
    if not days:
        return "no reminders configured (REMINDER_DAYS is empty)"
    rows = overdue_open(session, first=on, last=on + timedelta(days=max(days)))
    people = load_recipients(session, user_ids=set(), organisation_ids={o.id for d in rows for o in d.organisations})
    email, sent = jobkit.send_email(), 0
    for directive in rows:
        assert directive.due_date is not None
        threshold = jobkit.reminder_threshold((directive.due_date - on).days, days)
        if threshold is None:
            continue
        link = jobkit.public_link("directives.detail", "directives.tracker", directive_id=directive.id)
        key = f"reminder:directive:{directive.id}:{directive.due_date.isoformat()}:{threshold}d"
        for user in [u for o in directive.organisations for u in people.members(o.id)]:
            sent += notify(
                session, user=user, key=key, kind=NotificationKind.REMINDER,
                title=f"{_name(directive)} {jobkit.due_phrase(directive.due_date, on)}",
                body="Report progress on the directives tracker.", link=link, email=email, now=now,
            ) is not None  # fmt: skip
    horizon = format_date(on + timedelta(days=max(days)))
    return f"{sent} reminder(s) sent for {len(rows)} open directive(s) due by {horizon}"


def directive_escalation(session: Session, now: datetime) -> str:
    """Tell every active chair (and the webhooks) about each open directive that fell
    overdue within the look-back window, once per directive and due date."""
    on = jobkit.today(now)
    rows = overdue_open(session, first=on - timedelta(days=ESCALATION_LOOKBACK_DAYS), last=on - timedelta(days=1))
    chairs = active_users_with_roles(session, Role.CHAIR) if rows else []
    email, urls, items, sent = jobkit.send_email(), jobkit.webhook_urls(), 0, 0
    for directive in rows:
        assert directive.due_date is not None
        link = jobkit.public_link("directives.detail", "directives.tracker", directive_id=directive.id)
        key = f"escalation:directive:{directive.id}:{directive.due_date.isoformat()}"
        action_by = ", ".join(o.short_name for o in directive.organisations) or directive.action_by_text or "—"
        delivered = [
            notify(
                session,
                user=chair,
                key=key,
                kind=NotificationKind.ESCALATION,
                title=f"Behind schedule: {_name(directive)}, due {format_date(directive.due_date)}",
                body=f"Action by: {action_by}. Status: {directive.status.label}.",
                link=link,
                email=email,
                now=now,
            )  # fmt: skip
            for chair in chairs
        ]
        sent += sum(d is not None for d in delivered)
        queued = queue_webhook_event(session, event="overdue", key=key, now=now, urls=urls, data={
            "type": "directive", "id": directive.id, "due_date": directive.due_date, "link": link})  # fmt: skip
        items += any(d is not None for d in delivered) or bool(queued)
    return f"{items} overdue directive(s) escalated, {sent} notification(s) sent"
