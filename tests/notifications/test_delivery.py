"""Sending the outbox after the commit: e-mail through a real local SMTP server, webhooks to a
real local HTTP server, retries with backoff, and never a message sent twice."""

from __future__ import annotations

import email
import email.policy
import hashlib
import hmac
import json
import time
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from crm.notifications import services
from crm.notifications.delivery import deliver_outbox
from crm.notifications.models import Notification, NotificationKind, OutboxChannel, OutboxMessage, OutboxStatus
from tests.notifications.conftest import NOW, SECRET, user_with_email

LINK = "http://127.0.0.1:5000/commitments/7"


def run(app, session, now=NOW) -> str:
    """The job as the scheduler calls it: in an app context, with a fixed `now`."""
    with app.app_context():
        return deliver_outbox(session, now)


def outbox(session) -> list[OutboxMessage]:
    session.expire_all()  # the job updates rows in bulk: read what is stored
    return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def remind(session, user, key="reminder:commitment:7:3", email_too=True):
    return services.notify(
        session, user=user, key=key, kind=NotificationKind.REMINDER, title="Commitment due in 3 days: Google",
        link=LINK, body="Due 13-03-2025.", email=email_too, now=NOW,
    )  # fmt: skip


def queue_hook(session, url, key="escalation:commitment:7", event="commitment.overdue"):
    return services.queue_webhook_event(
        session, event=event, key=key, data={"commitment_id": 7, "due_date": date(2025, 3, 9), "link": LINK},
        now=NOW, urls=[url],
    )  # fmt: skip


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


# notify: exactly once per key


def test_notifying_twice_with_one_key_makes_one_notification_and_one_email(session):
    user = user_with_email(session)
    first = remind(session, user)
    second = remind(session, user)
    assert first is not None
    assert second is None
    assert count(session, Notification) == 1
    assert [m.recipient for m in outbox(session)] == [user.email]


def test_no_email_is_queued_when_not_asked_for(session):
    remind(session, user_with_email(session), email_too=False)
    assert outbox(session) == []


# E-mail through a real SMTP server


def test_an_email_arrives_once_carrying_the_link_and_no_more_than_the_notification(app, session, smtp):
    smtp.start()
    user = user_with_email(session)
    remind(session, user)
    session.commit()

    assert run(app, session) == "sent 1, retry 0, failed 0"
    assert run(app, session) == "sent 0, retry 0, failed 0"
    assert run(app, session, NOW + timedelta(days=1)) == "sent 0, retry 0, failed 0"

    assert len(smtp.inbox.envelopes) == 1
    envelope = smtp.inbox.envelopes[0]
    assert envelope.rcpt_tos == [user.email]
    message = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert message["From"] == "rabta@nsmcwg.gov.pk"
    assert message["To"] == user.email
    assert message["Subject"] == "Commitment due in 3 days: Google"
    assert message["Message-ID"].endswith("@nsmcwg.gov.pk>")
    text = message.get_content()
    assert LINK in text
    assert "Due 13-03-2025." in text
    assert (
        text.replace("\r\n", "\n").strip()
        == services.email_body("Commitment due in 3 days: Google", "Due 13-03-2025.", LINK).strip()
    )
    [row] = outbox(session)
    assert (row.status, row.attempts, row.sent_at, row.last_error) == (OutboxStatus.SENT, 1, NOW, "")


def test_the_message_id_is_fixed_by_the_outbox_key_so_a_resend_can_be_recognised(app, session, smtp):
    smtp.start()
    user = user_with_email(session)
    remind(session, user, key="a")
    remind(session, user, key="b")
    session.commit()
    run(app, session)
    ids = [email.message_from_bytes(e.content)["Message-ID"] for e in smtp.inbox.envelopes]
    keys = [f"email:{user.id}:a", f"email:{user.id}:b"]
    assert sorted(ids) == sorted(f"<outbox.{hashlib.sha256(k.encode()).hexdigest()[:40]}@nsmcwg.gov.pk>" for k in keys)


def test_an_email_is_retried_while_smtp_is_down_and_delivered_once_when_it_is_up(app, session, smtp):
    remind(session, user_with_email(session))
    session.commit()

    assert run(app, session) == "sent 0, retry 1, failed 0"  # nobody listens on the port yet
    [row] = outbox(session)
    assert (row.status, row.attempts, row.next_attempt_at) == (OutboxStatus.PENDING, 1, NOW + timedelta(minutes=1))
    assert "Connection" in row.last_error or "refused" in row.last_error.lower()

    smtp.start()
    assert run(app, session, NOW + timedelta(seconds=30)) == "sent 0, retry 0, failed 0"  # not due yet
    assert smtp.inbox.envelopes == []
    assert run(app, session, NOW + timedelta(minutes=1)) == "sent 1, retry 0, failed 0"
    assert run(app, session, NOW + timedelta(hours=1)) == "sent 0, retry 0, failed 0"
    assert len(smtp.inbox.envelopes) == 1
    [row] = outbox(session)
    assert (row.status, row.attempts, row.last_error) == (OutboxStatus.SENT, 2, "")


