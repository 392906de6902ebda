"""R5 (need to know) for minutes, and corrections (R7) with their history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from crm.accounts.models import Clearance
from crm.audit.models import AuditEvent
from crm.db import utcnow
from crm.engagements import services
from crm.engagements.models import Direction, EngagementRevision
from crm.engagements.queries import get_detail
from crm.errors import Conflict, Forbidden, Invalid
from tests.engagements.factories import engagement_input, log


def reads(session, engagement) -> int:
    query = select(func.count()).where(
        AuditEvent.action == "engagement.read_minutes", AuditEvent.target_id == str(engagement.id)
    )
    return session.scalar(query)


@pytest.fixture
def secret_meeting(session, world):
    return log(session, world.chair, world.company.id, classification=Clearance.SECRET, minutes="Secret text")


@pytest.fixture
def meeting(session, world):
    return log(session, world.member, world.company.id, classification=Clearance.CONFIDENTIAL)


@pytest.mark.parametrize("who", ["focal", "member", "secretariat", "observer"])
def test_clearance_below_the_classification_is_refused(session, world, secret_meeting, who):
    reader = getattr(world, who)

    assert services.minutes_refusal(session, actor=reader, engagement=secret_meeting) == "insufficient_clearance"
    with pytest.raises(Forbidden) as refused:
        services.read_minutes(session, actor=reader, engagement=secret_meeting)
    assert refused.value.code == "insufficient_clearance"
    assert reads(session, secret_meeting) == 0


@pytest.mark.parametrize("who", ["member", "observer", "admin"])
def test_cleared_readers_without_a_grant_are_refused(session, world, meeting, who):
    with pytest.raises(Forbidden) as refused:
        services.read_minutes(session, actor=getattr(world, who), engagement=meeting)

    assert refused.value.code == "no_grant"
    assert reads(session, meeting) == 0


def test_the_member_who_logged_the_minutes_does_not_read_them_back(session, world, meeting):
    assert meeting.logged_by_id == world.member.id
    assert services.minutes_refusal(session, actor=world.member, engagement=meeting) == "no_grant"


@pytest.mark.parametrize("who", ["focal", "chair", "secretariat"])
def test_focal_person_chair_and_secretariat_with_clearance_read_and_every_read_is_audited(session, world, meeting, who):
    reader = getattr(world, who)

    first = services.read_minutes(session, actor=reader, engagement=meeting)
    services.read_minutes(session, actor=reader, engagement=meeting)

    assert first == "Google **agreed** to revert in two weeks."
    assert reads(session, meeting) == 2
    event = session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
    assert (event.action, event.actor_id) == ("engagement.read_minutes", reader.id)


def test_an_inactive_chair_reads_nothing(session, world, meeting):
    world.chair.is_active = False

    with pytest.raises(Forbidden):
        services.read_minutes(session, actor=world.chair, engagement=meeting)


def test_nobody_classifies_above_their_clearance(session, world):
    with pytest.raises(Invalid) as invalid:
        log(session, world.member, world.company.id, classification=Clearance.SECRET)

    assert "classification" in invalid.value.fields


@pytest.mark.parametrize(
    ("moment", "field_error"),
    [(utcnow() + timedelta(days=2), "future"), (datetime(1, 1, 2, tzinfo=UTC), "before 1990")],
)
def test_dates_in_the_future_or_long_past_are_refused(session, world, moment, field_error):
    with pytest.raises(Invalid) as invalid:
        log(session, world.member, world.company.id, occurred_at=moment)

    assert field_error in " ".join(invalid.value.fields["occurred_at"])


def test_a_naive_time_is_refused(session, world):
    with pytest.raises(Invalid) as invalid:
        log(session, world.member, world.company.id, occurred_at=utcnow().replace(tzinfo=None))

    assert "occurred_at" in invalid.value.fields


# Corrections.


def correct(session, actor, engagement, **changes):
    reason = changes.pop("reason", "Wrong date")
    version = changes.pop("version", engagement.version)
    state = {
        "kind": engagement.kind, "direction": engagement.direction, "occurred_at": engagement.occurred_at,
        "subject": engagement.subject, "summary": engagement.summary, "minutes": engagement.minutes,
        "classification": engagement.classification, "thread_id": engagement.thread_id,
    }  # fmt: skip
    data = engagement_input(engagement.company_id, **{**state, **changes})
    return services.correct_engagement(
        session, actor=actor, engagement_id=engagement.id, version=version, reason=reason, data=data
    )


def test_a_correction_keeps_the_previous_values_as_a_revision(session, world, meeting):
    old_subject, old_version = meeting.subject, meeting.version

    corrected = correct(session, world.focal, meeting, subject="Data localisation (corrected)", minutes="New")

    assert corrected.version == old_version + 1
    [revision] = session.scalars(select(EngagementRevision)).all()
    assert (revision.revision, revision.changed_by_id, revision.reason) == (1, world.focal.id, "Wrong date")
    assert revision.previous["subject"] == old_subject
    assert revision.previous["minutes"] == "Google **agreed** to revert in two weeks."
    event = session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
    assert event.action == "engagement.correct"
    assert "minutes" not in event.before
    assert "minutes" not in event.after


def test_the_history_names_the_fields_each_correction_changed(session, world, meeting):
    correct(session, world.focal, meeting, subject="Second subject")
    correct(session, world.focal, meeting, participant_ids=[world.member.id], reason="Attendance sheet")

    detail = get_detail(session, meeting.id)

    assert [view.changed for view in detail.revisions] == [["subject"], ["participant_ids"]]
    assert [view.revision.reason for view in detail.revisions] == ["Wrong date", "Attendance sheet"]


def test_changing_only_the_participants_still_moves_the_version(session, world, meeting):
    version = meeting.version

    correct(session, world.focal, meeting, participant_ids=[world.chair.id])

    assert meeting.version == version + 1


def test_the_direction_cannot_be_corrected(session, world, meeting):
    with pytest.raises(Invalid) as invalid:
        correct(session, world.focal, meeting, direction=Direction.OUTBOUND)

    assert "direction" in invalid.value.fields
    assert session.scalar(select(func.count()).select_from(EngagementRevision)) == 0


def test_a_correction_needs_a_reason(session, world, meeting):
    with pytest.raises(Invalid) as invalid:
        correct(session, world.focal, meeting, reason="  ")

    assert "reason" in invalid.value.fields


def test_a_stale_version_is_a_conflict_and_changes_nothing(session, world, meeting):
    stale = meeting.version
    correct(session, world.focal, meeting, subject="First correction")

    with pytest.raises(Conflict) as conflict:
        correct(session, world.secretariat, meeting, subject="Second correction", version=stale)

    assert conflict.value.code == "version_conflict"
    assert meeting.subject == "First correction"
    assert session.scalar(select(func.count()).select_from(EngagementRevision)) == 1


@pytest.mark.parametrize("who", ["member", "observer", "admin"])
def test_only_readers_of_the_minutes_who_record_may_correct(session, world, meeting, who):
    with pytest.raises(Forbidden):
        correct(session, getattr(world, who), meeting, subject="Mine now")


def test_a_correction_cannot_mark_an_outbound_engagement_as_needing_no_response(session, world):
    outbound = log(session, world.focal, world.company.id, direction=Direction.OUTBOUND)

    correct(session, world.focal, outbound, needs_no_response=True)

    assert outbound.needs_no_response is False
