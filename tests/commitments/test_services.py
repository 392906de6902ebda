"""The commitment services: who may write, what is valid, versions, verification, evidence.

Every refusal is proven to write nothing: commitments, attachments and audit events are
counted before and after.
"""

from __future__ import annotations

import io
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm.audit.models import AuditEvent
from crm.commitments import services
from crm.commitments.models import Commitment, CommitmentDirection, CommitmentStatus
from crm.engagements.models import Attachment
from crm.errors import Conflict, Forbidden, Invalid, NotFound
from crm.organisations.queries import get_by_short_name
from tests.commitments.factories import close, commitment_input, days, make_commitment
from tests.engagements.factories import log, make_company, make_thread

PDF = b"%PDF-1.7\n" + b"the officer's appointment letter\n" * 20


def tally(session: Session) -> tuple[int, int, int]:
    session.flush()
    return tuple(  # type: ignore[return-value]
        session.scalar(select(func.count()).select_from(model)) or 0 for model in (Commitment, Attachment, AuditEvent)
    )


def last_event(session: Session) -> AuditEvent:
    return session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()


@pytest.mark.parametrize("keeper", ["chair", "secretariat", "focal"])
def test_the_register_keepers_record_a_commitment_and_it_is_audited(session, world, keeper):
    commitment = make_commitment(session, actor=getattr(world, keeper), company_id=world.company.id)

    assert commitment.status is CommitmentStatus.OPEN
    assert commitment.created_by_id == getattr(world, keeper).id
    event = last_event(session)
    assert (event.action, event.target_id) == ("commitment.record", str(commitment.id))
    assert event.after["text"] == commitment.text


@pytest.mark.parametrize("who", ["member", "observer", "admin"])
def test_others_may_not_record_and_nothing_is_written(session, world, who):
    before = tally(session)

    with pytest.raises(Forbidden) as refused:
        make_commitment(session, actor=getattr(world, who), company_id=world.company.id)

    assert refused.value.code == "not_permitted"
    assert tally(session) == before


def test_a_member_who_becomes_focal_person_may_record(session, world):
    # The focal person of the world is a member by role: the designation gives the power.
    assert world.focal.role.value == "member"
    assert make_commitment(session, actor=world.focal, company_id=world.company.id).id


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"text": "   "}, "text"),
        ({"text": "x" * (services.TEXT_MAX + 1)}, "text"),
        ({"party": "p" * 201}, "party"),
        ({"evidence": "e" * (services.EVIDENCE_MAX + 1)}, "evidence"),
        ({"due_date": date(1989, 12, 31)}, "due_date"),
        ({"due_date": date(2101, 1, 1)}, "due_date"),
        ({"company_id": 2_000_000_000}, "company_id"),
        ({"company_id": 2**40}, "company_id"),
        ({"thread_id": 2_000_000_000}, "thread_id"),
        ({"engagement_id": 2_000_000_000}, "engagement_id"),
        ({"organisation_id": 2_000_000_000, "direction": CommitmentDirection.GOVERNMENT_TO_COMPANY}, "organisation_id"),
    ],
)
def test_invalid_input_is_refused_with_a_field_error_and_nothing_written(session, world, overrides, field):
    before = tally(session)

    values = {"company_id": world.company.id, **overrides}

    with pytest.raises(Invalid) as invalid:
        make_commitment(session, actor=world.chair, **values)

    assert field in invalid.value.fields
    assert tally(session) == before


def test_the_engagement_and_thread_must_be_the_companys(session, world):
    other = make_company(session)
    other_thread = make_thread(session, other, world.chair)
    other_meeting = log(session, world.chair, other.id)

    with pytest.raises(Invalid) as invalid:
        make_commitment(session, actor=world.chair, company_id=world.company.id,
                        thread_id=other_thread.id, engagement_id=other_meeting.id)  # fmt: skip

    assert set(invalid.value.fields) == {"thread_id", "engagement_id"}


def test_a_commitment_links_its_engagement_thread_and_delivering_organisation(session, world):
    meeting = log(session, world.chair, world.company.id, thread_id=world.thread.id)
    moit = get_by_short_name(session, "MoIT")

    commitment = make_commitment(
        session, actor=world.chair, company_id=world.company.id, engagement_id=meeting.id, thread_id=world.thread.id,
        direction=CommitmentDirection.GOVERNMENT_TO_COMPANY, organisation_id=moit.id, party="  MoIT  ",
    )  # fmt: skip

    assert (commitment.engagement_id, commitment.thread_id, commitment.organisation_id) == (
        meeting.id, world.thread.id, moit.id,
    )  # fmt: skip
    assert commitment.party == "MoIT"


