"""Rule R1: one focal person (and one spokesperson), designated by the chair alone."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from crm.accounts.models import Role
from crm.audit.models import AuditEvent
from crm.db import utcnow
from crm.designations.models import Designation, DesignationKind
from crm.designations.queries import active_designation, current_holders, designations_of
from crm.designations.services import designate, end_designation
from crm.errors import Conflict, Forbidden, Invalid
from tests.factories import make_user

FOCAL = DesignationKind.FOCAL_PERSON
SPOKES = DesignationKind.SPOKESPERSON
APPROVAL = "PMO No. 1(29)/DS(ICT)/2021"


def counts(session) -> tuple[int, int]:
    designations = session.scalar(select(func.count()).select_from(Designation))
    events = session.scalar(select(func.count()).select_from(AuditEvent))
    return designations, events


def active_count(session, kind: DesignationKind) -> int:
    query = (
        select(func.count()).select_from(Designation).where(Designation.kind == kind, Designation.ended_at.is_(None))
    )
    return session.scalar(query)


def last_events(session, n: int) -> list[AuditEvent]:
    query = select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(n)
    return list(reversed(session.scalars(query).all()))


@pytest.fixture
def chair(session):
    return make_user(session, role=Role.CHAIR, org="NSD")


def appoint(session, chair, user, kind: DesignationKind = FOCAL) -> Designation:
    return designate(session, actor=chair, kind=kind, user_id=user.id, approval_ref=APPROVAL)


def test_the_chair_designates_a_focal_person(session, chair):
    member = make_user(session)
    designation = appoint(session, chair, member)
    assert active_designation(session, FOCAL) is designation
    assert (designation.user_id, designation.recorded_by_id) == (member.id, chair.id)
    assert designation.approval_ref == APPROVAL


@pytest.mark.parametrize("role", [Role.MEMBER, Role.ADMIN, Role.SECRETARIAT, Role.OBSERVER])
def test_only_the_chair_may_designate_and_nothing_is_written(session, role):
    actor, member = make_user(session, role=role), make_user(session)
    before = counts(session)
    with pytest.raises(Forbidden) as refused:
        appoint(session, actor, member)
    assert refused.value.code == "not_chair"
    assert counts(session) == before


def test_an_inactive_chair_cannot_designate(session, chair):
    member = make_user(session)
    chair.is_active = False
    with pytest.raises(Forbidden):
        appoint(session, chair, member)


def test_a_new_designation_ends_the_previous_one(session, chair):
    first, second = make_user(session), make_user(session)
    old = appoint(session, chair, first)
    new = appoint(session, chair, second)
    assert old.ended_at == new.effective_from
    assert new.is_active
    assert not old.is_active
    assert active_count(session, FOCAL) == 1
    assert designations_of(session, first.id) == []


def test_replacing_a_holder_audits_the_end_then_the_record(session, chair):
    first, second = make_user(session), make_user(session)
    old = appoint(session, chair, first)
    new = appoint(session, chair, second)
    events = last_events(session, 2)
    assert [(e.action, e.target_id) for e in events] == [
        ("designation.end", str(old.id)),
        ("designation.record", str(new.id)),
    ]
    assert events[0].before["ended_at"] is None
    assert events[0].after["ended_at"] is not None


def test_designating_is_audited_with_the_chair_as_actor(session, chair):
    designation = appoint(session, chair, make_user(session))
    [event] = last_events(session, 1)
    assert (event.action, event.actor_id, event.target_type) == ("designation.record", chair.id, "designations")
    assert event.after["approval_ref"] == APPROVAL
    assert event.target_id == str(designation.id)


def test_ending_a_designation_leaves_a_vacancy(session, chair):
    designation = appoint(session, chair, make_user(session))
    end_designation(session, actor=chair, designation_id=designation.id, version=designation.version)
    assert designation.ended_at is not None
    assert active_designation(session, FOCAL) is None
    assert last_events(session, 1)[0].action == "designation.end"


def test_ending_with_a_stale_version_is_a_conflict(session, chair):
    designation = appoint(session, chair, make_user(session))
    stale = designation.version - 1
    before = counts(session)
    with pytest.raises(Conflict):
        end_designation(session, actor=chair, designation_id=designation.id, version=stale)
    assert designation.is_active
    assert counts(session) == before


def test_ending_twice_is_a_conflict(session, chair):
    designation = appoint(session, chair, make_user(session))
    end_designation(session, actor=chair, designation_id=designation.id)
    with pytest.raises(Conflict):
        end_designation(session, actor=chair, designation_id=designation.id)


def test_a_member_cannot_end_a_designation(session, chair):
    designation = appoint(session, chair, make_user(session))
    with pytest.raises(Forbidden):
        end_designation(session, actor=make_user(session), designation_id=designation.id)
    assert designation.is_active


@pytest.mark.parametrize("role", [Role.OBSERVER, Role.ADMIN])
def test_an_observer_or_admin_cannot_hold_a_designation(session, chair, role):
    holder = make_user(session, role=role)
    with pytest.raises(Invalid) as refused:
        appoint(session, chair, holder)
    assert list(refused.value.fields) == ["user_id"]


def test_an_inactive_user_cannot_hold_a_designation(session, chair):
    holder = make_user(session)
    holder.is_active = False
    before = counts(session)
    with pytest.raises(Invalid):
        appoint(session, chair, holder)
    assert counts(session) == before


def test_an_unknown_user_cannot_hold_a_designation(session, chair):
    with pytest.raises(Invalid) as refused:
        designate(session, actor=chair, kind=FOCAL, user_id=999_999, approval_ref=APPROVAL)
    assert list(refused.value.fields) == ["user_id"]


def test_an_approval_reference_is_required(session, chair):
    holder = make_user(session)
    before = counts(session)
    with pytest.raises(Invalid) as refused:
        designate(session, actor=chair, kind=FOCAL, user_id=holder.id, approval_ref="   ")
    assert list(refused.value.fields) == ["approval_ref"]
    assert counts(session) == before


def test_a_refused_replacement_keeps_the_current_holder(session, chair):
    current = appoint(session, chair, make_user(session))
    with pytest.raises(Invalid):
        appoint(session, chair, make_user(session, role=Role.OBSERVER))
    assert active_designation(session, FOCAL) is current


def test_focal_person_and_spokesperson_are_independent(session, chair):
    focal = appoint(session, chair, make_user(session), FOCAL)
    spokes = appoint(session, chair, make_user(session, role=Role.SECRETARIAT), SPOKES)
    assert current_holders(session) == {FOCAL: focal, SPOKES: spokes}


def test_one_person_may_hold_both_designations(session, chair):
    member = make_user(session)
    appoint(session, chair, member, FOCAL)
    appoint(session, chair, member, SPOKES)
    assert {d.kind for d in designations_of(session, member.id)} == {FOCAL, SPOKES}


# The database guarantee (partial unique index), bypassing the service entirely.


def raw_designation(session, user, chair, *, ended: bool = False) -> None:
    now = utcnow()
    values = {
        "kind": FOCAL,
        "user_id": user.id,
        "effective_from": now - timedelta(days=1),
        "ended_at": now if ended else None,
        "approval_ref": APPROVAL,
        "recorded_by_id": chair.id,
        "created_at": now,
        "version": 1,
    }
    session.execute(insert(Designation.__table__).values(**values))


def test_the_database_refuses_two_active_designations_of_one_kind(session, chair):
    first, second = make_user(session), make_user(session)
    raw_designation(session, first, chair)
    with pytest.raises(IntegrityError), session.begin_nested():
        raw_designation(session, second, chair)
    assert active_count(session, FOCAL) == 1


def test_the_database_accepts_ended_designations_beside_an_active_one(session, chair):
    first, second, third = make_user(session), make_user(session), make_user(session)
    raw_designation(session, first, chair, ended=True)
    raw_designation(session, second, chair, ended=True)
    raw_designation(session, third, chair)
    assert active_count(session, FOCAL) == 1
    assert session.scalar(select(func.count()).select_from(Designation)) == 3
