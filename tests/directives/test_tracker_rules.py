"""The PMO letter as reference data, milestones, and the directive services' rules and refusals."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from crm.audit.models import AuditEvent
from crm.directives import services
from crm.directives.models import Directive, DirectiveStatus, Milestone, MilestoneRecord, ProgressReport
from crm.errors import Conflict, Forbidden, Invalid
from tests.channel.factories import fresh
from tests.directives.conftest import LETTER

SEED = Path(__file__).resolve().parents[3] / "shared" / "seeds" / "pmo-letter-social-media-coordination-2021-10-04.txt"
OLD = date(2021, 10, 5)  # a "today" long after the letter, for behind-schedule checks


def test_the_letter_is_loaded_with_the_due_dates_the_letter_gives(world):
    d = world.directives
    assert sorted(d) == ["1", "2", "3", "4", "5", "6", "7", "B"]
    assert d["1"].due_date == date(2021, 10, 4)
    assert d["7"].due_date == date(2021, 10, 4)
    assert d["B"].due_date == date(2021, 11, 4)
    assert d["4"].due_date is None
    assert d["2"].due_date is None
    assert d["5"].due_date is None
    assert d["5"].timeline_event is Milestone.NSMCWG_FORMED
    assert d["3"].due_date is None
    assert d["3"].timeline_event is Milestone.FOCAL_PERSON_NOMINATED
    assert all(x.source_date == date(2021, 10, 4) for x in d.values())


@pytest.mark.skipif(not SEED.is_file(), reason="the shared seeds are not beside the work tree")
def test_the_reference_file_is_the_seed_letter_word_for_word():
    seed = SEED.read_text(encoding="utf-8")
    data = json.loads(services.REFERENCE_FILE.read_text(encoding="utf-8"))
    assert data["letter"]["source_ref"] in seed
    for row in data["directives"]:
        assert row["text"] in seed
        line = next(x for x in seed.splitlines() if row["text"] in x)
        assert row["timeline_text"] in line
        assert row["action_by_text"] in line


def test_action_by_words_map_to_organisations(world, seed):
    from crm.directives.queries import get_directive

    got = seed(
        lambda s: {
            k: sorted(o.short_name for o in get_directive(s, d.id).organisations) for k, d in world.directives.items()
        }
    )
    assert got["6"] == sorted(["MoIT", "MoIB", "PTA", "PEMRA", "MoLJ", "CabDiv"])
    assert got["7"] == ["NSD"]
    assert got["B"] == ["MoLJ"]
    assert got["1"] == ["PMO"]
    assert got["2"] == got["3"] == got["4"] == got["5"] == []
    assert world.directives["7"].action_by_text == "NSA (lead)/relevant NSMCWG members"


def test_loading_again_adds_nothing_and_keeps_edits(world, seed):
    def edit_and_reload(session):
        secretariat = fresh(session, world.secretariat)
        b = session.get(Directive, world.directives["B"].id)
        data = services.DirectiveInput(
            source_ref=b.source_ref, source_date=b.source_date, serial="B", text="Edited text", timeline_text="2 months"
        )
        services.update_directive(session, actor=secretariat, directive_id=b.id, version=b.version, data=data)
        return services.load_reference_directives(session), session.get(Directive, b.id)

    added, b = seed(edit_and_reload)
    assert added == 0
    assert b.text == "Edited text"
    assert b.due_date == date(2021, 12, 4)


def test_recording_the_formation_resolves_directions_5_and_6_at_once(world, seed, rows):
    def record(session):
        _, changed = services.record_milestone(
            session,
            actor=fresh(session, world.secretariat),
            milestone=Milestone.NSMCWG_FORMED,
            occurred_on=date(2021, 9, 1),
        )
        return sorted(d.serial for d in changed), {
            s: session.get(Directive, d.id).due_date for s, d in world.directives.items()
        }

    changed, due = seed(record)
    assert changed == ["5", "6"]
    assert due["5"] == due["6"] == date(2021, 9, 1)
    assert due["3"] is None  # waits for the nomination, not the formation


def test_a_member_cannot_record_a_milestone_and_nothing_is_written(world, seed, rows):
    before = rows(MilestoneRecord, Directive)
    with pytest.raises(Forbidden):
        seed(
            lambda s: services.record_milestone(
                s, actor=fresh(s, world.law), milestone=Milestone.NSMCWG_FORMED, occurred_on=date(2021, 9, 1)
            )
        )
    assert rows(MilestoneRecord, Directive) == before


def test_a_future_milestone_is_refused(world, seed):
    with pytest.raises(Invalid) as error:
        seed(
            lambda s: services.record_milestone(
                s, actor=fresh(s, world.chair), milestone=Milestone.NSMCWG_FORMED, occurred_on=date(2100, 1, 1)
            )
        )
    assert "occurred_on" in error.value.fields


def test_behind_schedule_needs_a_reason_for_the_delay(world, seed, rows):
    before = rows(Directive)
    b = world.directives["B"]
    with pytest.raises(Invalid) as error:
        seed(
            lambda s: services.change_status(
                s,
                actor=fresh(s, world.law),
                directive_id=b.id,
                version=b.version,
                status=DirectiveStatus.BEHIND_SCHEDULE,
            )
        )
    assert "delay_reason" in error.value.fields
    assert rows(Directive) == before


def test_an_open_directive_past_its_date_needs_a_reason_even_when_called_on_schedule(world, seed):
    b = world.directives["B"]
    with pytest.raises(Invalid):
        seed(
            lambda s: services.change_status(
                s,
                actor=fresh(s, world.law),
                directive_id=b.id,
                version=b.version,
                status=DirectiveStatus.ON_SCHEDULE,
                today=date(2021, 11, 5),
            )
        )
    done = seed(
        lambda s: services.change_status(
            s,
            actor=fresh(s, world.law),
            directive_id=b.id,
            version=b.version,
            status=DirectiveStatus.ON_SCHEDULE,
            delay_reason="Awaiting vetting",
            today=date(2021, 11, 5),
        )
    )
    assert done.status is DirectiveStatus.ON_SCHEDULE
    assert done.delay_reason == "Awaiting vetting"


def test_a_member_of_another_organisation_cannot_change_the_status(world, seed, rows):
    before = rows(Directive)
    b = world.directives["B"]  # MoLJ's, not MoIT's
    with pytest.raises(Forbidden) as error:
        seed(
            lambda s: services.change_status(
                s, actor=fresh(s, world.moit), directive_id=b.id, version=b.version, status=DirectiveStatus.COMPLETED
            )
        )
    assert error.value.code == "not_action_by"
    assert rows(Directive) == before


def test_a_stale_version_is_a_conflict(world, seed):
    b = world.directives["B"]
    seed(
        lambda s: services.change_status(
            s, actor=fresh(s, world.law), directive_id=b.id, version=b.version, status=DirectiveStatus.COMPLETED
        )
    )
    with pytest.raises(Conflict):
        seed(
            lambda s: services.change_status(
                s, actor=fresh(s, world.law), directive_id=b.id, version=b.version, status=DirectiveStatus.ON_SCHEDULE
            )
        )


def test_progress_reports_come_from_the_action_by_organisations(world, seed, rows):
    b = world.directives["B"]
    molj = world.law.organisation_id
    report = seed(
        lambda s: services.add_progress_report(
            s, actor=fresh(s, world.law), directive_id=b.id, organisation_id=molj, text="Draft amendments circulated."
        )
    )
    assert report.organisation_id == molj
    before = rows(ProgressReport)
    with pytest.raises(Forbidden):
        seed(
            lambda s: services.add_progress_report(
                s,
                actor=fresh(s, world.moit),
                directive_id=b.id,
                organisation_id=world.moit.organisation_id,
                text="Not ours",
            )
        )
    with pytest.raises(Forbidden):
        seed(
            lambda s: services.add_progress_report(
                s, actor=fresh(s, world.observer), directive_id=b.id, organisation_id=molj, text="Read only"
            )
        )
    with pytest.raises(Invalid) as error:  # a member reports for their own organisation only
        seed(
            lambda s: services.add_progress_report(
                s,
                actor=fresh(s, world.moit),
                directive_id=world.directives["6"].id,
                organisation_id=molj,
                text="For someone else",
            )
        )
    assert "organisation_id" in error.value.fields
    assert rows(ProgressReport) == before


def test_only_keepers_create_and_a_serial_is_unique_per_letter(world, seed, rows):
    data = services.DirectiveInput(
        source_ref=LETTER, source_date=date(2021, 10, 4), serial="8", text="New", timeline_text="2 weeks"
    )
    before = rows(Directive)
    with pytest.raises(Forbidden):
        seed(lambda s: services.create_directive(s, actor=fresh(s, world.law), data=data))
    assert rows(Directive) == before
    created = seed(lambda s: services.create_directive(s, actor=fresh(s, world.secretariat), data=data))
    assert created.due_date == date(2021, 10, 18)
    with pytest.raises(Invalid) as error:
        seed(lambda s: services.create_directive(s, actor=fresh(s, world.chair), data=data))
    assert "serial" in error.value.fields


def test_supersede_is_for_keepers_and_is_audited(world, seed, rows):
    one, seven = world.directives["1"], world.directives["7"]
    with pytest.raises(Forbidden):
        seed(
            lambda s: services.supersede_directive(
                s, actor=fresh(s, world.law), directive_id=one.id, version=one.version, superseded_by_id=seven.id
            )
        )
    before = rows(Directive)
    done = seed(
        lambda s: services.supersede_directive(
            s, actor=fresh(s, world.chair), directive_id=one.id, version=one.version, superseded_by_id=seven.id
        )
    )
    assert done.status is DirectiveStatus.SUPERSEDED
    assert done.superseded_by_id == seven.id
    assert rows(Directive)[1] == before[1] + 1  # one audit event
    assert not done.is_overdue(OLD)


def test_every_write_is_audited(world, seed):
    from sqlalchemy import select

    actions = seed(lambda s: list(s.scalars(select(AuditEvent.action).where(AuditEvent.target_type == "directives"))))
    assert actions.count("directive.create") == 8