def test_emails_wait_while_smtp_is_not_configured_and_go_once_it_is(app, session, smtp, monkeypatch):
    smtp.start()
    remind(session, user_with_email(session))
    session.commit()
    monkeypatch.setitem(app.config, "SMTP_HOST", "")

    summary = run(app, session)
    assert summary == "sent 0, retry 0, failed 0; 1 e-mail(s) wait for SMTP_HOST to be configured"
    [row] = outbox(session)
    assert (row.status, row.attempts) == (OutboxStatus.PENDING, 0)

    monkeypatch.setitem(app.config, "SMTP_HOST", "127.0.0.1")
    assert run(app, session, NOW + timedelta(days=2)) == "sent 1, retry 0, failed 0"
    assert len(smtp.inbox.envelopes) == 1


# Webhooks through a real HTTP server


def test_a_webhook_is_posted_once_with_a_signature_the_receiver_can_verify(app, session, webhooks):
    [message_id] = queue_hook(session, webhooks.url())
    session.commit()
    before = int(time.time())

    assert run(app, session) == "sent 1, retry 0, failed 0"
    assert run(app, session, NOW + timedelta(days=1)) == "sent 0, retry 0, failed 0"

    [request] = webhooks.received
    timestamp = request.headers["X-Rabta-Timestamp"]
    expected = hmac.new(SECRET.encode(), timestamp.encode() + b"." + request.body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(request.headers["X-Rabta-Signature"], f"sha256={expected}")
    assert before <= int(timestamp) <= int(time.time())
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["X-Rabta-Event"] == "commitment.overdue"
    assert request.headers["X-Rabta-Delivery"] == outbox(session)[0].key
    assert request.path == "/hooks/rabta"
    assert request.json() == {
        "event": "commitment.overdue",
        "key": "escalation:commitment:7",
        "occurred_at": NOW.isoformat(),
        "data": {"commitment_id": 7, "due_date": "2025-03-09", "link": LINK},
    }


def test_a_signature_made_with_another_secret_does_not_verify(app, session, webhooks):
    queue_hook(session, webhooks.url())
    session.commit()
    run(app, session)
    [request] = webhooks.received
    timestamp = request.headers["X-Rabta-Timestamp"]
    forged = hmac.new(b"another-secret", timestamp.encode() + b"." + request.body, hashlib.sha256).hexdigest()
    assert request.headers["X-Rabta-Signature"] != f"sha256={forged}"


def test_a_receiver_that_fails_first_gets_the_same_delivery_again_after_the_backoff(app, session, webhooks):
    webhooks.statuses = [500]
    queue_hook(session, webhooks.url())
    session.commit()

    assert run(app, session) == "sent 0, retry 1, failed 0"
    [row] = outbox(session)
    assert row.last_error == "DeliveryFailed: HTTP 500 from 127.0.0.1"
    assert run(app, session, NOW + timedelta(seconds=59)) == "sent 0, retry 0, failed 0"
    assert run(app, session, NOW + timedelta(minutes=1)) == "sent 1, retry 0, failed 0"

    assert [r.headers["X-Rabta-Delivery"] for r in webhooks.received] == [row.key, row.key]
    assert webhooks.received[0].body == webhooks.received[1].body
    [row] = outbox(session)
    assert (row.status, row.attempts) == (OutboxStatus.SENT, 2)


def test_a_redirect_is_not_followed_and_counts_as_a_failure(app, session, webhooks):
    webhooks.statuses = [302]
    queue_hook(session, webhooks.url())
    session.commit()
    assert run(app, session) == "sent 0, retry 1, failed 0"
    assert [r.path for r in webhooks.received] == ["/hooks/rabta"]


def test_a_webhook_to_a_url_that_is_not_configured_is_never_sent(app, session, webhooks):
    queue_hook(session, webhooks.url("/not-listed"))
    session.commit()
    assert run(app, session) == "sent 0, retry 0, failed 1"
    assert run(app, session, NOW + timedelta(days=1)) == "sent 0, retry 0, failed 0"
    assert webhooks.received == []
    [row] = outbox(session)
    assert row.status == OutboxStatus.FAILED
    assert "not in WEBHOOK_URLS" in row.last_error


def test_a_url_removed_from_the_configuration_after_queueing_is_not_sent(app, session, webhooks, monkeypatch):
    queue_hook(session, webhooks.url())
    session.commit()
    monkeypatch.setitem(app.config, "WEBHOOK_URLS", [])
    assert run(app, session) == "sent 0, retry 0, failed 1"
    assert webhooks.received == []


def test_a_message_is_marked_failed_after_the_last_attempt(app, session, webhooks, monkeypatch):
    monkeypatch.setitem(app.config, "OUTBOX_MAX_ATTEMPTS", 3)
    webhooks.statuses = [500, 503, 500, 200]
    queue_hook(session, webhooks.url())
    session.commit()

    assert run(app, session) == "sent 0, retry 1, failed 0"
    assert run(app, session, NOW + timedelta(minutes=1)) == "sent 0, retry 1, failed 0"
    assert outbox(session)[0].next_attempt_at == NOW + timedelta(minutes=1) + timedelta(minutes=2)
    assert run(app, session, NOW + timedelta(minutes=3)) == "sent 0, retry 0, failed 1"
    assert run(app, session, NOW + timedelta(days=1)) == "sent 0, retry 0, failed 0"

    assert len(webhooks.received) == 3
    [row] = outbox(session)
    assert (row.status, row.attempts, row.sent_at) == (OutboxStatus.FAILED, 3, None)
    assert row.last_error == "DeliveryFailed: HTTP 500 from 127.0.0.1"


def test_the_backoff_doubles_from_one_minute_and_stops_growing_at_six_hours():
    delays = [services.retry_delay(n) for n in (1, 2, 3, 4, 10, 50)]
    assert delays == [timedelta(minutes=m) for m in (1, 2, 4, 8)] + [timedelta(hours=6)] * 2


def test_a_long_error_is_kept_truncated(app, session, monkeypatch):
    message_id = services.queue_message(
        session, key="k", channel=OutboxChannel.WEBHOOK, recipient="http://127.0.0.1:9/x", payload={}, now=NOW
    )
    message = services.claim_message(session, message_id=message_id, now=NOW, max_attempts=8)
    services.record_failure(session, message=message, error="x" * 5000, now=NOW, max_attempts=8)
    assert len(outbox(session)[0].last_error) == 1000


# Never twice


def test_a_message_claimed_by_another_sender_is_left_alone_until_its_lease_runs_out(app, session, webhooks):
    [message_id] = queue_hook(session, webhooks.url())
    # Another sender claimed it and stopped (crashed) before recording an outcome.
    assert services.claim_message(session, message_id=message_id, now=NOW, max_attempts=8) is not None
    session.commit()

    assert services.claim_message(session, message_id=message_id, now=NOW, max_attempts=8) is None
    assert run(app, session) == "sent 0, retry 0, failed 0"
    assert run(app, session, NOW + timedelta(minutes=4)) == "sent 0, retry 0, failed 0"
    assert webhooks.received == []

    assert run(app, session, NOW + timedelta(minutes=5)) == "sent 1, retry 0, failed 0"
    assert len(webhooks.received) == 1
    assert outbox(session)[0].attempts == 2


def test_a_message_whose_sender_stopped_during_every_attempt_is_given_up(app, session, webhooks, monkeypatch):
    monkeypatch.setitem(app.config, "OUTBOX_MAX_ATTEMPTS", 2)
    [message_id] = queue_hook(session, webhooks.url())
    for minutes in (0, 5):
        assert services.claim_message(session, message_id=message_id, now=NOW + timedelta(minutes=minutes),
                                      max_attempts=2)  # fmt: skip
    session.commit()
    assert run(app, session, NOW + timedelta(minutes=10)) == "sent 0, retry 0, failed 1"
    assert webhooks.received == []
    assert outbox(session)[0].status == OutboxStatus.FAILED


def test_running_the_job_twice_sends_each_message_once(app, session, webhooks, smtp):
    smtp.start()
    for n in range(3):
        remind(session, user_with_email(session), key=f"k{n}")
        queue_hook(session, webhooks.url(), key=f"hook{n}")
    session.commit()
    assert run(app, session) == "sent 6, retry 0, failed 0"
    assert run(app, session) == "sent 0, retry 0, failed 0"
    assert len(smtp.inbox.envelopes) == 3
    assert len(webhooks.received) == 3


def test_a_run_sends_at_most_one_batch(app, session, webhooks, monkeypatch):
    monkeypatch.setattr("crm.notifications.delivery.BATCH_SIZE", 2)
    for n in range(3):
        queue_hook(session, webhooks.url(), key=f"hook{n}")
    session.commit()
    assert run(app, session) == "sent 2, retry 0, failed 0"
    assert run(app, session) == "sent 1, retry 0, failed 0"


# queue_webhook_event


def test_an_event_is_queued_once_per_receiver_and_key(session):
    urls = ["https://a.example/hook", "https://b.example/hook"]
    data = {"commitment_id": 7, "due_date": date(2025, 3, 9)}
    first = services.queue_webhook_event(session, event="commitment.overdue", key="e1", data=data, now=NOW, urls=urls)
    again = services.queue_webhook_event(session, event="commitment.overdue", key="e1", data=data, now=NOW, urls=urls)
    assert len(first) == 2
    assert again == []
    rows = outbox(session)
    assert [r.recipient for r in rows] == urls
    assert {r.channel for r in rows} == {OutboxChannel.WEBHOOK}
    assert rows[0].payload == {"event": "commitment.overdue", "key": "e1", "occurred_at": NOW.isoformat(),
                               "data": {"commitment_id": 7, "due_date": "2025-03-09"}}  # fmt: skip
    json.dumps(rows[0].payload)


def test_no_webhook_is_queued_without_receivers(session):
    assert services.queue_webhook_event(session, event="e", key="k", data={}, now=NOW, urls=[]) == []
    assert outbox(session) == []


def test_an_event_key_too_long_for_the_outbox_is_refused(session):
    with pytest.raises(ValueError, match="too long"):
        services.queue_webhook_event(session, event="e", key="k" * 240, data={}, now=NOW, urls=["https://a.example"])
