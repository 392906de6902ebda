"""Sending the outbox: e-mail through SMTP and signed webhooks, after the commit that queued them.

`deliver_outbox` is the scheduler's job `deliver_outbox`. It is the one job that commits
more than once: a message that has gone out cannot be rolled back, so each message is
claimed and committed before it is sent, and its outcome is committed right after, before
the next one. A crash therefore loses no message (a claimed one is due again when its lease
runs out) and sends one twice only if the sender dies between the hand-over and the commit
of "sent" — which is why every e-mail's Message-ID and every webhook's X-Rabta-Delivery are
derived from the outbox key: receivers can drop the rare repeat.

Webhook receivers verify a request like this (WEBHOOK_SECRET is shared out of band):

    timestamp = request.headers["X-Rabta-Timestamp"]            # Unix seconds, as text
    expected = hmac.new(secret, timestamp.encode() + b"." + raw_body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(request.headers["X-Rabta-Signature"], "sha256=" + expected)
    assert abs(time.time() - int(timestamp)) < 300               # refuse replays of old requests

and treat X-Rabta-Delivery (the same for every retry of one message) as an idempotency key.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import smtplib
import ssl
from collections import Counter
from collections.abc import Callable, Mapping
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any
from urllib.parse import urlsplit

import requests
from flask import current_app
from sqlalchemy.orm import Session

from crm.db import utcnow, write_intent
from crm.notifications import queries, services
from crm.notifications.models import OutboxChannel, OutboxMessage, OutboxStatus

log = logging.getLogger(__name__)

# One run sends at most this many; the rest wait for the next run (a backlog after an outage
# drains over a few runs instead of holding the scheduler for an hour).
BATCH_SIZE = 100
SIGNATURE_HEADER = "X-Rabta-Signature"
TIMESTAMP_HEADER = "X-Rabta-Timestamp"
DELIVERY_HEADER = "X-Rabta-Delivery"
EVENT_HEADER = "X-Rabta-Event"


class Refused(Exception):
    """This message must never be sent (e.g. its webhook URL is not configured): fail it now."""


class DeliveryFailed(Exception):
    """The receiver did not accept the message this time (retried with backoff)."""


Sender = Callable[[OutboxMessage], None]


def deliver_outbox(session: Session, now: datetime) -> str:
    """Send the due messages of the outbox, one at a time; a one-line summary for the job log.

    E-mails wait (stay pending) while SMTP_HOST is empty, so configuring SMTP later sends
    them. Webhooks go only to URLs listed in WEBHOOK_URLS at the time of sending; any other
    is failed without being sent. A failed attempt is retried with exponential backoff until
    OUTBOX_MAX_ATTEMPTS, then the message is marked failed. Runs in an app context.
    """
    config = current_app.config
    max_attempts = int(config["OUTBOX_MAX_ATTEMPTS"])
    senders = _senders(config)
    with write_intent():
        abandoned = services.give_up_abandoned(session, now=now, max_attempts=max_attempts)
        session.commit()
    due = queries.due_outbox_ids(session, now=now, channels=list(senders), limit=BATCH_SIZE)
    session.commit()  # end the read: each claim below begins a fresh transaction
    outcomes = Counter(_deliver_one(session, message_id, now, senders, max_attempts) for message_id in due)
    summary = f"sent {outcomes['sent']}, retry {outcomes['retry']}, failed {outcomes['failed'] + abandoned}"
    if OutboxChannel.EMAIL not in senders:
        waiting = queries.count_pending(session, channel=OutboxChannel.EMAIL)
        session.commit()
        if waiting:
            summary += f"; {waiting} e-mail(s) wait for SMTP_HOST to be configured"
    return summary


def _senders(config: Mapping[str, Any]) -> dict[OutboxChannel, Sender]:
    senders: dict[OutboxChannel, Sender] = {OutboxChannel.WEBHOOK: lambda message: send_webhook(config, message)}
    if config.get("SMTP_HOST"):
        senders[OutboxChannel.EMAIL] = lambda message: send_email(config, message)
    return senders


def _deliver_one(
    session: Session, message_id: int, now: datetime, senders: Mapping[OutboxChannel, Sender], max_attempts: int
) -> str:
    """Claim, commit, send, record the outcome, commit: "sent", "retry", "failed" or "taken"."""
    with write_intent():
        message = services.claim_message(session, message_id=message_id, now=now, max_attempts=max_attempts)
        session.commit()
    if message is None:
        return "taken"  # another sender claimed it first, or it is no longer due
    with write_intent():
        outcome = _send(session, message, now, senders[message.channel], max_attempts)
        session.commit()
    return outcome


def _send(session: Session, message: OutboxMessage, now: datetime, sender: Sender, max_attempts: int) -> str:
    try:
        sender(message)
    except Refused as refusal:
        log.warning("outbox message %s refused: %s", message.id, refusal)
        services.give_up(session, message_id=message.id, error=str(refusal))
        return "failed"
    except Exception as error:  # any failure to hand over is recorded and retried, never fatal to the run
        log.warning("outbox message %s attempt %s failed: %s", message.id, message.attempts, error)
        text = f"{type(error).__name__}: {error}"
        status = services.record_failure(session, message=message, error=text, now=now, max_attempts=max_attempts)
        return "failed" if status == OutboxStatus.FAILED else "retry"
    services.record_sent(session, message_id=message.id, now=now)
    return "sent"


# E-mail


def message_id_for(key: str, mail_from: str) -> str:
    """A Message-ID fixed by the outbox key, so a resend after a crash is recognisably the same."""
    domain = mail_from.rpartition("@")[2].strip(" >") or "rabta.localhost"
    return f"<outbox.{hashlib.sha256(key.encode()).hexdigest()[:40]}@{domain}>"


def build_email(config: Mapping[str, Any], message: OutboxMessage) -> EmailMessage:
    """Plain text, from MAIL_FROM to the recipient; the body is the queued (unclassified) text."""
    email = EmailMessage()
    email["From"] = config["MAIL_FROM"]
    email["To"] = message.recipient
    email["Subject"] = " ".join(message.subject.split())  # no line breaks in a header
    email["Date"] = format_datetime(utcnow())
    email["Message-ID"] = message_id_for(message.key, config["MAIL_FROM"])
    email["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies to reminders
    email.set_content(message.body)
    return email


def send_email(config: Mapping[str, Any], message: OutboxMessage) -> None:
    """Hand the e-mail to the SMTP server (STARTTLS and login when configured); raises on failure."""
    email = build_email(config, message)
    timeout = config["SMTP_TIMEOUT_SECONDS"]
    with smtplib.SMTP(config["SMTP_HOST"], int(config["SMTP_PORT"]), timeout=timeout) as smtp:
        if config.get("SMTP_STARTTLS"):
            smtp.starttls(context=ssl.create_default_context())
        if config.get("SMTP_USERNAME"):
            smtp.login(config["SMTP_USERNAME"], config.get("SMTP_PASSWORD", ""))
        smtp.send_message(email)


# Webhooks


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """`sha256=<hex>`: HMAC-SHA256 with the secret over `<timestamp>.<raw body>`."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def webhook_request(secret: str, message: OutboxMessage, timestamp: str) -> tuple[bytes, dict[str, str]]:
    """The exact bytes to post and their headers (the signature covers the timestamp too)."""
    body = json.dumps(message.payload or {}, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Rabta-Webhooks/1",
        SIGNATURE_HEADER: sign(secret, timestamp, body),
        TIMESTAMP_HEADER: timestamp,
        DELIVERY_HEADER: message.key,
        EVENT_HEADER: message.subject,
    }
    return body, headers


