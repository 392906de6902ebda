"""Attachments: type and size limits, SHA-256, and downloads only after R5 (audited)."""

from __future__ import annotations

import hashlib
import io
import re

import pytest
from sqlalchemy import select

from crm.accounts.models import Clearance, User
from crm.audit.models import AuditEvent
from crm.engagements import services
from crm.engagements.models import Attachment
from crm.errors import Forbidden, Invalid
from tests.conftest import sign_in
from tests.engagements.factories import log, page_csrf

PDF = b"%PDF-1.7\n" + b"minutes of the meeting\n" * 50
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


@pytest.fixture
def meeting(session, world):
    return log(session, world.focal, world.company.id, classification=Clearance.CONFIDENTIAL)


def test_a_stored_file_keeps_its_sha256_size_and_sniffed_type(session, world, store, meeting):
    stored = store.save(io.BytesIO(PDF), "../../notes.pdf")

    attachment = services.add_attachment(session, actor=world.focal, engagement_id=meeting.id, stored=stored)

    assert attachment.sha256 == hashlib.sha256(PDF).hexdigest()
    assert (attachment.size, attachment.content_type, attachment.filename) == (len(PDF), "application/pdf", "notes.pdf")
    assert store.path_for(attachment.sha256).read_bytes() == PDF
    assert store.root in store.path_for(attachment.sha256).parents
    event = session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
    assert (event.action, event.after["sha256"]) == ("attachment.add", attachment.sha256)


@pytest.mark.parametrize(("content", "name"), [(EXE, "report.pdf"), (EXE, "setup.exe"), (PDF, "notes.exe")])
def test_type_sniffing_refuses_executables_and_mismatched_names(store, content, name):
    with pytest.raises(Invalid) as invalid:
        store.save(io.BytesIO(content), name)

    assert "file" in invalid.value.fields


def test_files_over_the_size_limit_are_refused_and_leave_nothing(store):
    store.max_bytes = 100

    with pytest.raises(Invalid) as invalid:
        store.save(io.BytesIO(PDF), "big.pdf")

    assert "too large" in invalid.value.message
    assert not any(path.is_file() for path in store.root.rglob("*"))


def test_empty_files_are_refused(store):
    with pytest.raises(Invalid):
        store.save(io.BytesIO(b""), "empty.pdf")


@pytest.mark.parametrize("who", ["member", "observer"])
def test_only_those_who_may_read_the_minutes_add_files(session, world, store, meeting, who):
    stored = store.save(io.BytesIO(PDF), "notes.pdf")

    with pytest.raises(Forbidden):
        services.add_attachment(session, actor=getattr(world, who), engagement_id=meeting.id, stored=stored)


def test_opening_a_file_follows_r5_and_is_audited(session, world, store, meeting):
    stored = store.save(io.BytesIO(PDF), "notes.pdf")
    attachment = services.add_attachment(session, actor=world.focal, engagement_id=meeting.id, stored=stored)

    with pytest.raises(Forbidden) as refused:
        services.open_attachment(session, actor=world.member, attachment_id=attachment.id)
    assert refused.value.code == "no_grant"

    assert services.open_attachment(session, actor=world.secretariat, attachment_id=attachment.id) is attachment
    event = session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
    assert (event.action, event.actor_id) == ("attachment.read", world.secretariat.id)


# Through the pages.


def upload(client, engagement_id, content, name):
    page = client.get(f"/engagements/{engagement_id}").get_data(as_text=True)
    token = CSRF.search(page).group(1)
    return client.post(
        f"/engagements/{engagement_id}/attachments",
        data={"csrf_token": token, "file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


@pytest.fixture
def logged(in_app, web_world):
    return in_app(lambda session: log(session, web_world.focal, web_world.company.id).id)


def test_the_focal_person_uploads_and_downloads_a_file(app, client, web_world, store, logged, rows):
    sign_in(client, web_world.focal.username)

    response = upload(client, logged, PDF, "Minutes scan.pdf")

    assert response.status_code == 302
    page = client.get(f"/engagements/{logged}").get_data(as_text=True)
    assert "Minutes scan.pdf" in page
    assert "application/pdf" in page
    [attachment_id] = re.findall(r"/engagements/files/(\d+)", page)
    reads_before = rows(AuditEvent, AuditEvent.action == "attachment.read")

    with client.get(f"/engagements/files/{attachment_id}") as download:
        assert download.status_code == 200
        assert download.data == PDF
        headers = download.headers

    assert headers["Content-Type"] == "application/pdf"
    assert headers["Content-Disposition"].startswith("attachment;")
    assert "Minutes" in headers["Content-Disposition"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert rows(AuditEvent, AuditEvent.action == "attachment.read") == reads_before + 1


def test_an_executable_renamed_pdf_is_refused_on_the_page(client, web_world, store, logged, rows):
    sign_in(client, web_world.focal.username)

    response = upload(client, logged, EXE, "report.pdf")

    assert response.status_code == 200
    assert "There is a problem" in response.get_data(as_text=True)
    assert "Upload PDF" in response.get_data(as_text=True)
    assert rows(Attachment) == 0


def test_a_member_may_not_download_and_the_refusal_is_not_audited_as_a_read(
    app, client, web_world, store, logged, in_app, rows
):
    def attach(session):
        stored = store.save(io.BytesIO(PDF), "notes.pdf")
        focal = session.get(User, web_world.focal.id)
        return services.add_attachment(session, actor=focal, engagement_id=logged, stored=stored).id

    attachment_id = in_app(attach)
    sign_in(client, web_world.member.username)

    page = client.get(f"/engagements/{logged}").get_data(as_text=True)
    response = client.get(f"/engagements/files/{attachment_id}")

    assert "notes.pdf" not in page
    assert "1 file attached" in page
    assert response.status_code == 403
    assert PDF not in response.data
    assert rows(AuditEvent, AuditEvent.action == "attachment.read") == 0


def test_a_member_cannot_upload(client, web_world, store, logged, rows):
    sign_in(client, web_world.member.username)
    response = client.post(
        f"/engagements/{logged}/attachments",
        data={"csrf_token": page_csrf(client, "/engagements"), "file": (io.BytesIO(PDF), "x.pdf")},
        content_type="multipart/form-data",
    )

    assert response.status_code == 403
    assert rows(Attachment) == 0
    assert not store.root.exists() or not any(p.is_file() for p in store.root.rglob("*"))


def test_unknown_files_are_404(client, web_world):
    sign_in(client, web_world.focal.username)

    assert client.get("/engagements/files/999999").status_code == 404
    assert client.get(f"/engagements/files/{2**40}").status_code == 404
