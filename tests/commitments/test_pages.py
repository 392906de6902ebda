"""The commitment pages, driven with real forms: the register and its filters, the form (input
kept on error, garbage never a 500), a stale edit (409, text kept), status, verification,
evidence files, the CSV export, and the sections on company, thread and engagement pages."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from crm.audit.models import AuditEvent
from crm.commitments.models import Commitment, CommitmentDirection, CommitmentStatus
from crm.engagements.models import Attachment
from tests.commitments.factories import close, days, make_commitment
from tests.engagements.factories import log, make_company, page_csrf

PDF = b"%PDF-1.7\n" + b"evidence\n" * 40


@pytest.fixture
def register(in_app, web_world):
    """Four commitments: overdue, due this week, closed, and one of another company."""

    def build(session):
        w, chair = web_world, web_world.chair
        other = make_company(session, "Other Platform")
        overdue = make_commitment(session, actor=chair, company_id=w.company.id, text="Overdue promise",
                                  due_date=days(-3))  # fmt: skip
        soon = make_commitment(session, actor=chair, company_id=w.company.id, text="Soon promise", due_date=days(2),
                               direction=CommitmentDirection.GOVERNMENT_TO_COMPANY)  # fmt: skip
        kept = make_commitment(session, actor=chair, company_id=w.company.id, text="Kept promise", due_date=days(-9))
        close(session, actor=chair, commitment=kept, status=CommitmentStatus.FULFILLED)
        elsewhere = make_commitment(session, actor=chair, company_id=other.id, text="Elsewhere promise", due_date=None)
        return {"overdue": overdue, "soon": soon, "kept": kept, "elsewhere": elsewhere, "other": other}

    return in_app(build)


def shown(page: str) -> set[str]:
    return {name for name in ("Overdue", "Soon", "Kept", "Elsewhere") if f"{name} promise" in page}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"Overdue", "Soon", "Kept", "Elsewhere"}),
        ("?status=overdue", {"Overdue"}),
        ("?window=overdue", {"Overdue"}),
        ("?status=fulfilled", {"Kept"}),
        ("?status=open", {"Overdue", "Soon", "Elsewhere"}),
        ("?direction=government_to_company", {"Soon"}),
        ("?window=next_7_days", {"Soon"}),
        ("?window=next_30_days", {"Soon"}),
        ("?window=no_due_date", {"Elsewhere"}),
        (
            "?status=nonsense&window=whenever&direction=up&company_id=abc&after=garbage",
            {"Overdue", "Soon", "Kept", "Elsewhere"},
        ),
    ],
)
def test_the_register_filters(login, web_world, register, query, expected):
    page = login(web_world.observer).get("/commitments" + query).get_data(as_text=True)

    assert shown(page) == expected


def test_the_register_filters_by_company_and_orders_soonest_due_first(login, web_world, register):
    page = login(web_world.member).get(f"/commitments?company_id={web_world.company.id}").get_data(as_text=True)

    assert shown(page) == {"Overdue", "Soon", "Kept"}
    assert page.index("Kept promise") < page.index("Overdue promise") < page.index("Soon promise")


def test_overdue_is_written_in_words_not_only_colour(login, web_world, register):
    page = login(web_world.member).get("/commitments?status=overdue").get_data(as_text=True)

    assert "Overdue</span>" in page
    assert "3 days past due" in page


def test_the_register_pages_with_a_cursor(login, web_world, in_app):
    in_app(lambda s: [make_commitment(s, actor=web_world.chair, company_id=web_world.company.id,
                                      text=f"Promise {n:02d}", due_date=days(n)) for n in range(52)])  # fmt: skip
    client = login(web_world.member)

    first = client.get("/commitments").get_data(as_text=True)
    assert "Promise 49" in first
    assert "Promise 50" not in first
    link = first.split('href="/commitments?after=')[1].split('"')[0].replace("&amp;", "&")
    second = client.get("/commitments?after=" + link).get_data(as_text=True)
    assert "Promise 50" in second
    assert "Promise 51" in second
    assert "Promise 49" not in second


def test_the_record_button_is_shown_to_keepers_only_and_the_empty_state_says_what_next(login, web_world):
    keeper_page = login(web_world.secretariat).get("/commitments").get_data(as_text=True)
    member_page = login(web_world.member).get("/commitments").get_data(as_text=True)

    assert "Record a commitment" in keeper_page
    assert "record it here with its due date" in keeper_page
    assert "Record a commitment" not in member_page
    assert "will appear here" in member_page


def test_an_admin_does_not_read_the_register(login, web_world):
    assert login(web_world.admin).get("/commitments").status_code == 403


def form(client, path, **overrides):
    data = {
        "csrf_token": page_csrf(client, path),
        "company_id": "", "direction": "company_to_government", "party": "Platform LLC", "organisation_id": "",
        "engagement_id": "", "thread_id": "", "text": "Appoint a grievance officer", "due_date": "", "evidence": "",
    }  # fmt: skip
    data.update(overrides)
    return data


def test_a_keeper_records_a_commitment_from_an_engagement(login, web_world, in_app):
    meeting = in_app(lambda s: log(s, web_world.chair, web_world.company.id, thread_id=web_world.thread.id))
    client = login(web_world.focal)
    path = f"/commitments/new?engagement_id={meeting.id}"

    page = client.get(path).get_data(as_text=True)
    assert f'<option selected value="{meeting.id}">' in page
    assert f'<option selected value="{web_world.thread.id}">' in page
    data = form(client, path, company_id=str(web_world.company.id), engagement_id=str(meeting.id),
                thread_id=str(web_world.thread.id), due_date=days(14).isoformat())  # fmt: skip
    response = client.post("/commitments/new", data=data)

    assert response.status_code == 302, response.get_data(as_text=True)
    detail = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Appoint a grievance officer" in detail
    assert meeting.subject in detail
    assert days(14).strftime("%d-%m-%Y") in detail


def test_the_new_form_without_a_company_asks_for_one_first(login, web_world):
    page = login(web_world.chair).get("/commitments/new").get_data(as_text=True)

    assert "Which company is the commitment about?" in page


@pytest.mark.parametrize(
    ("bad", "message"),
    [({"due_date": "1900-01-01"}, "between 1990 and 2100"), ({"party": "P" * 300}, "200 characters")],
)
def test_an_invalid_form_is_shown_again_with_the_input_kept(login, web_world, counts, bad, message):
    client = login(web_world.chair)
    path = f"/commitments/new?company_id={web_world.company.id}"
    before = counts(Commitment)

    response = client.post("/commitments/new", data=form(client, path, company_id=str(web_world.company.id), **bad))

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Appoint a grievance officer" in page
    assert "There is a problem" in page
    assert message in page
    assert counts(Commitment) == before


def test_a_member_gets_no_form(login, web_world, counts):
    client = login(web_world.member)
    before = counts(Commitment)

    assert client.get(f"/commitments/new?company_id={web_world.company.id}").status_code == 403
    token = page_csrf(client, "/commitments")
    data = {"csrf_token": token, "company_id": str(web_world.company.id), "direction": "company_to_government",
            "text": "x"}  # fmt: skip
    assert client.post("/commitments/new", data=data).status_code == 403
    assert counts(Commitment) == before


GARBAGE = [
    {"company_id": "abc"}, {"company_id": "99999999999999999999"}, {"company_id": "-5"}, {"company_id": ""},
    {"direction": "sideways"}, {"organisation_id": "x"}, {"organisation_id": "2147483647"},
    {"engagement_id": "99999999999"}, {"thread_id": "-1"}, {"due_date": "2026-13-45"}, {"due_date": "0001-01-01"},
    {"due_date": "9999-12-31"}, {"text": ""}, {"text": "\U0001f600" * 20000}, {"party": "p" * 5000},
    {"version": "old"}, {"version": "99999999999999999999"}, {"status": "kept"}, {"note": "n" * 5000},
]  # fmt: skip


NEW_FORM_FIELDS = {"company_id", "direction", "organisation_id", "engagement_id", "thread_id", "due_date", "text",
                   "party"}  # fmt: skip


@pytest.mark.parametrize("garbage", GARBAGE)
def test_garbage_never_gives_a_500_and_writes_nothing(login, web_world, in_app, counts, garbage):
    commitment = in_app(lambda s: make_commitment(s, actor=web_world.chair, company_id=web_world.company.id))
    client = login(web_world.chair)
    before = counts(Commitment)
    # A stale version: whatever garbage gets past validation ends in a conflict, never a write.
    base = form(client, "/commitments", company_id=str(web_world.company.id), version="999", status="breached",
                note="Missed")  # fmt: skip
    paths = [f"/commitments/{commitment.id}/{action}" for action in ("edit", "status", "verify")]
    if set(garbage) <= NEW_FORM_FIELDS:
        paths.append("/commitments/new")

    for path in paths:
        response = client.post(path, data={**base, **garbage})
        assert response.status_code < 500, (path, response.get_data(as_text=True))
    assert counts(Commitment) == before
    for query in ("?company_id=%00", "?after=..", "?window=%ff", "?company_id=99999999999999"):
        assert client.get("/commitments" + query).status_code < 500


def test_a_stale_edit_is_a_409_page_that_keeps_the_text(login, web_world, in_app, counts):
    commitment = in_app(lambda s: make_commitment(s, actor=web_world.chair, company_id=web_world.company.id))
    first, second = login(web_world.chair), login(web_world.secretariat)
    path = f"/commitments/{commitment.id}/edit"
    fields = {"company_id": str(web_world.company.id), "version": "1"}
    mine, theirs = form(first, path, **fields, text="My wording"), form(second, path, **fields, text="Their wording")
    assert second.post(path, data=theirs).status_code == 302
    before = counts(Commitment)

    response = first.post(path, data=mine)

    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "My wording" in page
    assert "Someone else changed this record" in page
    assert 'name="version" type="hidden" value="2"' in page  # saving again replaces theirs knowingly
    assert counts(Commitment) == before
    assert "Their wording" in first.get(f"/commitments/{commitment.id}").get_data(as_text=True)


def test_status_change_then_verification_by_the_chair(login, web_world, in_app):
    commitment = in_app(lambda s: make_commitment(s, actor=web_world.chair, company_id=web_world.company.id))
    client = login(web_world.chair)
    path = f"/commitments/{commitment.id}/status"

    response = client.post(path, data={"csrf_token": page_csrf(client, path), "status": "fulfilled",
                                       "note": "Letter of 01-10-2021", "version": "1"})  # fmt: skip
    assert response.status_code == 302
    detail = client.get(f"/commitments/{commitment.id}").get_data(as_text=True)
    assert "Verify this outcome" in detail
    response = client.post(f"/commitments/{commitment.id}/verify",
                           data={"csrf_token": page_csrf(client, "/commitments"), "version": "2"})  # fmt: skip

    assert response.status_code == 302
    page = client.get(f"/commitments/{commitment.id}").get_data(as_text=True)
    assert f"By {web_world.chair.full_name}" in page
    assert "Letter of 01-10-2021" in page


def test_verification_is_refused_for_a_member(login, web_world, in_app, counts):
    def build(s):
        c = make_commitment(s, actor=web_world.chair, company_id=web_world.company.id)
        return close(s, actor=web_world.chair, commitment=c, status=CommitmentStatus.BREACHED)

    commitment = in_app(build)
    client = login(web_world.member)
    assert "Verify this outcome" not in client.get(f"/commitments/{commitment.id}").get_data(as_text=True)
    before = counts(Commitment)

    response = client.post(f"/commitments/{commitment.id}/verify",
                           data={"csrf_token": page_csrf(client, "/commitments"), "version": "2"})  # fmt: skip

    assert response.status_code == 403
    assert counts(Commitment) == before
    assert in_app(lambda s: s.get(Commitment, commitment.id).verified_at) is None


def test_evidence_files_upload_and_download_as_attachments(login, web_world, in_app, store, counts):
    commitment = in_app(lambda s: make_commitment(s, actor=web_world.chair, company_id=web_world.company.id))
    client = login(web_world.secretariat)
    path = f"/commitments/{commitment.id}"

    response = client.post(f"{path}/evidence", data={"csrf_token": page_csrf(client, path),
                                                     "file": (io.BytesIO(PDF), "letter.pdf")})  # fmt: skip
    assert response.status_code == 302
    attachment_id = in_app(lambda s: s.scalar(select(Attachment.id).where(Attachment.commitment_id == commitment.id)))
    with login(web_world.observer).get(f"/commitments/files/{attachment_id}") as download:
        assert download.status_code == 200
        assert download.data == PDF
        headers = download.headers

    assert headers["Content-Disposition"].startswith("attachment")
    assert headers["X-Content-Type-Options"] == "nosniff"
    before = counts(Attachment)
    refused = client.post(f"{path}/evidence", data={"csrf_token": page_csrf(client, path),
                                                    "file": (io.BytesIO(b"MZ\x90\x00" * 50), "x.exe")})  # fmt: skip
    assert refused.status_code == 200
    assert "Upload PDF" in refused.get_data(as_text=True)
    assert counts(Attachment) == before
    assert login(web_world.admin).get(f"/commitments/files/{attachment_id}").status_code == 403


def test_the_csv_export_follows_the_filters_and_is_audited(login, web_world, register, in_app):
    client = login(web_world.observer)

    response = client.get("/commitments.csv?status=overdue")

    assert response.status_code == 200
    assert response.headers["Content-Disposition"].endswith('-UNCLASSIFIED.csv"')
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))[1:]  # after the marking
    assert rows[0][:3] == ["Due date", "Overdue", "Status"]
    assert [(r[1], r[8]) for r in rows[1:]] == [("yes", "Overdue promise")]
    event = in_app(lambda s: s.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first())
    assert (event.action, event.after) == ("commitment.export", {"filters": {"status": "overdue"}, "rows": 1})


def test_the_company_profile_shows_open_commitments_and_counts(login, web_world, register):
    page = login(web_world.member).get(f"/companies/{web_world.company.id}").get_data(as_text=True)

    section = page.split('id="commitments-heading"')[1].split("</section>")[0]
    assert "Overdue promise" in section
    assert "Soon promise" in section
    assert "Kept promise" not in section
    assert "Company → Government: 1 open" in section
    assert "1 overdue" in section
    assert "Government → Company: 1 open, none overdue" in section


def test_the_thread_page_lists_its_open_commitments(login, web_world, in_app):
    in_app(lambda s: make_commitment(s, actor=web_world.chair, company_id=web_world.company.id,
                                     thread_id=web_world.thread.id, text="Thread promise"))  # fmt: skip
    page = login(web_world.member).get(f"/threads/{web_world.thread.id}").get_data(as_text=True)

    assert "Open commitments" in page
    assert "Thread promise" in page


def test_the_engagement_page_lists_its_commitments_and_offers_to_record_one(login, web_world, in_app):
    def build(s):
        meeting = log(s, web_world.chair, web_world.company.id)
        make_commitment(s, actor=web_world.chair, company_id=web_world.company.id, engagement_id=meeting.id,
                        text="Made in this meeting")  # fmt: skip
        return meeting

    meeting = in_app(build)
    keeper = login(web_world.chair).get(f"/engagements/{meeting.id}").get_data(as_text=True)
    member = login(web_world.member).get(f"/engagements/{meeting.id}").get_data(as_text=True)

    assert "Made in this meeting" in keeper
    assert "Made in this meeting" in member
    assert f"/commitments/new?engagement_id={meeting.id}" in keeper
    assert "Record a commitment from this engagement" not in member
