"""Against the real server (gunicorn, several processes and threads): a SIGKILL in the middle
of a burst of writes loses no acknowledged write and leaves the audit chain intact; many
concurrent edits of one record give one winner and `version_conflict` to every other."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from crm.accounts.models import Role
from crm.audit.models import AuditEvent
from crm.commitments import tallies
from crm.db import get_session
from tests.conftest import TEST_DATABASE_URL, fresh_database_url, is_postgres, make_app, migrate_and_seed
from tests.factories import make_token, make_user
from tests.hardening.live import LiveServer, running

WRITERS = 8
BURST_SECONDS = 1.5  # of acknowledged writes before the kill, at most
KILL_AFTER_ACKS = 40  # or as soon as this many writes were acknowledged
EDITORS = 10


def _drop(name: str) -> None:
    admin = create_engine(make_url(TEST_DATABASE_URL).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def installation(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[tuple[Flask, LiveServer, str]]:
    """A fresh database with a keeper and their API token, and a (stopped) server over it."""
    base = (make_url(TEST_DATABASE_URL).database or "test") if is_postgres(TEST_DATABASE_URL) else "rabta"
    name = f"{base}_live_{request.node.name.split('[')[0][-20:]}"
    url = fresh_database_url(tmp_path, name)
    app = make_app(url)
    migrate_and_seed(app)
    with app.app_context():
        session = get_session()
        keeper = make_user(session, role=Role.SECRETARIAT, org="DMW", username="live.keeper")
        token = make_token(session, keeper)
        session.commit()
    app.extensions["rabta.db"].engine.dispose()
    server = LiveServer(url, tmp_path / "files", tmp_path / "gunicorn.log")
    try:
        yield app, server, token
    finally:
        server.stop()
        app.extensions["rabta.db"].engine.dispose()
        if is_postgres(TEST_DATABASE_URL):
            _drop(name)


def _writer(url: str, token: str, counter: Iterator[int], stop: threading.Event, acked: dict[str, int]) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    while not stop.is_set():
        name = f"Crash test company {next(counter)}"
        try:
            response = requests.post(f"{url}/api/v1/companies", json={"name": name}, headers=headers, timeout=5)
        except requests.RequestException:
            continue  # not acknowledged: it may or may not have been written
        if 200 <= response.status_code < 300:
            acked[name] = response.json()["id"]
        else:
            acked[f"refused {response.status_code}: {response.text[:200]}"] = 0


def _all_companies(url: str, token: str) -> dict[int, str]:
    """Every company the restarted server lists (id -> name), following the cursor."""
    found: dict[int, str] = {}
    cursor: str | None = ""
    while cursor is not None:
        params = {"limit": 100, **({"cursor": cursor} if cursor else {})}
        page = requests.get(
            f"{url}/api/v1/companies", params=params, headers={"Authorization": f"Bearer {token}"}, timeout=10
        )
        assert page.status_code == 200, page.text
        found.update((item["id"], item["name"]) for item in page.json()["items"])
        cursor = page.json()["next_cursor"]
    return found


def _audit(app: Flask, action: str) -> int:
    with app.app_context():
        return get_session().scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action))


def test_a_sigkill_during_a_burst_of_writes_loses_no_acknowledged_write(installation: Any) -> None:
    app, server, token = installation
    acked: dict[str, int] = {}
    stop, counter = threading.Event(), itertools.count(1)
    with running(server):
        writers = [
            threading.Thread(target=_writer, args=(server.url, token, counter, stop, acked), daemon=True)
            for _ in range(WRITERS)
        ]
        for thread in writers:
            thread.start()
        deadline = time.monotonic() + BURST_SECONDS
        while time.monotonic() < deadline and len(acked) < KILL_AFTER_ACKS:
            time.sleep(0.02)
        server.crash()  # in the middle of the burst: writers are still sending
        stop.set()
        for thread in writers:
            thread.join(timeout=15)
    refused = [name for name in acked if name.startswith("refused")]
    assert refused == [], refused
    assert len(acked) >= 5, "too few writes were acknowledged before the kill to prove anything"

    with running(server):  # a restart over the same database
        stored = _all_companies(server.url, token)
    lost = {name: company_id for name, company_id in acked.items() if stored.get(company_id) != name}
    assert lost == {}, f"acknowledged writes lost after the kill: {lost}"

    assert _audit(app, "company.create") >= len(acked)  # every write's audit event is there too
    verify = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert verify.exit_code == 0, verify.output


def _patch(url: str, headers: dict[str, str], company_id: int, version: int, note: str) -> requests.Response:
    body = {"version": version, "notes": note}
    return requests.patch(f"{url}/api/v1/companies/{company_id}", json=body, headers=headers, timeout=30)


def test_concurrent_edits_of_one_record_have_one_winner_and_no_lost_update(installation: Any) -> None:
    app, server, token = installation
    headers = {"Authorization": f"Bearer {token}"}
    with running(server):
        created = requests.post(
            f"{server.url}/api/v1/companies", json={"name": "Contested"}, headers=headers, timeout=5
        )
        assert created.status_code == 201, created.text
        company, edits_before = created.json(), _audit(app, "company.update")
        barrier = threading.Barrier(EDITORS)

        def edit(n: int) -> requests.Response:
            barrier.wait(timeout=10)  # all at once, all with the version they read
            return _patch(server.url, headers, company["id"], company["version"], f"edit {n}")

        with ThreadPoolExecutor(EDITORS) as pool:
            responses: list[requests.Response] = list(pool.map(edit, range(EDITORS)))
        after = requests.get(f"{server.url}/api/v1/companies/{company['id']}", headers=headers, timeout=5).json()

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] + [409] * (EDITORS - 1), [r.text for r in responses]
    assert all(r.json()["error"]["code"] == "version_conflict" for r in responses if r.status_code == 409)
    [winner] = [r.json() for r in responses if r.status_code == 200]
    assert after["notes"] == winner["notes"]  # the winner's edit is what is stored: nothing lost, nothing mixed
    assert after["version"] == company["version"] + 1
    assert _audit(app, "company.update") == edits_before + 1  # the losers wrote nothing
    assert app.test_cli_runner().invoke(args=["audit", "verify"]).exit_code == 0


def test_concurrent_commitment_writes_keep_the_tallies_equal_to_a_recount(installation: Any) -> None:
    """Writers in several processes record and close commitments of the same two companies at
    once: the tallies the board reads (one upsert per key, in key order) lose no update and
    deadlock on nothing."""
    app, server, token = installation
    headers = {"Authorization": f"Bearer {token}"}
    with running(server):
        companies = [
            requests.post(f"{server.url}/api/v1/companies", json={"name": f"Tallied {n}"}, headers=headers,
                          timeout=5).json()["id"]
            for n in range(2)
        ]  # fmt: skip
        barrier = threading.Barrier(WRITERS)

        def write(n: int) -> list[int]:
            barrier.wait(timeout=10)
            statuses = []
            for k in range(6):
                body = {"company_id": companies[(n + k) % 2], "text": f"Promise {n}.{k}",
                        "direction": ["company_to_government", "government_to_company"][k % 2]}  # fmt: skip
                made = requests.post(f"{server.url}/api/v1/commitments", json=body, headers=headers, timeout=30)
                statuses.append(made.status_code)
                if made.status_code == 201 and k % 3 == 0:
                    change = {"status": "fulfilled", "note": "Done", "version": made.json()["version"]}
                    url = f"{server.url}/api/v1/commitments/{made.json()['id']}/status"
                    statuses.append(requests.post(url, json=change, headers=headers, timeout=30).status_code)
            return statuses

        with ThreadPoolExecutor(WRITERS) as pool:
            statuses = [s for result in pool.map(write, range(WRITERS)) for s in result]

    assert set(statuses) <= {200, 201}, statuses
    with app.app_context():
        connection = get_session().connection()
        assert tallies.drifted(connection) == {}
        assert sum(row["count"] for row in tallies.stored(connection)) == WRITERS * 6
