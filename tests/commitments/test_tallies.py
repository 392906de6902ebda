"""The commitment tallies the board counts from: kept equal to the commitments on every write.

Each test compares the stored tallies with a recount of the commitments themselves, after
writes through the real services (record, edit, close, reopen), after a refused write and a
rollback (which must leave the tallies as they were), after a change of an attribute that
was never loaded, and after a random run of all of these.
"""

from __future__ import annotations

import random
from datetime import date

import pytest
from flask.testing import FlaskCliRunner
from sqlalchemy import select, update
from sqlalchemy.orm import Session, load_only

from crm.commitments import queries, tallies
from crm.commitments.models import Commitment, CommitmentDirection, CommitmentStatus, CommitmentTally
from crm.commitments.services import set_commitment_status, update_commitment
from crm.errors import Invalid
from tests.commitments.factories import close, commitment_input, days, make_commitment
from tests.engagements.factories import make_company

OPEN, FULFILLED, BREACHED = CommitmentStatus.OPEN, CommitmentStatus.FULFILLED, CommitmentStatus.BREACHED
THEIRS, OURS = CommitmentDirection.COMPANY_TO_GOVERNMENT, CommitmentDirection.GOVERNMENT_TO_COMPANY


def assert_in_step(session: Session) -> None:
    session.flush()
    assert tallies.drifted(session.connection()) == {}


def stored(session: Session) -> dict[tuple[int, str, str], int]:
    session.flush()
    return {(row["company_id"], row["direction"], row["status"]): row["count"]
            for row in tallies.stored(session.connection())}  # fmt: skip


def test_recording_closing_and_reopening_move_one_count(session, world):
    company = world.company.id
    first = make_commitment(session, actor=world.chair, company_id=company)
    make_commitment(session, actor=world.chair, company_id=company, direction=OURS)

    assert stored(session) == {(company, THEIRS.value, OPEN.value): 1, (company, OURS.value, OPEN.value): 1}

    close(session, actor=world.chair, commitment=first, status=FULFILLED)
    assert stored(session) == {(company, THEIRS.value, FULFILLED.value): 1, (company, OURS.value, OPEN.value): 1}

    close(session, actor=world.chair, commitment=first, status=OPEN)
    assert stored(session)[(company, THEIRS.value, OPEN.value)] == 1
    assert_in_step(session)


def test_editing_company_and_direction_moves_the_count(session, world):
    other = make_company(session)
    commitment = make_commitment(session, actor=world.chair, company_id=world.company.id)

    update_commitment(session, actor=world.chair, commitment_id=commitment.id, version=None,
                      data=commitment_input(other.id, direction=OURS, text=commitment.text))  # fmt: skip

    assert stored(session) == {(other.id, OURS.value, OPEN.value): 1}
    assert_in_step(session)


def test_a_refused_status_change_leaves_the_tallies_as_they_were(session, world):
    commitment = make_commitment(session, actor=world.chair, company_id=world.company.id)
    before = stored(session)

    with pytest.raises(Invalid):  # closing needs a note
        set_commitment_status(session, actor=world.chair, commitment_id=commitment.id, status=BREACHED, note="",
                              version=None)  # fmt: skip

    assert stored(session) == before


def test_a_rolled_back_write_takes_its_counts_with_it(session, world):
    make_commitment(session, actor=world.chair, company_id=world.company.id)
    before = stored(session)
    savepoint = session.begin_nested()
    make_commitment(session, actor=world.chair, company_id=world.company.id)
    session.flush()
    assert stored(session) != before

    savepoint.rollback()

    assert stored(session) == before
    assert_in_step(session)


def test_a_change_to_an_attribute_never_loaded_still_knows_the_old_count(session, world):
    commitment_id = make_commitment(session, actor=world.chair, company_id=world.company.id).id
    session.flush()
    session.expunge_all()
    partial = session.scalars(select(Commitment).options(load_only(Commitment.id, Commitment.text))
                              .where(Commitment.id == commitment_id)).one()  # fmt: skip

    partial.status, partial.status_note = BREACHED, "Missed"
    session.flush()

    assert stored(session) == {(world.company.id, THEIRS.value, BREACHED.value): 1}
    assert_in_step(session)


def test_deleting_a_commitment_takes_its_count_away(session, world):
    kept = make_commitment(session, actor=world.chair, company_id=world.company.id)
    gone = make_commitment(session, actor=world.chair, company_id=world.company.id, direction=OURS)
    session.flush()
    session.expire(gone)  # its columns must be read before the row goes

    session.delete(gone)

    assert stored(session) == {(kept.company_id, THEIRS.value, OPEN.value): 1}
    assert_in_step(session)


def test_a_random_run_of_writes_keeps_the_tallies_in_step(session, world):
    rng = random.Random(8)  # noqa: S311 (test data)
    companies = [world.company.id, make_company(session).id, make_company(session).id]
    made: list[Commitment] = []
    for _ in range(40):
        action = rng.choice(["record", "close", "reopen", "edit"] if made else ["record"])
        if action == "record":
            due = days(rng.randint(-30, 30))
            made.append(make_commitment(session, actor=world.chair, company_id=rng.choice(companies),
                                        direction=rng.choice([THEIRS, OURS]), due_date=due))  # fmt: skip
        elif action == "edit":
            target = rng.choice(made)
            update_commitment(session, actor=world.chair, commitment_id=target.id, version=None,
                              data=commitment_input(rng.choice(companies), direction=rng.choice([THEIRS, OURS]),
                                                    text=target.text, due_date=target.due_date))  # fmt: skip
        else:
            target = rng.choice(made)
            wanted = OPEN if action == "reopen" else rng.choice([FULFILLED, BREACHED])
            if wanted is not target.status:
                close(session, actor=world.chair, commitment=target, status=wanted)
        assert_in_step(session)


def test_the_board_counts_agree_with_the_commitments(session, world):
    today = queries.today()
    company = world.company.id
    for due in (days(-3), days(-1), days(0), days(5), None):
        make_commitment(session, actor=world.chair, company_id=company, due_date=due)
    late_closed = make_commitment(session, actor=world.chair, company_id=company, due_date=days(-9))
    close(session, actor=world.chair, commitment=late_closed, status=FULFILLED)
    make_commitment(session, actor=world.chair, company_id=company, direction=OURS, due_date=days(-2))
    session.flush()

    counts = queries.open_and_overdue(session, on=today)
    totals, overdue = queries.status_totals(session, on=today)

    assert counts[(company, THEIRS)] == queries.DirectionCounts(open=5, overdue=2)
    assert counts[(company, OURS)] == queries.DirectionCounts(open=1, overdue=1)
    assert queries.company_counts(session, company, on=today)[OURS].overdue == 1
    assert (totals[OPEN], totals[FULFILLED], overdue) == (6, 1, 3)
    assert queries.status_totals(session, on=date(2000, 1, 1))[1] == 0


def test_recount_repairs_tallies_written_around_the_app(session, world, app, runner: FlaskCliRunner):
    make_commitment(session, actor=world.chair, company_id=world.company.id)
    session.execute(update(CommitmentTally).values(count=CommitmentTally.count + 7))  # a bulk write's drift
    session.commit()

    result = runner.invoke(args=["commitments", "recount"])

    assert result.exit_code == 0, result.output
    assert "they had drifted" in result.output
    session.expire_all()
    assert_in_step(session)
    again = runner.invoke(args=["commitments", "recount"])
    assert "unchanged" in again.output
