"""What each reader's brief contains: minutes only under R5, the marking the highest
classification shown, and the weekly sections. Built through the same queries and PDF code
the pages use; the PDF's text is extracted from its bytes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.exc import InvalidRequestError

from crm.accounts.models import Clearance
from crm.commitments.models import CommitmentStatus
from crm.commitments.queries import today
from crm.db import utcnow
from crm.reports import pdf, queries, weekly
from crm.threads.models import Stage
from crm.threads.services import change_stage
from tests.commitments.factories import close, make_commitment
from tests.dashboard.factories import add_exception, add_late_directive
from tests.engagements.factories import build_world
from tests.notes.factories import granted
from tests.reports.factories import CONFIDENTIAL_WORD, SECRET_WORD, confidential_meeting, secret_meeting
from tests.reports.pdftext import page_count, pdf_text


@pytest.fixture
def world(session):
    built = build_world(session)
    secret_meeting(session, built)
    confidential_meeting(session, built)
    session.flush()
    session.expunge_all()  # the briefs load what they need, as a new request would
    return built


def weekly_for(session, reader):
    access = queries.minutes_access(session, reader=reader, now=utcnow())
    return weekly.weekly_brief(session, access=access, today=today())


def company_for(session, reader, company_id):
    access = queries.minutes_access(session, reader=reader, now=utcnow())
    return queries.company_brief(session, company_id=company_id, access=access, today=today())


def weekly_text(brief, reader) -> tuple[str, int]:
    body = pdf.weekly_document(brief, reader=reader.full_name, now=utcnow()).output()
    return pdf_text(body), page_count(body)


def minutes_shown(brief) -> str:
    return " ".join(b.minutes or "" for b in brief.engagements)


def test_the_chair_cleared_secret_reads_every_minute_and_the_brief_is_marked_secret(session, world):
    brief = weekly_for(session, session.merge(world.chair))
    assert brief.marking is Clearance.SECRET
    assert SECRET_WORD in minutes_shown(brief)
    assert CONFIDENTIAL_WORD in minutes_shown(brief)

    text, pages = weekly_text(brief, world.chair)
    assert SECRET_WORD in text
    assert CONFIDENTIAL_WORD in text
    assert text.splitlines().count("SECRET") == 2 * pages  # top and bottom of every page


def test_the_secretariat_cleared_confidential_gets_a_confidential_brief_without_the_secret(session, world):
    brief = weekly_for(session, session.merge(world.secretariat))
    text, _ = weekly_text(brief, world.secretariat)
    assert brief.marking is Clearance.CONFIDENTIAL
    assert CONFIDENTIAL_WORD in text
    assert SECRET_WORD not in text
    assert "Liaison office terms" in text  # that the meeting happened is for everyone (R5)
    assert "Minutes withheld: classified above your clearance." in text


def test_the_observer_gets_subjects_and_summaries_only_and_an_unclassified_brief(session, world):
    observer = session.merge(world.observer)
    brief = weekly_for(session, observer)
    text, pages = weekly_text(brief, observer)

    assert brief.marking is Clearance.UNCLASSIFIED
    assert brief.minutes_shown == []
    assert SECRET_WORD not in text
    assert CONFIDENTIAL_WORD not in text
    assert "Liaison office terms" in text
    assert "Terms of the liaison office were discussed." in text
    assert text.splitlines().count("UNCLASSIFIED") == 2 * pages
    assert "Copy for" not in text  # no minutes quoted, no reader watermark needed
    with pytest.raises(InvalidRequestError):  # the refused minutes were never loaded
        _ = brief.engagements[0].engagement.minutes


def test_a_notes_grant_opens_exactly_the_granted_minutes(session, world):
    observer = session.merge(world.observer)
    meeting = next(b.engagement for b in weekly_for(session, observer).engagements if b.engagement.subject ==
                   "Compliance officer")  # fmt: skip
    granted(session, requester=observer, decider=session.merge(world.focal), engagement=meeting)

    brief = weekly_for(session, observer)
    assert CONFIDENTIAL_WORD in minutes_shown(brief)
    assert SECRET_WORD not in minutes_shown(brief)
    assert brief.marking is Clearance.CONFIDENTIAL
    text, _ = weekly_text(brief, observer)
    assert f"Copy for {observer.full_name}" in text  # quoted minutes carry the reader's name


def test_the_company_brief_follows_the_same_rule(session, world):
    chair, observer = session.merge(world.chair), session.merge(world.observer)
    for_chair = company_for(session, chair, world.company.id)
    for_observer = company_for(session, observer, world.company.id)
    chair_text = pdf_text(pdf.company_document(for_chair, [("Jan 26", 2)], reader="C", now=utcnow(),
                                               last_contact="x").output())  # fmt: skip
    observer_text = pdf_text(pdf.company_document(for_observer, [("Jan 26", 2)], reader="O", now=utcnow(),
                                                  last_contact="x").output())  # fmt: skip

    assert for_chair.marking is Clearance.SECRET
    assert SECRET_WORD in chair_text
    assert for_observer.marking is Clearance.UNCLASSIFIED
    assert SECRET_WORD not in observer_text
    assert "Liaison office terms" in observer_text
    assert "UNCLASSIFIED" in observer_text


def test_an_unknown_company_has_no_brief(session, world):
    assert company_for(session, session.merge(world.chair), 987654) is None


def test_the_weekly_brief_gathers_the_weeks_changes_and_the_coming_deadlines(session, world):
    chair = session.merge(world.chair)
    made = make_commitment(session, actor=chair, company_id=world.company.id, text="Open a liaison office.",
                           due_date=today() + timedelta(days=3))  # fmt: skip
    late = make_commitment(session, actor=chair, company_id=world.company.id, text="Register with the PTA.",
                           due_date=today() - timedelta(days=2))  # fmt: skip
    kept = make_commitment(session, actor=chair, company_id=world.company.id, text="Name an officer.")
    close(session, actor=chair, commitment=kept, status=CommitmentStatus.FULFILLED)
    change_stage(session, actor=chair, thread_id=world.thread.id, stage=Stage.OUTREACH, note="Letter sent",
                 version=None)  # fmt: skip
    add_late_directive(session, world, text="Designate one focal person")
    add_exception(session, world, session.merge(world.company), who="An official of MoX")

    brief = weekly_for(session, chair)

    assert made.id in {c.id for c in brief.made}
    assert kept.id in {c.id for c in brief.closed}
    assert late.id in {c.id for c in brief.overdue}
    assert late.id not in {c.id for c in brief.closed}
    assert [(s.from_stage, s.to_stage) for s in brief.stage_changes][0] == (Stage.IDENTIFIED, Stage.OUTREACH)
    assert any("Designate one focal person" in i.title for i in brief.behind.items)
    assert ("commitments", made.id) in {(d.kind, d.id) for d in brief.upcoming}
    assert brief.exceptions is not None
    assert brief.exceptions.items[0].title == "An official of MoX"
    assert weekly_for(session, session.merge(world.observer)).exceptions is None  # not the observer's to see
    text, _ = weekly_text(brief, chair)
    assert "Open a liaison office." in text
    assert "Designate one focal person" in text
    assert "Letter sent" in text
