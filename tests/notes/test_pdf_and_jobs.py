"""The watermarked PDF copy of granted minutes, and the grant-expiry job (exactly once)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from crm.audit.models import AuditEvent
from crm.db import utcnow
from crm.errors import Forbidden
from crm.notes import pdf, services
from crm.notes.jobs import expire_grants
from crm.notes.models import NotesRequestStatus
from crm.notifications.models import Notification
from crm.pdf import MarkedPdf
from tests.notes.factories import confidential_meeting, granted

NOON = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)  # 12:00 PKT


def page_count(document: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b", document))


def occurrences(document: MarkedPdf, body: bytes, text: str) -> int:
    """How often `text` is drawn in an uncompressed document, in any of its (subset) fonts.

    Embedded TrueType fonts write glyph ids, not characters: encode the text as each font does.
    """
    encoded = (font.encode_text(text)[1:-4].encode("latin-1") for font in document.fonts.values())
    return sum(body.count(e) for e in encoded)


def test_the_pdf_copy_carries_the_reader_and_the_time_and_the_marking_on_every_page(session, world):
    long_minutes = "\n\n".join(f"Point {n}: Google — “agreed” to revert." for n in range(120))
    meeting = confidential_meeting(session, world, minutes=long_minutes)
    granted(session, requester=world.member, decider=world.focal, engagement=meeting)
    copy = services.export_minutes(session, actor=world.member, engagement_id=meeting.id)

    document = pdf.minutes_document(copy.engagement, copy.minutes, reader=world.member.full_name, now=NOON)
    document.set_compression(False)
    body = document.output()

    pages = page_count(body)
    assert body.startswith(b"%PDF")
    assert pages >= 2
    assert document.marked_pages == pages  # the marking top and bottom of every page
    watermark = f"Copy for {world.member.full_name} · 02-03-2026 12:00 PKT"
    assert occurrences(document, body, watermark) == 2 * pages  # across the page and in the footer
    assert occurrences(document, body, "Point 119: Google — “agreed” to revert.") == 1
    assert occurrences(document, body, "Somebody Else") == 0


def test_the_compressed_copy_is_a_pdf(session, world):
    meeting = confidential_meeting(session, world)
    copy = services.export_minutes(session, actor=world.chair, engagement_id=meeting.id)  # the chair reads all
    body = pdf.minutes_pdf(copy.engagement, copy.minutes, reader="A Reader", now=NOON)
    assert body.startswith(b"%PDF")


def test_no_pdf_copy_without_a_grant_and_nothing_audited(session, world):
    meeting = confidential_meeting(session, world)
    before = session.scalar(select(func.count()).select_from(AuditEvent))

    with pytest.raises(Forbidden) as refused:
        services.export_minutes(session, actor=world.member, engagement_id=meeting.id)

    assert refused.value.code == "no_grant"
    assert session.scalar(select(func.count()).select_from(AuditEvent)) == before


def notifications(session, key: str) -> int:
    return session.scalar(select(func.count()).where(Notification.key == key)) or 0


def test_the_expiry_job_expires_lapsed_grants_and_tells_the_requester_once(app, session, world):
    meeting = confidential_meeting(session, world)
    lapsed = granted(session, requester=world.member, decider=world.focal, engagement=meeting, now=NOON, days=30)
    live = granted(session, requester=world.member, decider=world.focal, thread_id=world.thread.id,
                   now=NOON + timedelta(days=20), days=30)  # fmt: skip
    run_at = NOON + timedelta(days=31)

    with app.app_context():
        first = expire_grants(session, run_at)
        events = session.scalar(select(func.count()).select_from(AuditEvent))
        second = expire_grants(session, run_at + timedelta(hours=1))

    assert lapsed.status is NotesRequestStatus.EXPIRED
    assert live.status is NotesRequestStatus.APPROVED
    assert notifications(session, f"grant-expired:{lapsed.id}") == 1
    assert notifications(session, f"grant-expired:{live.id}") == 0
    assert first.startswith("1 grant(s) expired (1 told)")
    assert second.startswith("0 grant(s) expired")
    assert session.scalar(select(func.count()).select_from(AuditEvent)) == events
    expired = session.scalars(select(AuditEvent).where(AuditEvent.action == "notes_request.expire")).all()
    assert [(e.target_id, e.actor_label) for e in expired] == [(str(lapsed.id), "system")]


def test_a_grant_ending_within_three_days_gets_one_reminder(app, session, world):
    meeting = confidential_meeting(session, world)
    ending = granted(session, requester=world.member, decider=world.chair, engagement=meeting, now=NOON, days=30)

    with app.app_context():
        expire_grants(session, NOON + timedelta(days=26))  # four days left: not yet
        assert notifications(session, f"grant-expiring:{ending.id}") == 0
        expire_grants(session, NOON + timedelta(days=28))
        expire_grants(session, NOON + timedelta(days=29))

    assert notifications(session, f"grant-expiring:{ending.id}") == 1
    title = session.scalar(select(Notification.title).where(Notification.key == f"grant-expiring:{ending.id}"))
    assert "Compliance officer" not in title  # no engagement subject, only the request number and date
    assert "01-04-2026 12:00 PKT" in title


def test_the_read_check_does_not_wait_for_the_job(session, world):
    from crm.engagements.services import minutes_refusal

    meeting = confidential_meeting(session, world)
    granted(session, requester=world.member, decider=world.focal, engagement=meeting, now=utcnow() - timedelta(days=2),
            days=1)  # fmt: skip
    assert minutes_refusal(session, actor=world.member, engagement=meeting) == "no_grant"
