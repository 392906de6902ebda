"""The briefs as pages and PDF downloads: who may have them, what each reader's copy holds,
and that every copy is audited as an export (R8) while a refusal writes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from crm.audit.models import AuditEvent
from crm.db import utcnow
from tests.reports.factories import SECRET_WORD, secret_meeting
from tests.reports.pdftext import page_count, pdf_text


def last_export(in_app) -> AuditEvent:
    return in_app(lambda s: s.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).one())


def test_the_chairs_weekly_brief_quotes_the_secret_minutes_under_a_secret_marking(web_world, in_app, login):
    meeting = in_app(lambda s: secret_meeting(s, web_world))
    page = login(web_world.chair).get("/reports/weekly").get_data(as_text=True)

    assert SECRET_WORD in page
    assert page.count('aria-label="Classification: SECRET">SECRET</p>') == 2  # top and bottom
    event = last_export(in_app)
    assert (event.action, event.target_id) == ("report.export", "weekly")
    assert event.after == {"format": "html", "marking": "secret", "minutes_of": [meeting.id]}


def test_the_observers_weekly_brief_has_the_subject_but_not_the_minutes(web_world, in_app, login):
    in_app(lambda s: secret_meeting(s, web_world))
    page = login(web_world.observer).get("/reports/weekly").get_data(as_text=True)
    assert SECRET_WORD not in page
    assert "Liaison office terms" in page
    assert "Minutes withheld" in page
    assert page.count(">UNCLASSIFIED</p>") == 2


def test_the_weekly_pdf_is_marked_on_every_page_and_audited(web_world, in_app, login):
    def many(s) -> None:
        for n in range(30):
            secret_meeting(s, web_world, at=utcnow() - timedelta(hours=n + 1))

    in_app(many)
    response = login(web_world.chair).get("/reports/weekly.pdf")

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert "SECRET.pdf" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    text, pages = pdf_text(response.data), page_count(response.data)
    assert pages >= 2
    assert text.splitlines().count("SECRET") == 2 * pages
    assert SECRET_WORD in text
    assert last_export(in_app).after["format"] == "pdf"


def test_the_observers_pdf_holds_no_secret(web_world, in_app, login):
    in_app(lambda s: secret_meeting(s, web_world))
    response = login(web_world.observer).get("/reports/weekly.pdf")
    text = pdf_text(response.data)
    assert SECRET_WORD not in text
    assert "Liaison office terms" in text
    assert "UNCLASSIFIED.pdf" in response.headers["Content-Disposition"]
    assert last_export(in_app).after == {"format": "pdf", "marking": "unclassified", "minutes_of": []}


def test_times_in_the_brief_are_pakistan_time_and_dates_dd_mm_yyyy(web_world, in_app, login):
    yesterday = (utcnow() - timedelta(days=1)).date()
    at = datetime(yesterday.year, yesterday.month, yesterday.day, 4, 30, tzinfo=UTC)  # 09:30 PKT
    in_app(lambda s: secret_meeting(s, web_world, at=at))
    page = login(web_world.chair).get("/reports/weekly").get_data(as_text=True)
    assert f"{yesterday.strftime('%d-%m-%Y')} 09:30 PKT" in page
    text = pdf_text(login(web_world.chair).get("/reports/weekly.pdf").data)
    assert f"{yesterday.strftime('%d-%m-%Y')} 09:30 PKT" in text


def test_the_company_brief_as_page_and_pdf(web_world, in_app, login):
    in_app(lambda s: secret_meeting(s, web_world))
    chair, observer = login(web_world.chair), login(web_world.observer)
    path = f"/companies/{web_world.company.id}/brief"

    page = chair.get(path).get_data(as_text=True)
    assert SECRET_WORD in page
    assert 'role="img"' in page
    assert "the figures as a table" in page
    assert last_export(in_app).target_id == f"company:{web_world.company.id}"
    assert SECRET_WORD in pdf_text(chair.get(path + ".pdf").data)
    assert SECRET_WORD not in observer.get(path).get_data(as_text=True)
    observer_pdf = observer.get(path + ".pdf")
    assert SECRET_WORD not in pdf_text(observer_pdf.data)
    assert "UNCLASSIFIED" in pdf_text(observer_pdf.data)


def test_members_get_no_brief_and_nothing_is_audited(web_world, login, audit_count):
    member = login(web_world.member)
    before = audit_count()
    for path in ("/reports/weekly", "/reports/weekly.pdf", f"/companies/{web_world.company.id}/brief",
                 f"/companies/{web_world.company.id}/brief.pdf", "/charts"):  # fmt: skip
        assert member.get(path).status_code == 403
    assert audit_count() == before


def test_an_unknown_company_is_404_and_nothing_is_audited(web_world, login, audit_count):
    chair = login(web_world.chair)
    before = audit_count()
    assert chair.get("/companies/987654/brief").status_code == 404
    assert chair.get("/companies/987654/brief.pdf").status_code == 404
    assert chair.get("/companies/99999999999999999999/brief").status_code == 404
    assert audit_count() == before


def test_the_briefs_need_a_signed_in_user(client, web_world):
    assert client.get("/reports/weekly").headers["Location"].startswith("/sign-in")
    assert client.get(f"/companies/{web_world.company.id}/brief.pdf").headers["Location"].startswith("/sign-in")
