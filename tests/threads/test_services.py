"""Thread services: who may write, what is validated, the stage rules, history and audit."""

from __future__ import annotations

import itertools
from datetime import date

import pytest
from sqlalchemy import func, select, update

from crm.accounts.models import Role
from crm.accounts.services import set_user_active
from crm.audit.models import AuditEvent
from crm.companies.models import Priority
from crm.designations.models import DesignationKind
from crm.designations.queries import active_designation
from crm.designations.services import end_designation
from crm.errors import Conflict, Forbidden, Invalid, NotFound
from crm.organisations.queries import get_by_short_name
from crm.threads import policy, queries
from crm.threads.models import Stage, StageChange, Thread, thread_companies
from crm.threads.services import ThreadInput, change_stage, create_thread, update_thread
from tests.factories import make_user
from tests.threads.factories import make_company, make_focal_person, make_thread


def totals(session) -> tuple[int, int, int, int]:
    return tuple(
        session.scalar(select(func.count()).select_from(table)) or 0
        for table in (Thread, StageChange, AuditEvent, thread_companies)
    )


def last_event(session) -> AuditEvent:
    return session.scalar(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1))


@pytest.fixture
def chair(session):
    return make_user(session, role=Role.CHAIR, org="NSD")


@pytest.fixture
def google(session):
    return make_company(session, "Google")


@pytest.fixture
def meta(session):
    return make_company(session, "Meta")


@pytest.fixture
def thread(session, chair, google):
    return make_thread(session, actor=chair, companies=[google], title="Google liaison office in Pakistan")


def full_input(session, companies, **overrides) -> ThreadInput:
    values = {
        "title": "  Google liaison office in Pakistan  ",
        "company_ids": [c.id for c in companies],
        "objective": "A liaison office in Islamabad with a resident compliance officer.",
        "our_ask": "Open the office by June.",
        "their_position": "Considering it after the data rules are settled.",
        "priority": Priority.HIGH,
        "lead_organisation_id": get_by_short_name(session, "MoIT").id,
        "target_date": date(2026, 6, 30),
        "next_step": "Send the draft MoU",
        "next_step_owner_id": None,
    }
    return ThreadInput(**(values | overrides))


# Creating


def test_chair_opens_a_thread_with_two_companies_and_its_first_stage(session, chair, google, meta):
    before = totals(session)

    thread = create_thread(session, actor=chair, data=full_input(session, [google, meta], next_step_owner_id=chair.id))

    assert thread.title == "Google liaison office in Pakistan"
    assert {c.name for c in thread.companies} == {"Google", "Meta"}
    assert (thread.stage, thread.priority, thread.created_by_id) == (Stage.IDENTIFIED, Priority.HIGH, chair.id)
    assert type(thread.priority) is Priority
    assert thread.target_date == date(2026, 6, 30)
    history = queries.stage_history(session, thread.id)
    assert [(h.from_stage, h.to_stage, h.changed_by_id) for h in history] == [(None, Stage.IDENTIFIED, chair.id)]
    assert totals(session) == (before[0] + 1, before[1] + 1, before[2] + 1, before[3] + 2)
    event = last_event(session)
    assert (event.action, event.target_type, event.target_id) == ("thread.create", "threads", str(thread.id))
    assert event.after["company_ids"] == sorted([google.id, meta.id])
    assert event.after["stage"] == "identified"


@pytest.mark.parametrize("role", [Role.CHAIR, Role.SECRETARIAT])
def test_register_keepers_may_open_threads(session, google, role):
    actor = make_user(session, role=role)

    assert make_thread(session, actor=actor, companies=[google]).id


def test_the_focal_person_may_open_threads(session, google):
    focal = make_focal_person(session)

    assert make_thread(session, actor=focal, companies=[google]).created_by_id == focal.id


@pytest.mark.parametrize("role", [Role.MEMBER, Role.OBSERVER, Role.ADMIN])
def test_others_are_refused_and_nothing_is_written(session, google, role):
    actor = make_user(session, role=role)
    before = totals(session)

    with pytest.raises(Forbidden) as refused:
        create_thread(session, actor=actor, data=full_input(session, [google]))

    assert refused.value.code == "not_permitted"
    assert totals(session) == before


def test_a_former_focal_person_is_refused(session, google):
    focal = make_focal_person(session)
    designation = active_designation(session, DesignationKind.FOCAL_PERSON)
    chair = session.get(type(focal), designation.recorded_by_id)
    end_designation(session, actor=chair, designation_id=designation.id, version=designation.version)
    before = totals(session)

    with pytest.raises(Forbidden):
        create_thread(session, actor=focal, data=full_input(session, [google]))
    assert totals(session) == before