def send_webhook(config: Mapping[str, Any], message: OutboxMessage) -> None:
    """POST the signed payload to a configured receiver; any answer but 2xx is a failure.

    Refused (never sent) when the URL is not in WEBHOOK_URLS now or no secret is set.
    Redirects are not followed (they could lead off the allow-list), and the environment's
    proxy and .netrc settings are ignored so the request goes to the listed host only.
    """
    if message.recipient not in config.get("WEBHOOK_URLS", []):
        raise Refused("The webhook URL is not in WEBHOOK_URLS; not sent.")
    if not config.get("WEBHOOK_SECRET"):
        raise Refused("WEBHOOK_SECRET is not set; webhooks are never sent unsigned.")
    # Signed at the moment of sending: receivers compare the timestamp with their own clock.
    body, headers = webhook_request(config["WEBHOOK_SECRET"], message, str(int(utcnow().timestamp())))
    with requests.Session() as http:
        http.trust_env = False
        response = http.post(
            message.recipient, data=body, headers=headers,
            timeout=config["WEBHOOK_TIMEOUT_SECONDS"], allow_redirects=False,
        )  # fmt: skip
    if not 200 <= response.status_code < 300:
        host = urlsplit(message.recipient).hostname
        raise DeliveryFailed(f"HTTP {response.status_code} from {host}")
