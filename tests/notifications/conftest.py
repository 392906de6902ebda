"""Fixtures for notification tests: real local SMTP and HTTP servers, users with e-mail
addresses, Data set-up fixtures and the query counter come from tests/fixtures/common.py."""

from __future__ import annotations

import itertools
import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask

from tests.factories import make_user

NOW = datetime(2025, 3, 10, 9, 0, tzinfo=UTC)
SECRET = "webhook-secret-for-tests-0123456789"
_emails = itertools.count(1)


def free_port() -> int:
    """A TCP port nobody listens on right now (so a server can start there later)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def user_with_email(session: Any, **kwargs: Any) -> Any:
    user = make_user(session, **kwargs)
    user.email = f"person{next(_emails)}@example.gov.pk"
    session.flush()
    return user


# SMTP


class Inbox:
    """aiosmtpd handler that keeps every message it accepts."""

    def __init__(self) -> None:
        self.envelopes: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's name)
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


@dataclass
class SmtpServer:
    port: int
    inbox: Inbox = field(default_factory=Inbox)
    controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[SmtpServer]:
    """A real SMTP server on 127.0.0.1 (not yet started: call .start()), and the app set to use it."""
    server = SmtpServer(free_port())
    monkeypatch.setitem(app.config, "SMTP_HOST", "127.0.0.1")
    monkeypatch.setitem(app.config, "SMTP_PORT", server.port)
    monkeypatch.setitem(app.config, "SMTP_TIMEOUT_SECONDS", 5)
    monkeypatch.setitem(app.config, "MAIL_FROM", "rabta@nsmcwg.gov.pk")
    yield server
    server.stop()


# HTTP (webhook receivers)


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class WebhookServer:
    """A local HTTP receiver answering the queued statuses in turn (then 200)."""

    port: int
    statuses: list[int] = field(default_factory=list)
    delay: float = 0.0
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str = "/hooks/rabta") -> str:
        return f"http://127.0.0.1:{self.port}{path}"


def _handler(receiver: WebhookServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            time.sleep(receiver.delay)
            with receiver.lock:
                receiver.received.append(Received(self.path, dict(self.headers.items()), body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
            self.send_response(status)
            if status in (301, 302, 307, 308):
                self.send_header("Location", receiver.url("/elsewhere"))
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

    return Handler


@pytest.fixture
def webhook_server() -> Iterator[WebhookServer]:
    receiver = WebhookServer(0)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(receiver))
    receiver.port = int(httpd.server_address[1])
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield receiver
    httpd.shutdown()
    httpd.server_close()
    thread.join()


@pytest.fixture
def webhooks(app: Flask, monkeypatch: pytest.MonkeyPatch, webhook_server: WebhookServer) -> WebhookServer:
    """The receiver, configured as the app's only webhook URL, with a known secret."""
    monkeypatch.setitem(app.config, "WEBHOOK_URLS", [webhook_server.url()])
    monkeypatch.setitem(app.config, "WEBHOOK_SECRET", SECRET)
    monkeypatch.setitem(app.config, "WEBHOOK_TIMEOUT_SECONDS", 5)
    return webhook_server
