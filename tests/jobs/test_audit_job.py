"""The nightly audit check alerts the chair and admins when the hash chain is broken."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, text

from crm.accounts.models import Role
from crm.audit.jobs import audit_verify
from crm.audit.models import AuditEvent
from crm.notifications.models import NotificationKind, OutboxChannel
from tests.jobs.conftest import NOW
from tests.jobs.factories import deactivate, person


def _people(seed):
    chair = seed(lambda s: person(s, role=Role.CHAIR, org="NSD"))
    admin = seed(lambda s: person(s, role=Role.ADMIN))
    member = seed(lambda s: person(s))
    former_admin = seed(lambda s: person(s, role=Role.ADMIN))
    seed(lambda s: deactivate(s, former_admin))
    return chair, admin, member, former_admin


def _tamper(seed) -> int:
    """Alter a stored event behind the ORM's back, as an intruder with SQL access would."""

    def alter(session):
        seq = session.scalar(select(func.max(AuditEvent.seq)))
        session.execute(text("UPDATE audit_events SET action = 'nothing.to.see' WHERE seq = :seq"), {"seq": seq})
        return seq

    return seed(alter)


def test_an_intact_chain_raises_no_alert(seed, run_job, sent):
    _people(seed)

    summary = run_job(audit_verify)

    assert summary.startswith("audit chain intact")
    assert sent() == []


def test_a_tampered_event_alerts_every_active_chair_and_admin_once_a_day(seed, run_job, sent):
    chair, admin, member, former_admin = _people(seed)
    seq = _tamper(seed)

    summary = run_job(audit_verify)
    run_job(audit_verify)

    assert f"BROKEN at event #{seq}" in summary
    for user in (chair, admin):
        [alert] = sent(user)
        assert alert.kind is NotificationKind.ALERT
        assert alert.key == "audit-broken:2026-03-05"
        assert f"event #{seq}" in alert.title
        assert "altered" in alert.body
        assert alert.link.endswith("/audit/")
    assert sent(member) == sent(former_admin) == []

    run_job(audit_verify, NOW + timedelta(days=1))  # still broken the next night: told again
    assert [n.key for n in sent(chair)] == ["audit-broken:2026-03-05", "audit-broken:2026-03-06"]


def test_a_broken_chain_is_e_mailed_and_sent_to_the_webhooks(
    smtp_configured, webhooks_configured, seed, run_job, outbox
):
    chair, admin, _, _ = _people(seed)
    seq = _tamper(seed)

    run_job(audit_verify)
    run_job(audit_verify)

    assert sorted(m.recipient for m in outbox(OutboxChannel.EMAIL)) == sorted([chair.email, admin.email])
    [hook] = outbox(OutboxChannel.WEBHOOK)
    assert hook.payload["event"] == "audit_chain_broken"
    assert hook.payload["data"]["broken_seq"] == seq


def test_jobs_run_audit_verify_reports_the_break_through_the_cli(runner, seed, sent):
    chair, *_ = _people(seed)
    _tamper(seed)

    result = runner.invoke(args=["jobs", "run", "audit_verify", "--now", NOW.isoformat()])

    assert result.exit_code == 0  # the job did its work: it raised the alarm
    assert "BROKEN" in result.output
    assert len(sent(chair)) == 1
