"""The tracker, a directive's page, forms with bad input, files, the printable report and PDF."""

from __future__ import annotations

import io
import re
from datetime import date

from crm.directives.models import Directive, ProgressReport
from crm.engagements.models import Attachment
from tests.channel.conftest import page_csrf
from tests.directives.conftest import LETTER

TAG = re.compile(r"<[^>]+>")


def text_of(response) -> str:
    """The page's text as a reader sees it (tags removed, white space collapsed)."""
    return " ".join(TAG.sub(" ", response.get_data(as_text=True)).split())


def test_the_tracker_shows_the_letters_table_with_due_dates(world, login):
    page = text_of(login(world.observer).get("/directives"))
    assert f"Letter {LETTER} dated 04-10-2021" in page
    for text in (
        "Negotiations to be held with Google for opening of the liaison office.",
        "Upon formation of NSMCWG",
        "Due 04-11-2021",
        "Due 04-10-2021",
        "No due date (ongoing)",
        "Behind schedule",
        "NSA (lead)/relevant NSMCWG members",
    ):
        assert text in page
    assert page.index("1 — open direction 1") < page.index("7 — open direction 7") < page.index("B — open direction B")


def test_the_tracker_filters_by_organisation_and_overdue(world, login, seed):
    from crm.organisations.queries import get_by_short_name

    molj = seed(lambda s: get_by_short_name(s, "MoLJ").id)
    page = login(world.law).get(f"/directives?organisation_id={molj}").get_data(as_text=True)
    assert "defamation" in page
    assert "liaison office" not in page
    overdue = login(world.law).get("/directives?overdue=1").get_data(as_text=True)
    assert "liaison office" in overdue
    assert "share relevant data" not in overdue


def test_an_admin_does_not_read_the_tracker(world, login):
    assert login(world.admin).get("/directives").status_code == 403


