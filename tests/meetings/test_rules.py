"""WG meeting rules: the secretariat and chair record; everyone reads the agenda; minutes follow
R5 (the engagement predicate, no grant path); decisions become directives; action items are
follow-ups linked to the meeting. Refusals write nothing."""

from __future__ import annotations

from datetime import date

import pytest

from crm.accounts.models import Clearance, User
from crm.audit.models import AuditEvent
from crm.directives.models import Directive
from crm.errors import Conflict, Forbidden, Invalid, NotFound
from crm.followups.models import FollowUp
from crm.meetings import services
from crm.meetings.models import WGDecision, WGMeeting
from tests.meetings.factories import HELD_AT, make_meeting, meeting_input


def me(s, user):
    return s.get(User, user.id)


@pytest.mark.parametrize("who", ["moit", "observer", "admin", "focal"])
def test_only_the_secretariat_and_chair_record_meetings(seed, cast, rows, who):
    before = rows(WGMeeting)

    with pytest.raises(Forbidden) as refused:
        seed(lambda s: make_meeting(s, by=getattr(cast, who)))

    assert refused.value.code == "not_keeper"
    assert rows(WGMeeting) == before


def test_a_meeting_is_recorded_with_attendees_and_organisations(seed, cast, rows):
    meeting = seed(
        lambda s: make_meeting(
            s,
            by=cast.secretariat,
            attendee_ids=[cast.chair.id, cast.moit.id],
            organisation_ids=[cast.moit.organisation_id, cast.pta.organisation_id],
        )
    )

    loaded = seed(lambda s: services._get(s, meeting.id, loads=True))
    assert {u.id for u in loaded.attendees} == {cast.chair.id, cast.moit.id}
    assert len(loaded.organisations) == 2


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": ""}, "title"),
        ({"held_at": date(2021, 1, 1)}, "held_at"),
        ({"attendee_ids": [999999]}, "attendee_ids"),
        ({"organisation_ids": [0]}, "organisation_ids"),
        ({"classification": Clearance.SECRET}, "classification"),
        ({"invitees": "x" * 1001}, "invitees"),
    ],
)
def test_bad_input_is_field_errors(seed, cast, rows, overrides, field):
    if isinstance(overrides.get("held_at"), date):
        overrides = {"held_at": HELD_AT.replace(tzinfo=None)}  # naive: no time zone
    before = rows(WGMeeting)

    with pytest.raises(Invalid) as invalid:
        seed(lambda s: make_meeting(s, by=cast.secretariat, **overrides))  # cleared to Confidential only

    assert field in invalid.value.fields
    assert rows(WGMeeting) == before


@pytest.mark.parametrize(
    ("who", "refusal"),
    [
        ("chair", None),
        ("secretariat", None),
        ("focal", None),
        ("moit", "no_grant"),
        ("observer", "no_grant"),
        ("low", "insufficient_clearance"),
    ],
)
def test_minutes_follow_r5(seed, cast, who, refusal):
    meeting = seed(lambda s: make_meeting(s, by=cast.chair))

    assert seed(lambda s: services.minutes_refusal(s, actor=me(s, getattr(cast, who)), meeting=meeting)) == refusal


def test_reading_minutes_is_audited_and_refused_reads_write_nothing(seed, cast, rows):
    meeting = seed(lambda s: make_meeting(s, by=cast.chair))
    before = rows()

    text = seed(lambda s: services.read_minutes(s, actor=me(s, cast.secretariat), meeting=s.get(WGMeeting, meeting.id)))
    assert "emphasised" in text
    assert rows() == (before[0] + 1,)
    with pytest.raises(Forbidden) as refused:
        seed(lambda s: services.read_minutes(s, actor=me(s, cast.moit), meeting=s.get(WGMeeting, meeting.id)))
    assert refused.value.code == "no_grant"
    assert rows() == (before[0] + 1,)


def _update(user, meeting, version=1, **overrides):
    return lambda s: services.update_meeting(
        s, actor=me(s, user), meeting_id=meeting.id, version=version, data=meeting_input(**overrides)
    )


def test_editing_needs_a_keeper_who_may_read_the_minutes_and_is_version_checked(seed, cast, rows):
    meeting = seed(lambda s: make_meeting(s, by=cast.chair))
    before = rows(WGMeeting)
    with pytest.raises(Forbidden) as low:
        seed(_update(cast.low, meeting, classification=Clearance.UNCLASSIFIED))
    assert low.value.code == "insufficient_clearance"
    with pytest.raises(Forbidden) as member:
        seed(_update(cast.moit, meeting))
    assert member.value.code == "not_keeper"
    assert rows(WGMeeting) == before

    assert seed(_update(cast.secretariat, meeting, title="Renamed")).version == 2
    with pytest.raises(Conflict):
        seed(_update(cast.chair, meeting, title="Stale"))


