"""R2 (one outbound channel) and R4 (inbound goes to the channel), through the service."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from crm.accounts.models import Role
from crm.audit.models import AuditEvent
from crm.designations.models import DesignationKind
from crm.designations.queries import active_designation
from crm.designations.services import end_designation
from crm.engagements.models import Direction, Engagement
from crm.errors import Forbidden, Invalid
from crm.followups.models import FollowUp, FollowUpStatus
from tests.engagements.factories import build_world, log, make_focal_person
from tests.factories import make_user

OUTBOUND = Direction.OUTBOUND


def totals(session) -> tuple[int, int, int]:
    def count(model):
        return session.scalar(select(func.count()).select_from(model))

    return count(Engagement), count(FollowUp), count(AuditEvent)


def follow_ups_of(session, engagement) -> list[FollowUp]:
    return list(session.scalars(select(FollowUp).where(FollowUp.engagement_id == engagement.id)))


def test_the_focal_person_logs_an_outbound_engagement(session, world):
    engagement = log(session, world.focal, world.company.id, direction=OUTBOUND, thread_id=world.thread.id)

    assert engagement.id is not None
    assert (engagement.direction, engagement.logged_by_id) == (OUTBOUND, world.focal.id)
    assert follow_ups_of(session, engagement) == []  # R4 is for inbound contacts only
    event = session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
    assert (event.action, event.target_id) == ("engagement.log", str(engagement.id))
    assert "minutes" not in event.after  # the audit chain never holds classified text


@pytest.mark.parametrize("who", ["member", "secretariat", "chair", "observer", "admin"])
def test_anyone_but_the_focal_person_is_refused_outbound_and_nothing_is_written(session, world, who):
    before = totals(session)

    with pytest.raises(Forbidden) as refused:
        log(session, getattr(world, who), world.company.id, direction=OUTBOUND)

    assert refused.value.code == "not_focal_person"
    assert totals(session) == before


@pytest.mark.parametrize("who", ["focal", "member", "secretariat", "chair", "observer", "admin"])
def test_with_nobody_designated_everyone_is_refused_outbound_with_no_focal_person(session, who):
    world = build_world(session, designate_focal=False)
    before = totals(session)

    with pytest.raises(Forbidden) as refused:
        log(session, getattr(world, who), world.company.id, direction=OUTBOUND)

    assert refused.value.code == "no_focal_person"
    assert totals(session) == before


def test_a_former_focal_person_is_refused_once_the_designation_ends(session, world):
    designation = active_designation(session, DesignationKind.FOCAL_PERSON)
    end_designation(session, actor=world.chair, designation_id=designation.id)

    with pytest.raises(Forbidden) as refused:
        log(session, world.focal, world.company.id, direction=OUTBOUND)

    assert refused.value.code == "no_focal_person"


def test_refusal_comes_before_validation_so_bad_outbound_input_still_writes_nothing(session, world):
    before = totals(session)

    with pytest.raises(Forbidden):
        log(session, world.member, world.company.id, direction=OUTBOUND, subject="")

    assert totals(session) == before


def test_inbound_by_a_member_creates_the_follow_up_for_the_focal_person(session, world):
    engagement = log(session, world.member, world.company.id, subject="Meta asked for a meeting")

    [follow_up] = follow_ups_of(session, engagement)
    assert follow_up.title == "Respond through the focal person: Meta asked for a meeting"
    assert follow_up.assignee_id == world.focal.id
    assert follow_up.status is FollowUpStatus.OPEN
    assert follow_up.is_outbound_action is True
    assert follow_up.due_date == (engagement.occurred_at + timedelta(days=7)).date()
    actions = session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq.desc()).limit(2)).all()
    assert actions == ["follow_up.create", "engagement.log"]


def test_inbound_during_a_vacancy_goes_to_the_chair(session):
    world = build_world(session, designate_focal=False)

    engagement = log(session, world.member, world.company.id)

    [follow_up] = follow_ups_of(session, engagement)
    assert follow_up.assignee_id == world.chair.id


def test_inbound_marked_as_needing_no_response_creates_no_follow_up(session, world):
    engagement = log(session, world.secretariat, world.company.id, needs_no_response=True)

    assert engagement.needs_no_response is True
    assert follow_ups_of(session, engagement) == []


def test_needs_no_response_is_ignored_on_outbound(session, world):
    engagement = log(session, world.focal, world.company.id, direction=OUTBOUND, needs_no_response=True)

    assert engagement.needs_no_response is False


@pytest.mark.parametrize("who", ["observer", "admin"])
def test_observers_and_admins_do_not_record_inbound(session, world, who):
    before = totals(session)

    with pytest.raises(Forbidden) as refused:
        log(session, getattr(world, who), world.company.id)

    assert refused.value.code == "not_permitted"
    assert totals(session) == before


def test_the_focal_person_follow_up_moves_to_a_new_focal_person(session, world):
    engagement = log(session, world.member, world.company.id)
    successor = make_user(session, role=Role.MEMBER, org="MoIT")
    make_focal_person(session, world.chair, successor)

    [follow_up] = follow_ups_of(session, engagement)
    session.refresh(follow_up)
    assert follow_up.assignee_id == successor.id


def test_invalid_input_lists_every_field_and_writes_nothing(session, world):
    other = build_world(session, designate_focal=False)
    before = totals(session)

    with pytest.raises(Invalid) as invalid:
        log(
            session, world.member, world.company.id, subject=" ", thread_id=other.thread.id,
            contact_ids=[other.contact.id], participant_ids=[2**40], location="x" * 201,
        )  # fmt: skip

    assert {"subject", "thread_id", "contact_ids", "participant_ids", "location"} <= set(invalid.value.fields)
    assert totals(session) == before


@pytest.mark.parametrize(
    ("overrides", "field"),
    [({"company_id": 2**40}, "company_id"), ({"thread_id": 2**40}, "thread_id"), ({"contact_ids": [-1]}, "contact_ids"),
     ({"organisation_ids": [2**63]}, "organisation_ids")],
)  # fmt: skip
def test_ids_the_database_cannot_hold_are_field_errors(session, world, overrides, field):
    company_id = overrides.pop("company_id", world.company.id)

    with pytest.raises(Invalid) as invalid:
        log(session, world.member, company_id, **overrides)

    assert field in invalid.value.fields
