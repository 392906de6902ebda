"""Rule R8: the audit log is hash-chained and `audit verify` names the first broken event."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select, text

from crm.audit.models import AuditChainHead, AuditEvent
from crm.audit.queries import verify_chain
from crm.audit.services import CHAIN_HEAD_ID, Target, event_hash, record
from crm.db import get_session, write_intent
from tests.conftest import TEST_DATABASE_URL, fresh_database_url, is_postgres, make_app, migrate_and_seed

THREADS, APPENDS = 2, 20


def append(session, count: int, action: str = "test.event") -> list[AuditEvent]:
    events = [
        record(session, actor=None, action=action, target=Target("tests", str(i)), after={"i": i}) for i in range(count)
    ]
    session.flush()
    return events


def tamper(session, sql: str, **params) -> None:
    """Change stored events behind the ORM's back, as an intruder with SQL access would."""
    session.execute(text(sql), params)
    session.expire_all()


def swap_seq(session, a: int, b: int) -> None:
    # Through a temporary negative seq: the unique constraint on seq holds at every step.
    tamper(session, "UPDATE audit_events SET seq = -1 WHERE seq = :a", a=a)
    tamper(session, "UPDATE audit_events SET seq = :a WHERE seq = :b", a=a, b=b)
    tamper(session, "UPDATE audit_events SET seq = :b WHERE seq = -1", b=b)


def test_each_event_links_to_the_previous_one(session):
    head_hash = session.get(AuditChainHead, CHAIN_HEAD_ID).last_hash
    events = append(session, 4)
    assert [e.prev_hash for e in events] == [head_hash] + [e.hash for e in events[:-1]]


def test_sequence_numbers_are_contiguous(session):
    events = append(session, 4)
    first = events[0].seq
    assert [e.seq for e in events] == list(range(first, first + 4))


def test_an_events_hash_covers_its_content(session):
    [event] = append(session, 1)
    assert event.hash == event_hash(event)
    event.action = "something.else"
    assert event_hash(event) != event.hash


def test_the_chain_head_follows_the_last_event(session):
    [*_, last] = append(session, 3)
    session.expire_all()
    head = session.get(AuditChainHead, CHAIN_HEAD_ID)
    assert (head.seq, head.last_hash) == (last.seq, last.hash)


def test_an_intact_chain_verifies(session):
    append(session, 5)
    report = verify_chain(session)
    assert report.ok
    assert report.checked == session.scalar(select(func.count()).select_from(AuditEvent))


def test_verification_walks_the_chain_in_batches(session):
    append(session, 5)
    assert verify_chain(session, batch=2).ok


def test_an_altered_event_is_named(session):
    events = append(session, 5)
    target = events[2]
    tamper(session, "UPDATE audit_events SET action = 'user.harmless' WHERE seq = :seq", seq=target.seq)
    report = verify_chain(session)
    assert not report.ok
    assert (report.broken_seq, report.broken_id) == (target.seq, target.id)
    assert "altered" in report.reason


def test_an_altered_before_or_after_is_detected(session):
    events = append(session, 3)
    tamper(session, "UPDATE audit_events SET after = NULL WHERE seq = :seq", seq=events[1].seq)
    assert verify_chain(session).broken_seq == events[1].seq


def test_a_deleted_middle_event_is_detected(session):
    seqs = [e.seq for e in append(session, 5)]
    tamper(session, "DELETE FROM audit_events WHERE seq = :seq", seq=seqs[2])
    report = verify_chain(session)
    assert not report.ok
    assert report.broken_seq == seqs[3]
    assert f"expected event #{seqs[2]}" in report.reason


def test_a_reordering_is_detected(session):
    events = append(session, 5)
    first, second, moved_id = events[1].seq, events[2].seq, events[2].id
    swap_seq(session, first, second)
    report = verify_chain(session)
    assert not report.ok
    assert (report.broken_seq, report.broken_id) == (first, moved_id)


def test_events_cut_from_the_end_are_detected(session):
    seqs = [e.seq for e in append(session, 5)]
    tamper(session, "DELETE FROM audit_events WHERE seq >= :seq", seq=seqs[3])
    report = verify_chain(session)
    assert not report.ok
    assert report.broken_seq == seqs[3]
    assert "missing" in report.reason


@pytest.mark.postgres_only
@pytest.mark.skipif(not is_postgres(TEST_DATABASE_URL), reason="server-side cursors are PostgreSQL's")
def test_a_verification_that_stops_early_leaves_no_cursor_open(session):
    seqs = [e.seq for e in append(session, 3)]
    tamper(session, "DELETE FROM audit_events WHERE seq = :seq", seq=seqs[0])
    assert not verify_chain(session, batch=1).ok
    assert session.scalar(text("SELECT count(*) FROM pg_cursors")) == 0


def test_the_verify_command_passes_an_intact_chain(session, runner):
    append(session, 3)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "intact" in result.output


def test_the_verify_command_fails_naming_the_altered_event(session, runner):
    events = append(session, 5)
    tamper(session, "UPDATE audit_events SET actor_label = 'someone' WHERE seq = :seq", seq=events[3].seq)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"event #{events[3].seq}" in result.output
    assert "BROKEN" in result.output


# Concurrency: two writers appending at once never fork the chain.


def append_in_own_session(app, name: str, start: threading.Barrier, errors: list[BaseException]) -> None:
    try:
        with app.app_context():
            session = get_session()
            start.wait()
            for i in range(APPENDS):
                with write_intent():
                    record(session, actor=None, action="test.concurrent", target=Target("threads", f"{name}-{i}"))
                    session.commit()
    except BaseException as error:  # noqa: BLE001 (reported by the test, not lost in the thread)
        errors.append(error)


def run_writers(app) -> list[BaseException]:
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)
    threads = [
        threading.Thread(target=append_in_own_session, args=(app, f"w{n}", start, errors)) for n in range(THREADS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


def test_concurrent_appends_keep_one_contiguous_chain(tmp_path):
    app = make_app(fresh_database_url(tmp_path, "rabta_concurrency"))
    try:
        migrate_and_seed(app)
        assert run_writers(app) == []
        with app.app_context():
            session = get_session()
            report = verify_chain(session)
            seqs = list(session.scalars(select(AuditEvent.seq).order_by(AuditEvent.seq)))
            appended = session.scalar(select(func.count()).where(AuditEvent.action == "test.concurrent"))
        assert report.ok, report.reason
        assert seqs == list(range(1, len(seqs) + 1))
        assert appended == THREADS * APPENDS
    finally:
        app.extensions["rabta.db"].engine.dispose()
