"""The large demo generator (issue 8), at a tiny scale: the same code path as a million rows."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm.accounts.models import User
from crm.audit.models import AuditEvent
from crm.audit.queries import verify_chain
from crm.commitments import tallies
from crm.commitments.models import Commitment
from crm.contacts.models import Contact
from crm.db import get_session
from crm.demo import data
from crm.demo.cli import demo_password
from crm.demo.large import Scale, build_large
from crm.designations.queries import focal_person_id
from crm.engagements.models import Direction, Engagement, engagement_contacts
from crm.followups.models import FollowUp
from crm.search.models import Kind, SearchDocument
from crm.threads.models import thread_companies

TINY = Scale(companies=8, contacts=60, users=30, engagements=1_500, commitments=250, follow_ups=900,
             notifications_per_user=2, notifications_for_leads=10)  # fmt: skip


@pytest.fixture
def tiny(app: Flask, connection: Any) -> Any:
    with app.app_context():
        session = get_session()
        counts = build_large(session, password=demo_password(), scale=TINY, commit=session.commit)
        yield session, counts


def _count(session: Session, query: Any) -> int:
    return session.scalar(select(func.count()).select_from(query.subquery())) or 0


def test_large_demo_reaches_every_total(tiny: Any) -> None:
    _session, counts = tiny

    assert counts["users"] == TINY.users
    assert counts["companies"] == TINY.companies
    assert counts["contacts"] == TINY.contacts
    assert counts["engagements"] == TINY.engagements
    assert counts["commitments"] == TINY.commitments
    assert counts["follow_ups"] == TINY.follow_ups


def test_large_demo_keeps_the_channel_rules(tiny: Any) -> None:
    session, _counts = tiny
    focal = focal_person_id(session)
    outbound_by_others = select(Engagement.id).where(Engagement.direction == Direction.OUTBOUND,
                                                     Engagement.logged_by_id != focal)  # fmt: skip
    needing_answer = select(Engagement.id).where(Engagement.direction == Direction.INBOUND,
                                                 Engagement.needs_no_response.is_(False))  # fmt: skip
    answered = select(FollowUp.engagement_id).where(
        FollowUp.assignee_id == focal,
        FollowUp.is_outbound_action,
        FollowUp.title.startswith("Respond through the focal person"),
    )

    assert _count(session, outbound_by_others) == 0
    assert _count(session, needing_answer) > 100
    assert set(session.scalars(needing_answer)) == set(session.scalars(answered))
    assert _count(session, answered) == _count(session, needing_answer)  # exactly one each


def test_large_demo_links_stay_within_the_company(tiny: Any) -> None:
    session, _counts = tiny
    foreign_thread = (
        select(Engagement.id)
        .where(Engagement.thread_id.is_not(None))
        .outerjoin(thread_companies, (thread_companies.c.thread_id == Engagement.thread_id)
                   & (thread_companies.c.company_id == Engagement.company_id))
        .where(thread_companies.c.thread_id.is_(None))
    )  # fmt: skip
    foreign_contact = (
        select(engagement_contacts.c.engagement_id)
        .join(Engagement, Engagement.id == engagement_contacts.c.engagement_id)
        .join(Contact, Contact.id == engagement_contacts.c.contact_id)
        .where(Contact.company_id != Engagement.company_id)
    )
    misplaced_commitment = (
        select(Commitment.id)
        .join(Engagement, Engagement.id == Commitment.engagement_id)
        .where(
            (Commitment.company_id != Engagement.company_id)
            | Commitment.thread_id.is_distinct_from(Engagement.thread_id)
        )
    )
    # The small set's commitments are made on threads; the bulk ones in an engagement.
    orphan_commitment = select(Commitment.id).where(Commitment.engagement_id.is_(None),
                                                    Commitment.text.like("The % will %"))  # fmt: skip

    assert _count(session, foreign_thread) == 0
    assert _count(session, foreign_contact) == 0
    assert _count(session, misplaced_commitment) == 0
    assert _count(session, orphan_commitment) == 0


def test_large_demo_never_classifies_above_the_logger(tiny: Any) -> None:
    session, _counts = tiny
    rows = session.execute(select(Engagement.classification, User.clearance)
                           .join(User, User.id == Engagement.logged_by_id)).all()  # fmt: skip

    assert rows
    assert all(clearance.covers(classification) for classification, clearance in rows)


def test_large_demo_is_searchable_and_audited(tiny: Any) -> None:
    session, _counts = tiny
    with_minutes = _count(session, select(Engagement.id).where(Engagement.minutes != ""))
    documents = select(SearchDocument.id).where(SearchDocument.kind.in_([Kind.ENGAGEMENT, Kind.ENGAGEMENT_MINUTES]))

    assert _count(session, documents) == TINY.engagements + with_minutes
    assert _count(session, select(SearchDocument.id).where(SearchDocument.kind == Kind.COMMITMENT)) == TINY.commitments
    assert _count(session, select(AuditEvent.id).where(AuditEvent.action == "demo.bulk_load")) > 0
    report = verify_chain(session)
    assert report.ok, report


def test_large_demo_keeps_the_commitment_tallies(tiny: Any) -> None:
    session, _counts = tiny
    connection = session.connection()

    assert tallies.drifted(connection) == {}


def test_large_demo_runs_once(tiny: Any, runner: FlaskCliRunner) -> None:
    session, counts = tiny
    events = session.scalar(select(func.count()).select_from(AuditEvent))

    again = runner.invoke(args=["demo", "--scale", "large"])

    assert again.exit_code == 0, again.output
    assert "nothing changed" in again.output
    assert session.scalar(select(func.count()).select_from(AuditEvent)) == events
    assert session.scalar(select(func.count()).select_from(Engagement)) == counts["engagements"]
    assert data.CHAIR


def test_the_medium_scale_is_the_large_shape_with_a_hundredth_of_the_history(
    app: Flask, connection: Any, runner: FlaskCliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    from crm.demo import large

    assert (large.MEDIUM.companies, large.MEDIUM.users, large.MEDIUM.contacts) == (100, 1_000, 10_000)
    assert large.MEDIUM.engagements * 100 == large.LARGE.engagements
    monkeypatch.setitem(large.SCALES, "medium", TINY)  # the CLI's path, at the tiny scale

    result = runner.invoke(args=["demo", "--scale", "medium"])

    assert result.exit_code == 0, result.output
    assert "Demo data loaded" in result.output
    with app.app_context():
        assert get_session().scalar(select(func.count()).select_from(Engagement)) == TINY.engagements
