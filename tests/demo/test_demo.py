"""The demo data command: loads through the services, keeps the audit chain whole, runs once."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select

from crm.audit.models import AuditEvent
from crm.audit.queries import verify_chain
from crm.companies.models import Company
from crm.db import get_session, utcnow
from crm.demo import data
from crm.designations.queries import focal_person_id
from crm.engagements.models import Direction, Engagement
from crm.followups.models import FollowUp
from crm.threads.models import Stage, Thread


def test_demo_small_loads_consistent_data_once(app: Flask, runner: FlaskCliRunner, count: Any) -> None:
    result = runner.invoke(args=["demo", "--scale", "small"])

    assert result.exit_code == 0, result.output
    assert "Password: " in result.output
    assert data.CHAIR in result.output
    assert count(Company) >= 5
    assert count(Engagement) >= 200
    with app.app_context():
        session = get_session()
        focal = focal_person_id(session)
        assert focal is not None
        google = session.scalars(select(Thread).where(Thread.title == data.GOOGLE_THREAD)).one()
        assert google.stage is Stage.NEGOTIATING
        times = list(session.scalars(select(Engagement.occurred_at)))
        assert all(t.tzinfo is not None and t < utcnow() for t in times)
        inbound = session.scalar(select(func.count()).where(Engagement.direction == Direction.INBOUND))
        assert inbound
        assert session.scalar(select(func.count()).select_from(FollowUp))
        report = verify_chain(session)
        assert report.ok, report
        events = session.scalar(select(func.count()).select_from(AuditEvent))

    again = runner.invoke(args=["demo", "--scale", "small"])

    assert again.exit_code == 0, again.output
    assert "nothing changed" in again.output
    assert count(AuditEvent) == events
    assert count(Engagement) == len(times)


def test_demo_offers_the_small_medium_and_large_scales(runner: FlaskCliRunner) -> None:
    # The medium and large scales are tested at a tiny size in tests/bench/test_large_demo.py (issue 8).
    result = runner.invoke(args=["demo", "--scale", "huge"])

    assert result.exit_code == 2
    assert "small|medium|large" in runner.invoke(args=["demo", "--help"]).output