def test_a_member_reports_progress_with_a_file_and_downloads_it(world, login, rows):
    client, b = login(world.law), world.directives["B"]
    token = page_csrf(client, f"/directives/{b.id}")
    response = client.post(
        f"/directives/{b.id}/progress",
        data={
            "csrf_token": token,
            "organisation_id": str(world.law.organisation_id),
            "text": "Draft bill vetted.",
            "files": (io.BytesIO(b"%PDF-1.4 minutes"), "vetting.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    page = client.get(f"/directives/{b.id}").get_data(as_text=True)
    assert "Draft bill vetted." in page
    assert "vetting.pdf" in page
    file_id = page.split("/directives/files/")[1].split('"')[0]
    download = client.get(f"/directives/files/{file_id}")
    assert download.status_code == 200
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in download.headers["Content-Disposition"]
    assert download.data == b"%PDF-1.4 minutes"
    download.close()
    assert "Draft bill vetted." in client.get("/directives").get_data(as_text=True)  # the latest progress


def test_a_refused_file_reshows_the_form_with_the_text_kept(world, login, rows):
    client, b = login(world.law), world.directives["B"]
    before = rows(ProgressReport, Attachment)
    response = client.post(
        f"/directives/{b.id}/progress",
        data={
            "csrf_token": page_csrf(client, f"/directives/{b.id}"),
            "organisation_id": str(world.law.organisation_id),
            "text": "Kept text",
            "files": (io.BytesIO(b"MZ\x90\x00binary"), "tool.exe"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert "Kept text" in response.get_data(as_text=True)
    assert rows(ProgressReport, Attachment) == before


def test_behind_schedule_without_a_reason_reshows_the_form(world, login, rows):
    client, b = login(world.law), world.directives["B"]
    before = rows(Directive)
    response = client.post(
        f"/directives/{b.id}/status",
        data={
            "csrf_token": page_csrf(client, f"/directives/{b.id}"),
            "version": str(b.version),
            "status": "behind_schedule",
            "delay_reason": "",
        },
    )
    assert response.status_code == 200
    assert "give the reason for the delay" in response.get_data(as_text=True)
    assert rows(Directive) == before


def test_a_stale_status_form_gets_409(world, login):
    client, b = login(world.law), world.directives["B"]
    data = {
        "csrf_token": page_csrf(client, f"/directives/{b.id}"),
        "version": str(b.version),
        "status": "completed",
        "delay_reason": "",
    }
    assert client.post(f"/directives/{b.id}/status", data=data).status_code == 302
    assert client.post(f"/directives/{b.id}/status", data=data).status_code == 409


def test_garbage_posts_never_500(world, login):
    client = login(world.secretariat)
    token = page_csrf(client, "/directives/new")
    b = world.directives["B"].id
    junk = {
        "csrf_token": token,
        "version": "x" * 30,
        "status": "nope",
        "organisation_id": "-1",
        "source_date": "99",
        "organisation_ids": ["a", "999999999999"],
        "occurred_on": "yesterday",
        "milestone": "moon",
        "superseded_by_id": "9" * 40,
        "text": "\u202e" * 5,
    }
    for path in (
        "/directives/new",
        f"/directives/{b}/edit",
        f"/directives/{b}/status",
        f"/directives/{b}/progress",
        f"/directives/{b}/supersede",
        "/directives/milestones",
        "/governance/nominations",
        "/governance/recommendations/new",
    ):
        assert client.post(path, data=junk).status_code in (200, 400, 403, 404, 409), path
    for path in (
        "/directives?status=zzz&organisation_id=abc&overdue=2",
        "/directives/99999999999",
        "/directives/files/1",
        "/directives/report.pdf?marking=zzz",
    ):
        assert client.get(path).status_code in (200, 404), path


def test_a_new_directive_form_keeps_the_input_when_invalid(world, login, rows):
    client = login(world.secretariat)
    before = rows(Directive)
    response = client.post(
        "/directives/new",
        data={
            "csrf_token": page_csrf(client, "/directives/new"),
            "source_ref": LETTER,
            "source_date": "2021-10-04",
            "serial": "B",
            "text": "A duplicate serial, kept",
            "timeline_text": "2 weeks",
        },
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "A duplicate serial, kept" in page
    assert "already has a direction with this serial" in page
    assert rows(Directive) == before


def test_recording_the_formation_on_the_page_resolves_due_dates(world, login):
    client = login(world.chair)
    response = client.post(
        "/directives/milestones",
        data={
            "csrf_token": page_csrf(client, "/directives/milestones"),
            "milestone": "nsmcwg_formed",
            "occurred_on": "2021-09-01",
            "note": "Notified by the PM",
        },
    )
    assert response.status_code == 302
    page = text_of(client.get("/directives"))
    assert "Formation of the NSMCWG: 01-09-2021 (Notified by the PM)" in page
    assert page.count("Upon formation of NSMCWG Due 01-09-2021") == 2
    assert login(world.law).get("/directives/milestones").status_code == 403


def test_the_printable_report_is_the_letters_table_with_markings(world, login, rows):
    client = login(world.observer)
    before = rows()
    page = client.get("/directives/report").get_data(as_text=True)
    assert page.count("RESTRICTED") >= 2
    assert "Decisions / Directions by the PM" in page
    assert "Time Line" in page
    assert "(due 04-11-2021)" in page
    assert "@media print" in page
    assert rows() == (before[0] + 1,)  # the export is audited
    assert client.get("/directives/report?marking=unclassified").get_data(as_text=True).count("UNCLASSIFIED") >= 2


def test_the_pdf_report_is_a_marked_pdf(world, login):
    response = login(world.observer).get("/directives/report.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert b"Classification: RESTRICTED" in response.data  # the marking in the document's properties


def test_the_tracker_takes_the_same_queries_for_8_or_20_directives(world, login, seed, count_queries):
    from crm.directives import services
    from tests.channel.factories import fresh

    client = login(world.observer)

    def measure() -> int:
        client.get("/directives")
        count_queries.clear()
        assert client.get("/directives").status_code == 200
        return len(count_queries)

    eight = measure()

    def add(session):
        secretariat = fresh(session, world.secretariat)
        for i in range(12):
            data = services.DirectiveInput(
                source_ref="No. 2/2022",
                source_date=date(2022, 1, 1),
                serial=str(i + 1),
                text=f"D{i}",
                timeline_text="1 month",
                organisation_ids=[world.law.organisation_id],
            )
            d = services.create_directive(session, actor=secretariat, data=data)
            services.add_progress_report(
                session, actor=secretariat, directive_id=d.id, organisation_id=world.law.organisation_id, text="done"
            )

    seed(add)
    assert measure() == eight


def test_the_nomination_path_on_the_pages_ends_on_the_designations_page(world, login):
    secretariat, chair = login(world.secretariat), login(world.chair)
    token = page_csrf(secretariat, "/governance/nominations")
    assert (
        secretariat.post(
            "/governance/nominations",
            data={"csrf_token": token, "kind": "focal_person", "nominee_id": str(world.moit.id)},
        ).status_code
        == 302
    )
    page = text_of(secretariat.get("/governance/nominations"))
    number = page.split("#")[1].split()[0]
    bad = secretariat.post(
        f"/governance/nominations/{number}/recommend",
        data={"csrf_token": token, "version": "1", "recommended_on": "", "consensus_note": "Kept note"},
    )
    assert bad.status_code == 200
    assert "Kept note" in bad.get_data(as_text=True)
    assert (
        secretariat.post(
            f"/governance/nominations/{number}/recommend",
            data={"csrf_token": token, "version": "1", "recommended_on": "2021-11-01", "consensus_note": "Agreed"},
        ).status_code
        == 302
    )
    assert "Record the PM's approval" not in secretariat.get(f"/governance/nominations/{number}").get_data(as_text=True)
    approved = chair.post(
        f"/governance/nominations/{number}/approve",
        data={
            "csrf_token": page_csrf(chair, f"/governance/nominations/{number}"),
            "version": "2",
            "approval_ref": "PM Sectt 7/2021",
            "approved_on": "2021-11-10",
        },
    )
    assert approved.status_code == 302
    path = text_of(chair.get(f"/governance/nominations/{number}"))
    assert "Recommended by the NSMCWG's consensus on 01-11-2021" in path
    assert "reference PM Sectt 7/2021" in path
    designations = chair.get("/designations").get_data(as_text=True)
    assert "PM Sectt 7/2021" in designations
    assert "/governance/nominations" in designations