def test_a_deactivated_chair_is_refused(session, google):
    chair = make_user(session, role=Role.CHAIR)
    set_user_active(session, actor=None, user_id=chair.id, active=False)

    with pytest.raises(Forbidden):
        create_thread(session, actor=chair, data=full_input(session, [google]))


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": "   "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"company_ids": []}, "company_ids"),
        ({"company_ids": [987654]}, "company_ids"),
        ({"company_ids": [10**23]}, "company_ids"),
        ({"company_ids": [-1]}, "company_ids"),
        ({"lead_organisation_id": 987654}, "lead_organisation_id"),
        ({"lead_organisation_id": 10**23}, "lead_organisation_id"),
        ({"next_step_owner_id": 987654}, "next_step_owner_id"),
        ({"next_step_owner_id": 10**23}, "next_step_owner_id"),
        ({"next_step": "x" * 501}, "next_step"),
        ({"objective": "x" * 20_001}, "objective"),
        ({"our_ask": "x" * 20_001}, "our_ask"),
        ({"their_position": "x" * 20_001}, "their_position"),
    ],
)
def test_invalid_input_is_refused_with_field_errors_and_nothing_written(session, chair, google, overrides, field):
    before = totals(session)

    with pytest.raises(Invalid) as invalid:
        create_thread(session, actor=chair, data=full_input(session, [google], **overrides))

    assert field in invalid.value.fields
    assert totals(session) == before


def test_all_field_errors_are_reported_at_once(session, chair):
    with pytest.raises(Invalid) as invalid:
        create_thread(session, actor=chair, data=ThreadInput(title="", company_ids=[], next_step="x" * 501))

    assert {"title", "company_ids", "next_step"} <= set(invalid.value.fields)


def test_a_deactivated_user_cannot_own_the_next_step(session, chair, google):
    former = make_user(session)
    set_user_active(session, actor=None, user_id=former.id, active=False)

    with pytest.raises(Invalid) as invalid:
        create_thread(session, actor=chair, data=full_input(session, [google], next_step_owner_id=former.id))
    assert "next_step_owner_id" in invalid.value.fields


def test_a_company_named_twice_is_linked_once(session, chair, google):
    thread = create_thread(session, actor=chair, data=full_input(session, [google, google]))

    assert [c.id for c in thread.companies] == [google.id]


def test_a_thread_may_open_at_a_later_stage(session, chair, google):
    thread = make_thread(session, actor=chair, companies=[google], stage=Stage.NEGOTIATING)

    history = queries.stage_history(session, thread.id)
    assert [(h.from_stage, h.to_stage) for h in history] == [(None, Stage.NEGOTIATING)]


@pytest.mark.parametrize("stage", [Stage.CLOSED, Stage.ABANDONED])
def test_opening_as_closed_or_abandoned_needs_a_note(session, chair, google, stage):
    before = totals(session)

    with pytest.raises(Invalid) as invalid:
        create_thread(session, actor=chair, data=full_input(session, [google]), stage=stage, note="  ")

    assert "note" in invalid.value.fields
    assert totals(session) == before


# Editing


def test_update_changes_every_field_but_the_stage_and_is_audited(session, chair, thread, google, meta):
    owner = make_user(session, role=Role.SECRETARIAT)
    before, version = totals(session), thread.version

    data = full_input(session, [meta], title="Meta data localisation", next_step_owner_id=owner.id)
    updated = update_thread(session, actor=chair, thread_id=thread.id, version=version, data=data)

    assert updated.title == "Meta data localisation"
    assert [c.name for c in updated.companies] == ["Meta"]
    assert (updated.priority, updated.next_step_owner_id, updated.stage) == (Priority.HIGH, owner.id, Stage.IDENTIFIED)
    assert updated.version == version + 1
    event = last_event(session)
    assert event.action == "thread.update"
    assert event.before["company_ids"] == [google.id]
    assert event.after["company_ids"] == [meta.id]
    assert event.after["title"] == "Meta data localisation"
    after = totals(session)
    assert (after[0], after[1], after[2]) == (before[0], before[1], before[2] + 1)


def test_changing_only_the_companies_moves_the_version(session, chair, thread, google, meta):
    version = thread.version
    data = ThreadInput.of(thread)
    data.company_ids = [google.id, meta.id]

    updated = update_thread(session, actor=chair, thread_id=thread.id, version=version, data=data)

    assert updated.version == version + 1


