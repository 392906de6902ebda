"""The nightly audit check: the same verification as `flask --app app audit verify`, and an
alert to every active chair and admin (and the webhooks) when the chain is broken.

One alert per Pakistan date: a chain that stays broken is reported again the next night,
never twice in one day however often the job runs.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from crm.accounts.models import Role
from crm.audit.queries import ChainReport, verify_chain
from crm.notifications.models import NotificationKind
from crm.notifications.services import notify, queue_webhook_event
from crm.scheduler import jobkit
from crm.scheduler.queries import active_users_with_roles


def _where(report: ChainReport) -> str:
    where = f"event #{report.broken_seq}" if report.broken_seq else "the chain head"
    return where + (f" (id {report.broken_id})" if report.broken_id else "")


def audit_verify(session: Session, now: datetime) -> str:
    """Verify the hash chain; if broken, alert the chair(s) and admins once for the day."""
    report = verify_chain(session)
    if report.ok:
        return f"audit chain intact: {report.checked} event(s) verified"
    on = jobkit.today(now)
    key = f"audit-broken:{on.isoformat()}"
    link = jobkit.public_link("audit.events")
    title = f"Audit log tampered with: the chain breaks at {_where(report)}"
    body = (f"{report.reason}. {report.checked} event(s) before it verified. "
            "Run `flask --app app audit verify` on the server, and restore from a backup if needed.")  # fmt: skip
    email, sent = jobkit.send_email(), 0
    for user in active_users_with_roles(session, Role.CHAIR, Role.ADMIN):
        sent += notify(session, user=user, key=key, kind=NotificationKind.ALERT, title=title, body=body, link=link,
                       email=email, now=now) is not None  # fmt: skip
    data = {"broken_seq": report.broken_seq, "broken_id": report.broken_id, "checked": report.checked, "link": link}
    queue_webhook_event(session, event="audit_chain_broken", key=key, now=now, urls=jobkit.webhook_urls(), data=data)
    return f"audit chain BROKEN at {_where(report)}: {report.reason}; {sent} alert(s) sent"
