"""Two senders at once against one database (its own, committed for real: the per-test
rollback would hide the race): every message goes out exactly once."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from crm.db import get_session
from crm.notifications import services
from crm.notifications.delivery import deliver_outbox
from tests.conftest import TEST_DATABASE_URL, fresh_database_url, is_postgres, make_app, migrate_and_seed
from tests.notifications.conftest import NOW, SECRET

MESSAGES = 24


@pytest.fixture
def race_app(tmp_path) -> Iterator[Flask]:
    url = fresh_database_url(tmp_path, "test_b_outbox_race")
    app = make_app(url)
    migrate_and_seed(app)
    yield app
    app.extensions["rabta.db"].engine.dispose()
    if is_postgres(TEST_DATABASE_URL):
        admin = create_engine(make_url(TEST_DATABASE_URL).set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text('DROP DATABASE IF EXISTS "test_b_outbox_race" WITH (FORCE)'))
        admin.dispose()


def test_two_senders_running_at_once_send_every_message_exactly_once(race_app, webhook_server):
    race_app.config.update(WEBHOOK_URLS=[webhook_server.url()], WEBHOOK_SECRET=SECRET)
    webhook_server.delay = 0.02  # each send takes a while, so the two runs overlap
    with race_app.app_context():
        session = get_session()
        for n in range(MESSAGES):
            services.queue_webhook_event(session, event="e", key=f"k{n}", data={"n": n}, now=NOW,
                                         urls=[webhook_server.url()])  # fmt: skip
        session.commit()

    summaries: list[str] = []
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def sender() -> None:
        try:
            with race_app.app_context():
                start.wait()
                summaries.append(deliver_outbox(get_session(), NOW))
        except BaseException as error:  # reported below: a thread's exception would vanish
            errors.append(error)

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    deliveries = Counter(r.headers["X-Rabta-Delivery"] for r in webhook_server.received)
    assert len(deliveries) == MESSAGES
    assert set(deliveries.values()) == {1}
    sent = [int(summary.split(",")[0].removeprefix("sent ")) for summary in summaries]
    assert sum(sent) == MESSAGES
    assert all(summary.endswith("retry 0, failed 0") for summary in summaries)
