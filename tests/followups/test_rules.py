"""Follow-up rules at the service: who creates for whom, links, R1 for outbound actions,
editing with versions, cancelling, reopening, taking from a queue. Refusals write nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from crm.audit.models import AuditEvent
from crm.designations.services import end_designation
from crm.errors import Conflict, Forbidden, Invalid, NotFound
from crm.followups.models import FollowUp, FollowUpPriority, FollowUpStatus
from crm.followups.queries import Filters, all_open_follow_ups, history, list_follow_ups, organisation_queue
from crm.followups.services import (
    FollowUpChanges,
    cancel_follow_up,
    complete_follow_up,
    reopen_follow_up,
    take_follow_up,
    update_follow_up,
)
from tests.channel.factories import make_company
from tests.followups.factories import make_commitment, make_engagement, new_follow_up

DUE = date(2026, 5, 1)


def counts(session) -> tuple[int, int]:
    return tuple(session.scalar(select(func.count()).select_from(m)) for m in (FollowUp, AuditEvent))


def refused(session, error, call, code=None):
    """`call()` raises `error` (with `code`) and leaves no row behind."""
    before = counts(session)
    with pytest.raises(error) as caught:
        call()
    if code:
        assert caught.value.code == code
    assert counts(session) == before
    return caught.value


def changes_of(follow_up: FollowUp, **overrides) -> FollowUpChanges:
    values = {name: getattr(follow_up, name) for name in
              ("title", "details", "assignee_id", "assignee_organisation_id", "due_date", "priority")}  # fmt: skip
    values.update(overrides)
    return FollowUpChanges(**values)


# Creating.


def test_the_chair_creates_a_follow_up_for_anyone_with_every_link_and_it_is_audited(session, world):
    before = counts(session)
    follow_up = new_follow_up(
        session, actor=world.chair, title="  Ask for the data-localisation timeline ", details="Before the meeting.",
        assignee_id=world.member.id, due_date=DUE, priority=FollowUpPriority.HIGH, company_id=world.company.id,
        thread_id=world.thread.id, engagement_id=world.engagement.id, commitment_id=world.commitment.id,
    )  # fmt: skip

    assert counts(session) == (before[0] + 1, before[1] + 1)
    assert (follow_up.title, follow_up.priority, follow_up.due_date) == (
        "Ask for the data-localisation timeline", FollowUpPriority.HIGH, DUE)  # fmt: skip
    assert (follow_up.commitment_id, follow_up.created_by_id) == (world.commitment.id, world.chair.id)
    event = session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
    assert (event.action, event.after["priority"], event.after["commitment_id"]) == (
        "follow_up.create", "high", world.commitment.id)  # fmt: skip


@pytest.mark.parametrize("keeper", ["secretariat", "focal"])
def test_the_secretariat_and_the_focal_person_assign_to_others(session, world, keeper):
    follow_up = new_follow_up(session, actor=getattr(world, keeper), assignee_id=world.outsider.id)
    assert follow_up.assignee_id == world.outsider.id


def test_a_member_assigns_to_themselves_or_their_organisations_queue(session, world):
    mine = new_follow_up(session, actor=world.member, assignee_id=world.member.id)
    queue = new_follow_up(session, actor=world.member, assignee_organisation_id=world.member.organisation_id)
    assert (mine.assignee_id, queue.assignee_organisation_id) == (world.member.id, world.member.organisation_id)


@pytest.mark.parametrize(
    "target", ["colleague", "focal", "outsider_queue", "outbound"], ids=["colleague", "focal", "queue", "outbound"]
)
def test_a_member_cannot_assign_elsewhere_and_nothing_is_written(session, world, target):
    values = {
        "colleague": {"assignee_id": world.colleague.id},
        "focal": {"assignee_id": world.focal.id},
        "outsider_queue": {"assignee_organisation_id": world.outsider.organisation_id},
        "outbound": {"assignee_id": world.member.id, "is_outbound_action": True},
    }[target]
    refused(session, Forbidden, lambda: new_follow_up(session, actor=world.member, **values), "assignee_not_allowed")


@pytest.mark.parametrize("role", ["observer", "admin"])
def test_observers_and_admins_cannot_create(session, world, role):
    actor = getattr(world, role)
    refused(session, Forbidden, lambda: new_follow_up(session, actor=actor, assignee_id=actor.id), "not_permitted")


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"title": "   "}, "title"),
        ({"title": "t" * 301}, "title"),
        ({"details": "d" * 10_001}, "details"),
        ({"assignee_id": None}, "assignee_id"),  # neither a person nor a queue
        ({"assignee_organisation_id": 1}, "assignee_id"),  # both
        ({"due_date": date(1, 1, 1)}, "due_date"),
        ({"company_id": 987_654}, "company_id"),
        ({"commitment_id": 2**40}, "commitment_id"),
        ({"engagement_id": 987_654}, "engagement_id"),
    ],
)
def test_invalid_input_gets_field_errors_and_nothing_is_written(session, world, values, field):
    values = {"assignee_id": world.chair.id, **values}
    if values["assignee_id"] is None:
        values.pop("assignee_id")
        values["assignee_organisation_id"] = None
    error = refused(session, Invalid, lambda: new_follow_up(session, actor=world.chair, **values))
    assert field in error.fields


def test_an_inactive_or_observer_assignee_is_refused(session, world):
    error = refused(session, Invalid, lambda: new_follow_up(session, actor=world.chair, assignee_id=world.observer.id))
    assert "assignee_id" in error.fields


def test_links_must_agree_with_the_company(session, world):
    other = world.other_company
    foreign_thread_error = refused(session, Invalid, lambda: new_follow_up(
        session, actor=world.chair, company_id=other.id, thread_id=world.thread.id))  # fmt: skip
    assert "thread_id" in foreign_thread_error.fields
    engagement_error = refused(session, Invalid, lambda: new_follow_up(
        session, actor=world.chair, company_id=other.id, engagement_id=world.engagement.id))  # fmt: skip
    assert "engagement_id" in engagement_error.fields
    commitment_error = refused(session, Invalid, lambda: new_follow_up(
        session, actor=world.chair, company_id=other.id, commitment_id=world.commitment.id))  # fmt: skip
    assert "commitment_id" in commitment_error.fields


def test_an_engagement_of_another_thread_is_refused(session, world):
    from tests.channel.factories import make_thread

    second = make_thread(session, company=world.company, created_by=world.chair)
    error = refused(session, Invalid, lambda: new_follow_up(
        session, actor=world.chair, thread_id=second.id, engagement_id=world.engagement.id))  # fmt: skip
    assert "engagement_id" in error.fields


def test_the_company_is_taken_from_the_engagement_or_commitment(session, world):
    by_engagement = new_follow_up(session, actor=world.chair, engagement_id=world.engagement.id)
    by_commitment = new_follow_up(session, actor=world.chair, commitment_id=world.commitment.id)
    assert by_engagement.company_id == by_commitment.company_id == world.company.id


# R1: outbound actions stay with the focal person.


def test_an_outbound_action_goes_only_to_the_focal_person(session, world):
    error = refused(session, Invalid, lambda: new_follow_up(
        session, actor=world.chair, assignee_id=world.secretariat.id, is_outbound_action=True))  # fmt: skip
    assert "focal person" in error.fields["assignee_id"][0]
    follow_up = new_follow_up(session, actor=world.chair, assignee_id=world.focal.id, is_outbound_action=True)
    assert follow_up.is_outbound_action

    error = refused(session, Invalid, lambda: update_follow_up(
        session, actor=world.chair, follow_up_id=follow_up.id, version=follow_up.version,
        changes=changes_of(follow_up, assignee_id=world.member.id)))  # fmt: skip
    assert "assignee_id" in error.fields


def test_during_a_vacancy_an_outbound_action_may_wait_with_the_chair(session, world):
    end_designation(session, actor=world.chair, designation_id=world.designation.id)
    follow_up = new_follow_up(session, actor=world.chair, assignee_id=world.chair.id, is_outbound_action=True)
    assert follow_up.assignee_id == world.chair.id


# Editing.


def test_the_chair_reassigns_and_changes_the_due_date_and_priority(session, world):
    follow_up = new_follow_up(session, actor=world.chair, assignee_id=world.member.id)
    version = follow_up.version
    update_follow_up(session, actor=world.chair, follow_up_id=follow_up.id, version=version, changes=changes_of(
        follow_up, assignee_id=None, assignee_organisation_id=world.outsider.organisation_id, due_date=DUE,
        priority=FollowUpPriority.LOW, title="New title"))  # fmt: skip

    assert (follow_up.assignee_id, follow_up.assignee_organisation_id) == (None, world.outsider.organisation_id)
    assert (follow_up.due_date, follow_up.priority, follow_up.title) == (DUE, FollowUpPriority.LOW, "New title")
    assert follow_up.version == version + 1
    assert [e.action for e in history(session, follow_up.id)] == ["follow_up.create", "follow_up.update"]


def test_a_stale_version_conflicts_and_nothing_is_written(session, world):
    follow_up = new_follow_up(session, actor=world.chair, assignee_id=world.member.id)
    refused(session, Conflict, lambda: update_follow_up(
        session, actor=world.chair, follow_up_id=follow_up.id, version=follow_up.version + 1,
        changes=changes_of(follow_up, title="Mine")), "version_conflict")  # fmt: skip
    assert follow_up.title != "Mine"


def test_a_member_edits_their_own_but_may_not_hand_it_to_a_colleague(session, world):
    follow_up = new_follow_up(session, actor=world.chair, assignee_id=world.member.id)
    update_follow_up(session, actor=world.member, follow_up_id=follow_up.id, version=follow_up.version,
                     changes=changes_of(follow_up, priority=FollowUpPriority.HIGH))  # fmt: skip
    refused(session, Forbidden, lambda: update_follow_up(
        session, actor=world.member, follow_up_id=follow_up.id, version=follow_up.version,
        changes=changes_of(follow_up, assignee_id=world.colleague.id)), "assignee_not_allowed")  # fmt: skip


def test_others_cannot_edit_and_invisible_ones_are_not_found(session, world):
    follow_up = new_follow_up(session, actor=world.chair, assignee_id=world.member.id)
    refused(session, NotFound, lambda: update_follow_up(
        session, actor=world.outsider, follow_up_id=follow_up.id, version=1,
        changes=changes_of(follow_up)))  # fmt: skip
    refused(session, Forbidden, lambda: update_follow_up(
        session, actor=world.observer, follow_up_id=follow_up.id, version=1, changes=changes_of(follow_up)),
        "not_assignee")  # fmt: skip
    refused(session, NotFound, lambda: update_follow_up(
        session, actor=world.chair, follow_up_id=2**40, version=1, changes=changes_of(follow_up)))  # fmt: skip


def test_a_closed_follow_up_cannot_be_edited(session, world):
    follow_up = new_follow_up(session, actor=world.chair, assignee_id=world.member.id)
    complete_follow_up(session, actor=world.member, follow_up_id=follow_up.id)
    refused(session, Conflict, lambda: update_follow_up(
        session, actor=world.chair, follow_up_id=follow_up.id, version=follow_up.version,
        changes=changes_of(follow_up, title="Again")), "not_open")  # fmt: skip


# Cancelling and reopening.


def test_an_owner_cancels_with_a_note_and_a_note_is_required(session, world):
    follow_up = new_follow_up(session, actor=world.member)
    error = refused(session, Invalid, lambda: cancel_follow_up(
        session, actor=world.member, follow_up_id=follow_up.id, version=follow_up.version, note="  "))  # fmt: skip
    assert "note" in error.fields
    cancel_follow_up(session, actor=world.member, follow_up_id=follow_up.id, version=follow_up.version,
                     note="Overtaken by the PM's meeting.")  # fmt: skip
    assert (follow_up.status, follow_up.completion_note) == (FollowUpStatus.CANCELLED, "Overtaken by the PM's meeting.")


def test_a_colleague_cannot_cancel_a_follow_up_assigned_to_a_person(session, world):
    follow_up = new_follow_up(session, actor=world.chair, assignee_id=world.member.id)
    refused(session, NotFound, lambda: cancel_follow_up(
        session, actor=world.colleague, follow_up_id=follow_up.id, version=follow_up.version, note="No"))  # fmt: skip


def test_only_keepers_reopen_and_an_open_one_cannot_be_reopened(session, world):
    follow_up = new_follow_up(session, actor=world.chair, assignee_id=world.member.id)
    refused(session, Conflict, lambda: reopen_follow_up(
        session, actor=world.chair, follow_up_id=follow_up.id, version=follow_up.version), "not_closed")  # fmt: skip
    complete_follow_up(session, actor=world.member, follow_up_id=follow_up.id, note="Sent.")
    refused(session, Forbidden, lambda: reopen_follow_up(
        session, actor=world.member, follow_up_id=follow_up.id, version=follow_up.version),
        "not_permitted")  # fmt: skip
    refused(session, Conflict, lambda: reopen_follow_up(
        session, actor=world.chair, follow_up_id=follow_up.id, version=follow_up.version - 1))  # fmt: skip

    reopen_follow_up(session, actor=world.secretariat, follow_up_id=follow_up.id,
                     version=follow_up.version, note="The reply was incomplete.")  # fmt: skip

    assert (follow_up.status, follow_up.completion_note, follow_up.completed_at) == (FollowUpStatus.OPEN, "", None)
    actions = [e.action for e in history(session, follow_up.id)]
    assert actions == ["follow_up.create", "follow_up.complete", "follow_up.reopen"]


# Taking from a queue.


def test_a_member_takes_an_item_of_their_organisations_queue(session, world):
    item = new_follow_up(session, actor=world.chair, assignee_organisation_id=world.member.organisation_id)
    assert [f.id for f in organisation_queue(session, organisation_id=world.member.organisation_id)] == [item.id]

    take_follow_up(session, actor=world.member, follow_up_id=item.id, version=item.version)

    assert (item.assignee_id, item.assignee_organisation_id) == (world.member.id, None)
    assert organisation_queue(session, organisation_id=world.member.organisation_id) == []
    refused(session, Conflict, lambda: take_follow_up(
        session, actor=world.member, follow_up_id=item.id, version=item.version))  # fmt: skip
    refused(session, NotFound, lambda: take_follow_up(
        session, actor=world.colleague, follow_up_id=item.id, version=item.version))  # fmt: skip


def test_another_organisation_cannot_take_and_an_outbound_item_waits_for_the_focal_person(session, world):
    item = new_follow_up(session, actor=world.chair, assignee_organisation_id=world.member.organisation_id)
    refused(session, NotFound, lambda: take_follow_up(
        session, actor=world.outsider, follow_up_id=item.id, version=item.version))  # fmt: skip
    refused(session, Forbidden, lambda: take_follow_up(
        session, actor=world.observer, follow_up_id=item.id, version=item.version), "not_permitted")  # fmt: skip
    # R4 during a vacancy with no chair leaves an outbound item in a queue; once a focal person
    # is designated, only they may hold it.
    outbound = new_follow_up(session, actor=world.chair, assignee_id=world.focal.id, is_outbound_action=True)
    outbound.assignee_id, outbound.assignee_organisation_id = None, world.member.organisation_id
    session.flush()
    refused(session, Invalid, lambda: take_follow_up(
        session, actor=world.member, follow_up_id=outbound.id, version=outbound.version))  # fmt: skip


# Lists.


def test_the_keepers_list_filters_by_assignee_organisation_priority_overdue_and_due_window(session, world):
    today = date(2026, 3, 10)
    late = new_follow_up(session, actor=world.chair, assignee_id=world.member.id, due_date=today - timedelta(days=2),
                         priority=FollowUpPriority.HIGH)  # fmt: skip
    queue = new_follow_up(session, actor=world.chair, assignee_organisation_id=world.member.organisation_id,
                          due_date=today + timedelta(days=5))  # fmt: skip
    other = new_follow_up(
        session, actor=world.chair, assignee_id=world.outsider.id, due_date=today + timedelta(days=40)
    )
    closed = new_follow_up(session, actor=world.chair, assignee_id=world.member.id, due_date=today)
    complete_follow_up(session, actor=world.chair, follow_up_id=closed.id)

    def ids(**filters):
        return [f.id for f in all_open_follow_ups(session, filters=Filters(today=today, **filters))
                if f.id in {late.id, queue.id, other.id, closed.id}]  # fmt: skip

    assert ids() == [late.id, queue.id, other.id]
    assert ids(assignee_id=world.member.id) == [late.id]
    assert ids(organisation_id=world.member.organisation_id) == [late.id, queue.id]
    assert ids(priority=FollowUpPriority.HIGH) == [late.id]
    assert ids(overdue=True) == [late.id]
    assert ids(due_from=today, due_to=today + timedelta(days=30)) == [queue.id]


def test_the_api_list_filters_by_priority_overdue_organisation_and_commitment(session, world):
    today = date(2026, 3, 10)
    late = new_follow_up(session, actor=world.chair, assignee_id=world.member.id, due_date=today - timedelta(days=1),
                         commitment_id=world.commitment.id, priority=FollowUpPriority.LOW)  # fmt: skip
    other = new_follow_up(session, actor=world.chair, assignee_id=world.outsider.id, due_date=today)

    def ids(**filters):
        return [f.id for f in list_follow_ups(session, viewer=world.chair, everything=True, **filters)
                if f.id in {late.id, other.id}]  # fmt: skip

    assert ids(priority=FollowUpPriority.LOW) == [late.id]
    assert ids(overdue_on=today) == [late.id]
    assert ids(organisation_id=world.outsider.organisation_id) == [other.id]
    assert ids(commitment_id=world.commitment.id) == [late.id]


def test_a_new_company_and_commitment_are_linkable(session, world):
    company = make_company(session, "TikTok")
    commitment = make_commitment(session, company=company, organisation="PTA")
    engagement = make_engagement(session, actor=world.chair, company=company)
    follow_up = new_follow_up(session, actor=world.chair, commitment_id=commitment.id, engagement_id=engagement.id)
    assert follow_up.company_id == company.id
