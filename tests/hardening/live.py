"""The real app under gunicorn in a child process, on a database of its own.

Several worker processes with several threads each, as in production, so requests really run
at the same time. The server runs in its own process group: `crash()` SIGKILLs the master and
every worker at once (no shutdown code runs), and `stop()` always leaves nothing behind.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")
START_SECONDS = 30


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LiveServer:
    def __init__(self, database_url: str, attachments: Path, log: Path) -> None:
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "ATTACHMENTS_DIR": str(attachments),
            "RABTA_ENV": "test",  # rate limits off: the burst is the point
            "SECRET_KEY": "live-server-secret-key-0123456789-abcdefghij",
        }
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None
        self.url = ""

    def start(self) -> None:
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        command = [str(GUNICORN), "--bind", f"127.0.0.1:{port}", "--workers", "2", "--threads", "4"]
        command += ["--worker-class", "gthread", "--timeout", "30", "--graceful-timeout", "2", "--no-control-socket"]
        command += ["--preload", "app:app"]  # imported once, then forked: a quicker start
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603
                command, cwd=ROOT, env=self.env, stdout=log, stderr=log, start_new_session=True
            )
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}:\n{self.log.read_text()[-3000:]}")
            try:
                if requests.get(f"{self.url}/static/favicon.svg", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer within {START_SECONDS} s:\n{self.log.read_text()[-3000:]}")

    def crash(self) -> None:
        """SIGKILL the master and every worker at once: no clean-up code runs anywhere."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None

    def stop(self) -> None:
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            self.crash()
        finally:
            if self.process is not None and self.process.poll() is None:
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process = None


@contextmanager
def running(server: LiveServer) -> Iterator[LiveServer]:
    server.start()
    try:
        yield server
    finally:
        server.stop()
