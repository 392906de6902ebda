"""R1 beyond the basics (tests/services/test_designations.py): follow-ups move with the
focal-person designation, ending leaves a vacancy, and the history is kept."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from crm.accounts.models import Role
from crm.audit.models import AuditEvent
from crm.db import utcnow
from crm.designations.models import Designation, DesignationKind
from crm.designations.queries import active_designation, focal_person_id, list_designations
from crm.designations.services import designate, end_designation
from crm.errors import Forbidden, Invalid
from crm.followups.models import FollowUp, FollowUpStatus
from crm.followups.services import complete_follow_up
from tests.channel.factories import APPROVAL, appoint, make_chair, make_follow_up
from tests.factories import make_user

FOCAL = DesignationKind.FOCAL_PERSON
SPOKES = DesignationKind.SPOKESPERSON


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def chair(session):
    return make_chair(session)


@pytest.mark.parametrize("role", [Role.SECRETARIAT, Role.MEMBER, Role.OBSERVER, Role.ADMIN])
def test_only_the_chair_records_a_designation_and_a_refusal_writes_nothing(session, chair, role):
    actor, holder = make_user(session, role=role), make_user(session)
    before = (count(session, Designation), count(session, AuditEvent))

    with pytest.raises(Forbidden) as refused:
        appoint(session, chair=actor, user=holder)

    assert refused.value.code == "not_chair"
    assert (count(session, Designation), count(session, AuditEvent)) == before


def test_a_new_focal_person_ends_the_old_designation_in_the_same_flush(session, chair):
    old_holder, new_holder = make_user(session), make_user(session)
    old = appoint(session, chair=chair, user=old_holder)

    new = appoint(session, chair=chair, user=new_holder)

    assert old.ended_at == new.effective_from
    assert focal_person_id(session) == new_holder.id
    assert [d.id for d in list_designations(session, kind=FOCAL, active=True)] == [new.id]


def test_open_outbound_follow_ups_move_to_the_new_focal_person_and_others_stay(session, chair):
    old_holder, new_holder = make_user(session), make_user(session)
    appoint(session, chair=chair, user=old_holder)
    outbound = make_follow_up(session, assignee=old_holder, outbound=True)
    internal = make_follow_up(session, assignee=old_holder, outbound=False)
    done = make_follow_up(session, assignee=old_holder, outbound=True)
    complete_follow_up(session, actor=old_holder, follow_up_id=done.id, version=done.version)

    appoint(session, chair=chair, user=new_holder)

    assert outbound.assignee_id == new_holder.id
    assert internal.assignee_id == old_holder.id
    assert done.assignee_id == old_holder.id
    transfers = session.scalars(select(AuditEvent).where(AuditEvent.action == "follow_up.transfer")).all()
    assert [(e.target_id, e.before, e.after) for e in transfers] == [
        (str(outbound.id), {"assignee_id": old_holder.id}, {"assignee_id": new_holder.id})
    ]


def test_a_new_spokesperson_moves_no_follow_ups(session, chair):
    old_holder, new_holder = make_user(session), make_user(session)
    appoint(session, chair=chair, user=old_holder, kind=SPOKES)
    outbound = make_follow_up(session, assignee=old_holder, outbound=True)

    appoint(session, chair=chair, user=new_holder, kind=SPOKES)

    assert outbound.assignee_id == old_holder.id


def test_outbound_follow_ups_wait_through_a_vacancy_for_the_next_focal_person(session, chair):
    old_holder, new_holder = make_user(session), make_user(session)
    first = appoint(session, chair=chair, user=old_holder)
    outbound = make_follow_up(session, assignee=old_holder, outbound=True, due=date(2026, 1, 15))
    end_designation(session, actor=chair, designation_id=first.id, version=first.version)
    assert outbound.assignee_id == old_holder.id

    appoint(session, chair=chair, user=new_holder)

    assert outbound.assignee_id == new_holder.id
    assert outbound.status is FollowUpStatus.OPEN


def test_ending_leaves_a_vacancy_and_keeps_the_history(session, chair):
    holder = make_user(session)
    designation = appoint(session, chair=chair, user=holder)

    end_designation(session, actor=chair, designation_id=designation.id, version=designation.version)

    assert active_designation(session, FOCAL) is None
    assert focal_person_id(session) is None
    history = list_designations(session, kind=FOCAL)
    assert [(d.id, d.user_id, d.recorded_by_id, d.approval_ref) for d in history] == [
        (designation.id, holder.id, chair.id, APPROVAL)
    ]
    assert history[0].ended_at is not None


def test_history_lists_newest_first_with_holders_loaded(session, chair):
    holders = [make_user(session) for _ in range(3)]
    made = [appoint(session, chair=chair, user=h) for h in holders]
    session.expunge_all()

    history = list_designations(session, newest_first=True)

    assert [d.id for d in history][:3] == [d.id for d in reversed(made)]
    assert history[0].user.organisation.short_name == "MoIT"  # loaded, not lazily queried
    assert history[0].recorded_by.id == chair.id


def test_a_designation_cannot_take_effect_before_the_current_one(session, chair):
    appoint(session, chair=chair, user=make_user(session))
    earlier = utcnow() - timedelta(days=30)

    with pytest.raises(Invalid) as refused:
        designate(session, actor=chair, kind=FOCAL, user_id=make_user(session).id, approval_ref="x",
                  effective_from=earlier)  # fmt: skip

    assert list(refused.value.fields) == ["effective_from"]


def test_follow_ups_move_only_when_the_holder_changes(session, chair):
    holder = make_user(session)
    appoint(session, chair=chair, user=holder)
    outbound = make_follow_up(session, assignee=holder, outbound=True)

    appoint(session, chair=chair, user=holder)  # re-designated (e.g. a new approval letter)

    assert outbound.assignee_id == holder.id
    assert count(session, FollowUp) >= 1