def test_only_a_government_promise_names_a_delivering_organisation(session, world):
    moit = get_by_short_name(session, "MoIT")

    with pytest.raises(Invalid) as invalid:
        make_commitment(session, actor=world.chair, company_id=world.company.id, organisation_id=moit.id)

    assert "organisation_id" in invalid.value.fields


def test_an_update_keeps_before_and_after_in_the_audit_and_moves_the_version(session, world):
    commitment = make_commitment(session, actor=world.chair, company_id=world.company.id)
    data = commitment_input(world.company.id, text="Open a liaison office in Islamabad.", due_date=days(30))

    services.update_commitment(session, actor=world.secretariat, commitment_id=commitment.id, version=1, data=data)

    assert (commitment.text, commitment.due_date, commitment.version) == (data.text, days(30), 2)
    event = last_event(session)
    assert event.action == "commitment.update"
    assert event.before["text"].startswith("Name a resident")
    assert event.after["text"] == data.text


def test_a_stale_version_is_a_conflict_and_nothing_is_written(session, world):
    commitment = make_commitment(session, actor=world.chair, company_id=world.company.id)
    services.update_commitment(session, actor=world.chair, commitment_id=commitment.id, version=1,
                               data=commitment_input(world.company.id, text="First edit"))  # fmt: skip
    before = tally(session)

    with pytest.raises(Conflict):
        services.update_commitment(session, actor=world.secretariat, commitment_id=commitment.id, version=1,
                                   data=commitment_input(world.company.id, text="Stale edit"))  # fmt: skip

    assert commitment.text == "First edit"
    assert tally(session) == before


def test_a_member_may_not_edit(session, world):
    commitment = make_commitment(session, actor=world.chair, company_id=world.company.id)
    before = tally(session)

    with pytest.raises(Forbidden):
        services.update_commitment(session, actor=world.member, commitment_id=commitment.id, version=1,
                                   data=commitment_input(world.company.id))  # fmt: skip

    assert tally(session) == before


def test_editing_an_unknown_commitment_is_not_found(session, world):
    with pytest.raises(NotFound):
        services.update_commitment(session, actor=world.chair, commitment_id=2_000_000_000, version=1,
                                   data=commitment_input(world.company.id))  # fmt: skip


@pytest.mark.parametrize("status", [s for s in CommitmentStatus if s is not CommitmentStatus.OPEN])
def test_closing_needs_a_note(session, world, status):
    commitment = make_commitment(session, actor=world.chair, company_id=world.company.id)
    before = tally(session)

    with pytest.raises(Invalid) as invalid:
        services.set_commitment_status(session, actor=world.chair, commitment_id=commitment.id, status=status,
                                       note="  ", version=commitment.version)  # fmt: skip

    assert "note" in invalid.value.fields
    assert tally(session) == before


def test_the_same_status_again_is_refused(session, world):
    commitment = make_commitment(session, actor=world.chair, company_id=world.company.id)

    with pytest.raises(Invalid) as invalid:
        services.set_commitment_status(session, actor=world.chair, commitment_id=commitment.id,
                                       status=CommitmentStatus.OPEN, version=None)  # fmt: skip

    assert "status" in invalid.value.fields


def test_a_status_change_is_audited_and_clears_the_verification(session, world):
    commitment = make_commitment(session, actor=world.chair, company_id=world.company.id)
    close(session, actor=world.secretariat, commitment=commitment, status=CommitmentStatus.FULFILLED)
    services.verify_commitment(session, actor=world.chair, commitment_id=commitment.id, version=commitment.version)
    assert commitment.verified_by_id == world.chair.id

    services.set_commitment_status(session, actor=world.focal, commitment_id=commitment.id,
                                   status=CommitmentStatus.OPEN, note="", version=commitment.version)  # fmt: skip

    assert (commitment.status, commitment.verified_by_id, commitment.verified_at) == (CommitmentStatus.OPEN, None, None)
    event = last_event(session)
    assert event.action == "commitment.set_status"
    assert event.before["verified_by_id"] == world.chair.id
    assert event.after["status"] == "open"


def test_a_member_may_not_change_the_status(session, world):
    commitment = make_commitment(session, actor=world.chair, company_id=world.company.id)
    before = tally(session)

    with pytest.raises(Forbidden):
        close(session, actor=world.member, commitment=commitment, status=CommitmentStatus.BREACHED)

    assert commitment.status is CommitmentStatus.OPEN
    assert tally(session) == before