def test_a_stale_version_is_a_conflict_and_changes_nothing(session, chair, thread, google):
    stale = thread.version
    update_thread(session, actor=chair, thread_id=thread.id, version=stale, data=full_input(session, [google]))
    before = totals(session)

    with pytest.raises(Conflict) as conflict:
        update_thread(
            session,
            actor=chair,
            thread_id=thread.id,
            version=stale,
            data=full_input(session, [google], title="Overwritten"),
        )

    assert conflict.value.code == "version_conflict"
    assert session.get(Thread, thread.id).title == "Google liaison office in Pakistan"
    assert totals(session) == before


def test_a_member_cannot_edit_a_thread(session, thread, google):
    member = make_user(session)
    before = totals(session)

    with pytest.raises(Forbidden) as refused:
        update_thread(
            session,
            actor=member,
            thread_id=thread.id,
            version=thread.version,
            data=full_input(session, [google], title="Mine now"),
        )

    assert refused.value.code == "not_permitted"
    assert session.get(Thread, thread.id).title != "Mine now"
    assert totals(session) == before


@pytest.mark.parametrize("thread_id", [987654, 10**23, 0])
def test_editing_an_unknown_thread_is_not_found(session, chair, google, thread_id):
    with pytest.raises(NotFound):
        update_thread(session, actor=chair, thread_id=thread_id, version=1, data=full_input(session, [google]))


def test_invalid_edit_is_refused_and_nothing_changes(session, chair, thread):
    before, version = totals(session), thread.version

    with pytest.raises(Invalid) as invalid:
        update_thread(
            session, actor=chair, thread_id=thread.id, version=version, data=ThreadInput(title="", company_ids=[])
        )

    assert {"title", "company_ids"} <= set(invalid.value.fields)
    assert totals(session) == before
    assert thread.version == version


# Stages


def test_change_stage_records_who_when_from_to_and_why(session, chair, thread):
    version = thread.version

    change = change_stage(
        session,
        actor=chair,
        thread_id=thread.id,
        stage=Stage.OUTREACH,
        note="  Letter sent to Google's Asia-Pacific policy head.  ",
        version=version,
    )

    assert (change.from_stage, change.to_stage, change.changed_by_id) == (Stage.IDENTIFIED, Stage.OUTREACH, chair.id)
    assert change.note == "Letter sent to Google's Asia-Pacific policy head."
    assert change.changed_at is not None
    assert (thread.stage, thread.version) == (Stage.OUTREACH, version + 1)
    event = last_event(session)
    assert event.action == "thread.change_stage"
    assert (event.before, event.after["stage"]) == ({"stage": "identified"}, "outreach")


STAGE_PAIRS = [(a, b) for a, b in itertools.product(Stage, Stage) if a is not b]


@pytest.mark.parametrize(("start", "target"), STAGE_PAIRS, ids=[f"{a.value}-{b.value}" for a, b in STAGE_PAIRS])
def test_any_stage_may_follow_any_other(session, chair, google, start, target):
    thread = make_thread(session, actor=chair, companies=[google], stage=start)

    change_stage(
        session,
        actor=chair,
        thread_id=thread.id,
        stage=target,
        note="Decided at the WG meeting.",
        version=thread.version,
    )

    assert thread.stage is target


@pytest.mark.parametrize("stage", list(Stage))
def test_moving_to_the_same_stage_is_refused(session, chair, google, stage):
    thread = make_thread(session, actor=chair, companies=[google], stage=stage)
    before = totals(session)

    with pytest.raises(Invalid) as invalid:
        change_stage(session, actor=chair, thread_id=thread.id, stage=stage, note="Again", version=thread.version)

    assert "stage" in invalid.value.fields
    assert totals(session) == before


@pytest.mark.parametrize("stage", [Stage.CLOSED, Stage.ABANDONED])
@pytest.mark.parametrize("note", ["", "   \n "])
def test_closing_or_abandoning_needs_a_note(session, chair, thread, stage, note):
    before = totals(session)

    with pytest.raises(Invalid) as invalid:
        change_stage(session, actor=chair, thread_id=thread.id, stage=stage, note=note, version=thread.version)

    assert "note" in invalid.value.fields
    assert thread.stage is Stage.IDENTIFIED
    assert totals(session) == before


@pytest.mark.parametrize("stage", [Stage.OUTREACH, Stage.STALLED, Stage.CONCLUDED])
def test_other_stages_need_no_note(session, chair, thread, stage):
    change = change_stage(session, actor=chair, thread_id=thread.id, stage=stage, version=thread.version)

    assert change.note == ""


