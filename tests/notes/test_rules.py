"""R5 with grants and R6 through the services: who reads, who decides, expiry, revocation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from crm.accounts.models import Clearance, Role
from crm.audit.models import AuditEvent
from crm.db import utcnow
from crm.engagements import services as engagements
from crm.errors import Conflict, Forbidden, Invalid, NotFound
from crm.notes import queries, services
from crm.notes.models import NotesRequest, NotesRequestStatus
from tests.engagements.factories import log, make_thread
from tests.factories import make_user
from tests.notes.factories import MINUTES, WHY, confidential_meeting, granted

NOON = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)  # 12:00 PKT


def rows(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


@pytest.fixture
def meeting(session, world):
    return confidential_meeting(session, world)


def test_without_a_grant_a_cleared_member_is_refused(session, world, meeting):
    with pytest.raises(Forbidden) as refused:
        engagements.read_minutes(session, actor=world.member, engagement=meeting)
    assert refused.value.code == "no_grant"


def test_a_grant_shows_the_minutes_and_every_read_is_audited(session, world, meeting):
    granted(session, requester=world.member, decider=world.focal, engagement=meeting)
    reads = select(func.count()).where(AuditEvent.action == "engagement.read_minutes")
    before = session.scalar(reads)

    assert engagements.read_minutes(session, actor=world.member, engagement=meeting) == MINUTES
    assert session.scalar(reads) == before + 1


def test_an_expired_grant_is_refused_even_before_the_expiry_job(session, world, meeting):
    request = granted(session, requester=world.member, decider=world.chair, engagement=meeting,
                      now=utcnow() - timedelta(days=31), days=30)  # fmt: skip

    assert request.status is NotesRequestStatus.APPROVED  # the job has not run
    assert engagements.minutes_refusal(session, actor=world.member, engagement=meeting) == "no_grant"


def test_the_grant_is_live_exactly_until_its_expiry(session, world, meeting):
    request = granted(session, requester=world.member, decider=world.chair, engagement=meeting, now=NOON, days=30)
    expiry = NOON + timedelta(days=30)
    assert request.expires_at == expiry

    def live(at):
        return queries.has_live_grant(
            session, user_id=world.member.id, engagement_id=meeting.id, thread_id=None, now=at
        )

    assert live(NOON)
    assert live(expiry - timedelta(seconds=1))
    assert not live(expiry)
    assert not live(expiry + timedelta(days=1))


def test_clearance_still_applies_with_a_grant(session, world):
    secret = log(session, world.chair, world.company.id, classification=Clearance.SECRET, minutes="Secret")
    granted(session, requester=world.member, decider=world.focal, engagement=secret)

    assert engagements.minutes_refusal(session, actor=world.member, engagement=secret) == "insufficient_clearance"


def test_a_thread_grant_covers_its_engagements_and_no_others(session, world, meeting):
    later = confidential_meeting(session, world, subject="Second round")
    other_thread = make_thread(session, world.company, world.chair)
    elsewhere = confidential_meeting(session, world, thread_id=other_thread.id, subject="Elsewhere")
    no_thread = confidential_meeting(session, world, thread_id=None, subject="No thread")

    granted(session, requester=world.member, decider=world.chair, thread_id=world.thread.id)

    for covered in (meeting, later):
        assert engagements.minutes_refusal(session, actor=world.member, engagement=covered) is None
    for uncovered in (elsewhere, no_thread):
        assert engagements.minutes_refusal(session, actor=world.member, engagement=uncovered) == "no_grant"


def test_another_users_grant_opens_nothing(session, world, meeting):
    other = make_user(session, role=Role.MEMBER, org="MoFA", clearance=Clearance.SECRET)
    granted(session, requester=other, decider=world.chair, engagement=meeting)

    assert engagements.minutes_refusal(session, actor=world.member, engagement=meeting) == "no_grant"


def test_a_grant_opens_reading_only_not_corrections(session, world, meeting):
    granted(session, requester=world.member, decider=world.chair, engagement=meeting)

    with pytest.raises(Forbidden) as refused:
        engagements.correct_engagement(
            session, actor=world.member, engagement_id=meeting.id, version=meeting.version, reason="typo",
            data=engagements.EngagementInput(
                kind=meeting.kind, direction=meeting.direction, occurred_at=meeting.occurred_at,
                company_id=meeting.company_id, subject="Changed", classification=meeting.classification,
            ),
        )  # fmt: skip
    assert refused.value.code == "no_grant"


# R6: who decides


@pytest.mark.parametrize("requester", ["chair", "focal"])
def test_no_one_approves_their_own_request_the_other_decider_does(session, world, meeting, requester):
    asker = getattr(world, requester)
    other = world.focal if requester == "chair" else world.chair
    request = services.request_notes(session, actor=asker, justification=WHY, engagement_id=meeting.id)
    events = rows(session, AuditEvent)

    with pytest.raises(Forbidden) as refused:
        services.approve_request(session, actor=asker, request_id=request.id)
    assert refused.value.code == "self_approval"
    with pytest.raises(Forbidden):
        services.decline_request(session, actor=asker, request_id=request.id, reason="no")
    assert (request.status, rows(session, AuditEvent)) == (NotesRequestStatus.PENDING, events)

    services.approve_request(session, actor=other, request_id=request.id)
    assert (request.status, request.decided_by_id) == (NotesRequestStatus.APPROVED, other.id)


@pytest.mark.parametrize("who", ["secretariat", "observer", "member"])
def test_only_the_focal_person_or_the_chair_decides(session, world, meeting, who):
    asker = make_user(session, role=Role.MEMBER, org="MoC", clearance=Clearance.CONFIDENTIAL)
    request = services.request_notes(session, actor=asker, justification=WHY, engagement_id=meeting.id)

    # The secretariat sees every request and is told why; others cannot tell it exists (404).
    expected = Forbidden if who == "secretariat" else NotFound
    with pytest.raises(expected) as refused:
        services.approve_request(session, actor=getattr(world, who), request_id=request.id)
    assert refused.value.code == ("not_decider" if expected is Forbidden else "not_found")


def test_decline_needs_a_reason_and_a_decided_request_is_not_decided_again(session, world, meeting):
    request = services.request_notes(session, actor=world.member, justification=WHY, engagement_id=meeting.id)
    with pytest.raises(Invalid):
        services.decline_request(session, actor=world.focal, request_id=request.id, reason="  ")
    services.decline_request(session, actor=world.focal, request_id=request.id, reason="Not needed for the reply")

    with pytest.raises(Conflict):
        services.approve_request(session, actor=world.chair, request_id=request.id)
    assert request.decision_note == "Not needed for the reply"
    assert engagements.minutes_refusal(session, actor=world.member, engagement=meeting) == "no_grant"


def test_a_stale_version_is_a_conflict(session, world, meeting):
    request = services.request_notes(session, actor=world.member, justification=WHY, engagement_id=meeting.id)
    with pytest.raises(Conflict):
        services.approve_request(session, actor=world.chair, request_id=request.id, version=request.version + 1)


def test_a_duplicate_pending_or_granted_request_is_refused_politely(session, world, meeting):
    first = services.request_notes(session, actor=world.member, justification=WHY, engagement_id=meeting.id)
    count = rows(session, NotesRequest), rows(session, AuditEvent)

    with pytest.raises(Conflict) as refused:
        services.request_notes(session, actor=world.member, justification=WHY, engagement_id=meeting.id)
    assert refused.value.code == "duplicate_request"
    assert f"#{first.id}" in refused.value.message
    assert (rows(session, NotesRequest), rows(session, AuditEvent)) == count

    services.approve_request(session, actor=world.chair, request_id=first.id)
    with pytest.raises(Conflict):
        services.request_notes(session, actor=world.member, justification=WHY, engagement_id=meeting.id)
    # The thread is another target: allowed.
    services.request_notes(session, actor=world.member, justification=WHY, thread_id=world.thread.id)


def test_a_request_names_one_target_and_a_justification(session, world, meeting):
    with pytest.raises(Invalid) as invalid:
        services.request_notes(session, actor=world.member, justification=" ", engagement_id=meeting.id,
                               thread_id=world.thread.id)  # fmt: skip
    assert set(invalid.value.fields) == {"engagement_id", "justification"}
    with pytest.raises(Invalid):
        services.request_notes(session, actor=world.member, justification=WHY, engagement_id=2**31 - 1)
    with pytest.raises(Forbidden) as refused:
        services.request_notes(session, actor=world.admin, justification=WHY, engagement_id=meeting.id)
    assert refused.value.code == "not_permitted"


def test_revoking_ends_the_grant_at_once(session, world, meeting):
    request = granted(session, requester=world.member, decider=world.chair, engagement=meeting)
    with pytest.raises(Forbidden):
        services.revoke_grant(session, actor=world.member, request_id=request.id)

    services.revoke_grant(session, actor=world.focal, request_id=request.id, reason="The reply was sent")

    assert request.status is NotesRequestStatus.REVOKED
    assert engagements.minutes_refusal(session, actor=world.member, engagement=meeting) == "no_grant"
    with pytest.raises(Conflict):
        services.revoke_grant(session, actor=world.focal, request_id=request.id)
