"""Fixtures for the job tests: jobs run at a fixed time, and what they sent (notifications and
outbox messages). seed comes from tests/fixtures/common.py."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import event, func, select

from crm.audit.models import AuditEvent
from crm.db import get_session, write_intent
from crm.notifications.models import Notification, OutboxChannel, OutboxMessage

# 09:00 in Pakistan on 05-03-2026 (04:00 UTC).
NOW = datetime(2026, 3, 5, 4, 0, tzinfo=UTC)
TODAY = date(2026, 3, 5)


@pytest.fixture
def run_job(app, connection) -> Callable[..., str]:
    """Call a job function as the runner does (app context, write intent, one commit)."""

    def run(job: Callable[[Any, datetime], str], now: datetime = NOW) -> str:
        with app.app_context(), write_intent():
            session = get_session()
            summary = job(session, now)
            session.commit()
        return summary

    return run


@pytest.fixture
def sent(app, connection) -> Callable[..., list[Notification]]:
    """The notifications stored so far, optionally for one user or with a key prefix."""

    def notifications(user: Any = None, prefix: str = "") -> list[Notification]:
        query = select(Notification).order_by(Notification.id)
        if user is not None:
            query = query.where(Notification.user_id == user.id)
        if prefix:
            query = query.where(Notification.key.startswith(prefix))
        with app.app_context():
            return list(get_session().scalars(query))

    return notifications


@pytest.fixture
def outbox(app, connection) -> Callable[..., list[OutboxMessage]]:
    """The outbox messages queued so far, optionally of one channel."""

    def messages(channel: OutboxChannel | None = None) -> list[OutboxMessage]:
        query = select(OutboxMessage).order_by(OutboxMessage.id)
        if channel is not None:
            query = query.where(OutboxMessage.channel == channel)
        with app.app_context():
            return list(get_session().scalars(query))

    return messages


@pytest.fixture
def audit_count(app, connection) -> Callable[[], int]:
    def count() -> int:
        with app.app_context():
            return get_session().scalar(select(func.count()).select_from(AuditEvent)) or 0

    return count


@pytest.fixture
def smtp_configured(app, monkeypatch) -> None:
    """E-mail is configured (messages are only queued here; nothing listens on that port)."""
    monkeypatch.setitem(app.config, "SMTP_HOST", "127.0.0.1")
    monkeypatch.setitem(app.config, "SMTP_PORT", 9)


@pytest.fixture
def webhooks_configured(app, monkeypatch) -> list[str]:
    urls = ["http://127.0.0.1:9/rabta-hook"]
    monkeypatch.setitem(app.config, "WEBHOOK_URLS", urls)
    monkeypatch.setitem(app.config, "WEBHOOK_SECRET", "test-webhook-secret")
    return urls


@pytest.fixture
def selects(app) -> Callable[[Callable[[], Any]], list[str]]:
    """The SELECT statements `work()` sends (INSERTs of notifications are not counted)."""

    def count(work: Callable[[], Any]) -> list[str]:
        engine = app.extensions["rabta.db"].engine
        seen: list[str] = []

        def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            if statement.lstrip().upper().startswith("SELECT"):
                seen.append(statement)

        event.listen(engine, "before_cursor_execute", note)
        try:
            work()
        finally:
            event.remove(engine, "before_cursor_execute", note)
        return seen

    return count