def test_a_too_long_note_is_refused(session, chair, thread):
    with pytest.raises(Invalid) as invalid:
        change_stage(
            session, actor=chair, thread_id=thread.id, stage=Stage.CLOSED, note="x" * 501, version=thread.version
        )

    assert "note" in invalid.value.fields


def test_a_stale_stage_change_is_a_conflict_and_writes_nothing(session, chair, thread):
    stale = thread.version
    change_stage(session, actor=chair, thread_id=thread.id, stage=Stage.OUTREACH, version=stale)
    before = totals(session)

    with pytest.raises(Conflict):
        change_stage(session, actor=chair, thread_id=thread.id, stage=Stage.STALLED, version=stale)

    assert thread.stage is Stage.OUTREACH
    assert totals(session) == before


@pytest.mark.parametrize("role", [Role.MEMBER, Role.OBSERVER, Role.ADMIN])
def test_only_register_keepers_change_stages(session, thread, role):
    actor = make_user(session, role=role)
    before = totals(session)

    with pytest.raises(Forbidden) as refused:
        change_stage(session, actor=actor, thread_id=thread.id, stage=Stage.OUTREACH, version=thread.version)

    assert refused.value.code == "not_permitted"
    assert thread.stage is Stage.IDENTIFIED
    assert totals(session) == before


def test_the_focal_person_changes_stages(session, thread):
    focal = make_focal_person(session)

    assert change_stage(session, actor=focal, thread_id=thread.id, stage=Stage.OUTREACH, version=thread.version)


def test_the_history_is_complete_and_chained(session, chair, thread):
    for stage, note in ((Stage.OUTREACH, ""), (Stage.STALLED, "No reply"), (Stage.ABANDONED, "Company withdrew")):
        change_stage(session, actor=chair, thread_id=thread.id, stage=stage, note=note, version=thread.version)

    history = queries.stage_history(session, thread.id)

    assert [h.to_stage for h in history] == [Stage.IDENTIFIED, Stage.OUTREACH, Stage.STALLED, Stage.ABANDONED]
    assert history[0].from_stage is None
    assert all(later.from_stage is earlier.to_stage for earlier, later in itertools.pairwise(history))
    assert history[-1].note == "Company withdrew"


# Policy


@pytest.mark.parametrize(
    ("stage", "target", "overdue"),
    [
        (Stage.NEGOTIATING, date(2026, 1, 1), True),
        (Stage.NEGOTIATING, date(2026, 1, 2), False),
        (Stage.NEGOTIATING, None, False),
        (Stage.STALLED, date(2025, 1, 1), True),
        (Stage.CLOSED, date(2025, 1, 1), False),
        (Stage.ABANDONED, date(2025, 1, 1), False),
    ],
)
def test_overdue_means_past_target_while_open(stage, target, overdue):
    thread = Thread(stage=stage, target_date=target)

    assert policy.is_overdue(thread, date(2026, 1, 2)) is overdue


def test_the_board_has_every_stage_once_in_pipeline_order():
    assert policy.BOARD_COLUMNS[:7] == (
        Stage.IDENTIFIED,
        Stage.OUTREACH,
        Stage.NEGOTIATING,
        Stage.AGREEMENT_IN_PRINCIPLE,
        Stage.CONCLUDED,
        Stage.IMPLEMENTING,
        Stage.CLOSED,
    )
    assert policy.BOARD_COLUMNS[7:] == (Stage.STALLED, Stage.ABANDONED)
    assert set(policy.BOARD_COLUMNS) == set(Stage)


# A save racing another one (between reading the version and writing) is still a conflict.


def _bump_version_behind_the_session(session, thread_id):
    session.execute(
        update(Thread)
        .where(Thread.id == thread_id)
        .values(version=Thread.version + 1)
        .execution_options(synchronize_session=False)
    )


def test_a_racing_stage_change_is_a_conflict_that_leaves_no_history(session, chair, thread):
    _bump_version_behind_the_session(session, thread.id)
    before = totals(session)

    with pytest.raises(Conflict), session.begin_nested():
        change_stage(session, actor=chair, thread_id=thread.id, stage=Stage.OUTREACH, version=None)

    assert totals(session) == before


def test_a_racing_edit_is_a_conflict(session, chair, thread, google):
    _bump_version_behind_the_session(session, thread.id)
    before = totals(session)

    with pytest.raises(Conflict), session.begin_nested():
        update_thread(session, actor=chair, thread_id=thread.id, version=None, data=full_input(session, [google]))

    assert totals(session) == before