@pytest.mark.parametrize("verifier", ["chair", "focal"])
def test_the_chair_or_focal_person_verifies_an_outcome(session, world, verifier):
    commitment = make_commitment(session, actor=world.chair, company_id=world.company.id)
    close(session, actor=world.chair, commitment=commitment, status=CommitmentStatus.PARTIALLY_FULFILLED)

    services.verify_commitment(session, actor=getattr(world, verifier), commitment_id=commitment.id, version=None)

    assert commitment.verified_by_id == getattr(world, verifier).id
    assert commitment.verified_at is not None
    assert last_event(session).action == "commitment.verify"


@pytest.mark.parametrize("who", ["secretariat", "member", "observer", "admin"])
def test_no_one_else_verifies_and_nothing_is_written(session, world, who):
    commitment = make_commitment(session, actor=world.chair, company_id=world.company.id)
    close(session, actor=world.chair, commitment=commitment, status=CommitmentStatus.FULFILLED)
    before = tally(session)

    with pytest.raises(Forbidden) as refused:
        services.verify_commitment(session, actor=getattr(world, who), commitment_id=commitment.id, version=None)

    assert refused.value.code == "not_verifier"
    assert commitment.verified_at is None
    assert tally(session) == before


def test_an_open_commitment_cannot_be_verified(session, world):
    commitment = make_commitment(session, actor=world.chair, company_id=world.company.id)
    before = tally(session)

    with pytest.raises(Invalid) as invalid:
        services.verify_commitment(session, actor=world.chair, commitment_id=commitment.id, version=None)

    assert "status" in invalid.value.fields
    assert tally(session) == before


def test_verifying_twice_or_with_a_stale_version_is_a_conflict(session, world):
    commitment = make_commitment(session, actor=world.chair, company_id=world.company.id)
    close(session, actor=world.chair, commitment=commitment, status=CommitmentStatus.BREACHED)
    stale = commitment.version - 1

    with pytest.raises(Conflict):
        services.verify_commitment(session, actor=world.chair, commitment_id=commitment.id, version=stale)
    services.verify_commitment(session, actor=world.chair, commitment_id=commitment.id, version=None)
    before = tally(session)
    with pytest.raises(Conflict):
        services.verify_commitment(session, actor=world.focal, commitment_id=commitment.id, version=None)

    assert commitment.verified_by_id == world.chair.id
    assert tally(session) == before


def test_evidence_files_are_attached_by_keepers_and_opened_by_readers(session, world, store):
    commitment = make_commitment(session, actor=world.chair, company_id=world.company.id)
    stored = store.save(io.BytesIO(PDF), "appointment.pdf")

    attachment = services.attach_evidence(session, actor=world.secretariat, commitment_id=commitment.id, stored=stored)

    assert (attachment.commitment_id, attachment.engagement_id, attachment.filename) == (
        commitment.id, None, "appointment.pdf",
    )  # fmt: skip
    assert last_event(session).after["commitment_id"] == commitment.id
    opened = services.open_evidence(session, actor=world.observer, attachment_id=attachment.id)
    assert opened.id == attachment.id
    assert last_event(session).action == "attachment.read"


def test_a_member_may_not_attach_evidence(session, world, store):
    commitment = make_commitment(session, actor=world.chair, company_id=world.company.id)
    stored = store.save(io.BytesIO(PDF), "appointment.pdf")
    before = tally(session)

    with pytest.raises(Forbidden):
        services.attach_evidence(session, actor=world.member, commitment_id=commitment.id, stored=stored)

    assert tally(session) == before


def test_an_admin_may_not_open_evidence_and_engagement_files_are_not_evidence(session, world, store):
    commitment = make_commitment(session, actor=world.chair, company_id=world.company.id)
    evidence = services.attach_evidence(session, actor=world.chair, commitment_id=commitment.id,
                                        stored=store.save(io.BytesIO(PDF), "a.pdf"))  # fmt: skip
    from crm.engagements.services import add_attachment

    meeting = log(session, world.chair, world.company.id)
    engagement_file = add_attachment(session, actor=world.chair, engagement_id=meeting.id,
                                     stored=store.save(io.BytesIO(PDF), "b.pdf"))  # fmt: skip

    with pytest.raises(Forbidden):
        services.open_evidence(session, actor=world.admin, attachment_id=evidence.id)
    with pytest.raises(NotFound):
        services.open_evidence(session, actor=world.chair, attachment_id=engagement_file.id)