def test_decisions_and_action_items_are_the_keepers(seed, cast, rows):
    meeting = seed(lambda s: make_meeting(s, by=cast.chair))
    before = rows(WGDecision, FollowUp)
    with pytest.raises(Forbidden):
        seed(lambda s: services.add_decision(s, actor=me(s, cast.moit), meeting_id=meeting.id, text="x"))
    with pytest.raises(Forbidden):
        seed(
            lambda s: services.add_action_item(
                s,
                actor=me(s, cast.observer),
                meeting_id=meeting.id,
                data=services.ActionItemInput(title="x", assignee_id=cast.moit.id),
            )
        )
    with pytest.raises(Invalid):
        seed(lambda s: services.add_decision(s, actor=me(s, cast.chair), meeting_id=meeting.id, text=" "))
    with pytest.raises(NotFound):
        seed(lambda s: services.add_decision(s, actor=me(s, cast.chair), meeting_id=999999, text="x"))
    assert rows(WGDecision, FollowUp) == before


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": "Invite SBP"}, "assignee_id"),
        ({"title": "x", "assignee_id": 1, "assignee_organisation_id": 1}, "assignee_id"),
        ({"title": "", "assignee_id": None, "assignee_organisation_id": 999999}, "assignee_organisation_id"),
        ({"title": "x", "assignee_id": None, "assignee_organisation_id": 1, "due_date": date(1900, 1, 1)}, "due_date"),
    ],
)
def test_action_items_need_one_owner(seed, cast, rows, data, field):
    meeting = seed(lambda s: make_meeting(s, by=cast.chair))
    before = rows(FollowUp)

    with pytest.raises(Invalid) as invalid:
        seed(
            lambda s: services.add_action_item(
                s, actor=me(s, cast.secretariat), meeting_id=meeting.id, data=services.ActionItemInput(**data)
            )
        )

    assert field in invalid.value.fields
    assert rows(FollowUp) == before


def test_an_action_item_is_a_follow_up_linked_to_the_meeting(seed, cast):
    meeting = seed(lambda s: make_meeting(s, by=cast.chair))

    item = seed(
        lambda s: services.add_action_item(
            s,
            actor=me(s, cast.secretariat),
            meeting_id=meeting.id,
            data=services.ActionItemInput(
                title="Invite SBP and FBR",
                assignee_organisation_id=cast.pta.organisation_id,
                due_date=date(2021, 10, 20),
            ),
        )
    )

    assert item.meeting_id == meeting.id
    assert item.assignee_organisation_id == cast.pta.organisation_id


def test_a_decision_becomes_a_directive_once(seed, cast, rows):
    meeting = seed(lambda s: make_meeting(s, by=cast.chair))
    decision = seed(
        lambda s: services.add_decision(
            s, actor=me(s, cast.chair), meeting_id=meeting.id, text="MoIT to draft the engagement protocol."
        )
    )

    made = seed(
        lambda s: services.make_directive(
            s,
            actor=me(s, cast.secretariat),
            decision_id=decision.id,
            meeting_id=meeting.id,
            timeline_text="1 month",
            organisation_ids=[cast.moit.organisation_id],
        )
    )

    directive = seed(lambda s: s.get(Directive, made.directive_id))
    assert directive.source_ref == "NSMCWG meeting of 13-10-2021"
    assert directive.serial == f"D{decision.id}"
    assert directive.due_date == date(2021, 11, 13)
    before = rows(Directive, AuditEvent)
    with pytest.raises(Conflict) as again:
        seed(
            lambda s: services.link_directive(
                s, actor=me(s, cast.chair), decision_id=decision.id, directive_id=directive.id
            )
        )
    assert again.value.code == "already_directive"
    assert rows(Directive, AuditEvent) == before


def test_a_decision_links_to_an_existing_directive(seed, cast, rows):
    meeting = seed(lambda s: make_meeting(s, by=cast.chair))
    first = seed(lambda s: services.add_decision(s, actor=me(s, cast.chair), meeting_id=meeting.id, text="A"))
    second = seed(lambda s: services.add_decision(s, actor=me(s, cast.chair), meeting_id=meeting.id, text="B"))
    made = seed(lambda s: services.make_directive(s, actor=me(s, cast.chair), decision_id=first.id))
    with pytest.raises(Invalid):
        seed(lambda s: services.link_directive(s, actor=me(s, cast.chair), decision_id=second.id, directive_id=999999))
    with pytest.raises(Forbidden):
        seed(
            lambda s: services.link_directive(
                s, actor=me(s, cast.moit), decision_id=second.id, directive_id=made.directive_id
            )
        )

    linked = seed(
        lambda s: services.link_directive(
            s, actor=me(s, cast.chair), decision_id=second.id, directive_id=made.directive_id
        )
    )

    assert linked.directive_id == made.directive_id
