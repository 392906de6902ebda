"""Uploads: the content decides the type (an explicit allow-list), size limits, storage outside
static/, and every download route answering `attachment` + `nosniff`."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from crm.accounts.models import Clearance, Role, User
from crm.commitments.services import attach_evidence
from crm.datarequests.services import attach_response_file, respond_to_data_request
from crm.db import get_session, utcnow
from crm.directives.models import Directive
from crm.directives.services import add_progress_report, load_reference_directives
from crm.engagements.models import Attachment, Direction, EngagementKind
from crm.engagements.services import EngagementInput, add_attachment, log_engagement
from crm.errors import Invalid
from crm.http import storage
from crm.reviews.services import attach_draft_file
from crm.storage import OOXML_MAIN, Storage
from tests.commitments.factories import make_commitment
from tests.conftest import sign_in
from tests.datarequests.factories import make_request
from tests.engagements.factories import make_company
from tests.factories import make_user
from tests.reviews.factories import make_review

OOXML = "application/vnd.openxmlformats-officedocument."
DOCX, XLSX = OOXML + "wordprocessingml.document", OOXML + "spreadsheetml.sheet"
PPTX = OOXML + "presentationml.presentation"
ODT, ODS = "application/vnd.oasis.opendocument.text", "application/vnd.oasis.opendocument.spreadsheet"
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 40
HTML = b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>"
# Opens in a browser as a script-running page if ever rendered; as a CSV it is harmless data.
CSV_WITH_SCRIPT = b"name,comment\nx,<script>alert(1)</script>\n"


def zipped(entries: dict[str, bytes], *, first: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(entries, key=lambda n: n != first):
            archive.writestr(name, entries[name], compress_type=zipfile.ZIP_STORED if name == first else None)
    return buffer.getvalue()


def ooxml(mime: str, main: str | None = None, **extra: bytes) -> bytes:
    types = f'<Types><Override PartName="/main.xml" ContentType="{main or OOXML_MAIN[mime]}"/></Types>'
    return zipped({"[Content_Types].xml": types.encode(), "main.xml": b"<x/>", **extra})


def odf(mime: str) -> bytes:
    return zipped({"mimetype": mime.encode(), "content.xml": b"<office:document-content/>"}, first="mimetype")


@pytest.fixture
def store(tmp_path: Path) -> Storage:
    return Storage(tmp_path / "attachments", 1024 * 1024)


def stored_files(store: Storage) -> list[Path]:
    return [p for p in store.root.rglob("*") if p.is_file()] if store.root.exists() else []


@pytest.mark.parametrize(
    ("content", "name", "mime"),
    [
        (PDF, "Minutes.pdf", "application/pdf"),
        (PNG, "scan.png", "image/png"),
        (JPEG, "photo.JPG", "image/jpeg"),
        (ooxml(DOCX), "letter.docx", DOCX),
        (ooxml(XLSX), "figures.xlsx", XLSX),
        (ooxml(PPTX), "slides.pptx", PPTX),
        (odf(ODT), "note.odt", ODT),
        (odf(ODS), "sheet.ods", ODS),
        ("Plain notes, ünïcödé and اردو".encode(), "notes.txt", "text/plain"),
        (CSV_WITH_SCRIPT, "data.csv", "text/csv"),
    ],
)
def test_allowed_kinds_are_stored_with_the_sniffed_type(store: Storage, content: bytes, name: str, mime: str) -> None:
    stored = store.save(io.BytesIO(content), name)
    assert stored.content_type == mime
    assert store.path_for(stored.sha256).read_bytes() == content


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (HTML, "report.pdf"),  # a page dressed as a PDF
        (HTML, "notes.txt"),  # a page as "text"
        (b"  <svg onload=alert(1)>", "notes.txt"),
        (b'<?xml version="1.0"?><svg/>', "data.csv"),
        (b"<p>hello</p>", "readme.md"),
        (b"MZ\x90\x00\x03", "report.pdf"),  # a Windows executable
        (PDF, "report.exe"),
        (PNG, "photo.jpg"),  # a PNG claiming to be a JPEG
        (zipped({"payload.exe": b"MZ"}), "letter.docx"),  # a plain ZIP is not a document
        (ooxml(DOCX, "application/vnd.ms-word.document.macroEnabled.main+xml"), "letter.docx"),  # a .docm renamed
        (ooxml(DOCX, **{"word/vbaProject.bin": b"macro"}), "letter.docx"),
        (ooxml(XLSX), "letter.docx"),  # a spreadsheet claiming to be a letter
        (zipped({"mimetype": ODS.encode()}, first="mimetype"), "note.odt"),
        (zipped({"content.xml": b"x"}), "archive.zip"),  # archives are not on the list
        (b"PK\x03\x04 truncated", "letter.docx"),
        ("text".encode("utf-16"), "notes.txt"),
    ],
)
def test_refused_kinds_leave_nothing_behind(store: Storage, content: bytes, name: str) -> None:
    with pytest.raises(Invalid) as refused:
        store.save(io.BytesIO(content), name)
    assert "file" in refused.value.fields
    assert stored_files(store) == []  # neither the file nor a temporary copy


def test_files_over_the_size_limit_are_refused_and_not_kept(tmp_path: Path) -> None:
    small = Storage(tmp_path / "attachments", 100)
    with pytest.raises(Invalid, match="too large"):
        small.save(io.BytesIO(PDF + b"x" * 200), "big.pdf")
    assert stored_files(small) == []


def test_a_request_over_max_content_length_is_refused_before_it_is_read(configured_app: Any, add_user: Any) -> None:
    app = configured_app(MAX_CONTENT_LENGTH=1024)
    user = add_user(role=Role.SECRETARIAT, org="DMW")
    client = app.test_client()
    assert sign_in(client, user.username).status_code == 302
    response = client.post("/engagements/1/attachments", data={"file": (io.BytesIO(PDF * 100), "big.pdf")})
    assert response.status_code == 413


def test_files_are_stored_outside_static_and_never_served_from_it(app: Flask, client: Any) -> None:
    root = Path(app.extensions["rabta.storage"].root).resolve()
    static = Path(app.static_folder or "").resolve()
    assert static not in root.parents
    assert root != static
    assert client.get("/static/../instance/attachments").status_code == 404


# Every download route: attachment, nosniff, the sniffed type, no caching.


@pytest.fixture
def file_root(app: Flask, tmp_path: Path) -> Iterator[None]:
    store: Storage = app.extensions["rabta.storage"]
    root = store.root
    store.root = tmp_path / "attachments"
    yield
    store.root = root


def _csv() -> Any:
    return storage().save(io.BytesIO(CSV_WITH_SCRIPT), "figures.csv")


def _engagement_file(session: Any, keeper: User) -> str:
    company = make_company(session)
    data = EngagementInput(
        direction=Direction.INBOUND,
        kind=EngagementKind.EMAIL,
        occurred_at=utcnow() - timedelta(days=1),
        company_id=company.id,
        subject="Inbound note",
        summary="A note.",
        classification=Clearance.UNCLASSIFIED,
        needs_no_response=True,
    )
    engagement = log_engagement(session, actor=keeper, data=data)
    return f"/engagements/files/{add_attachment(session, actor=keeper, engagement_id=engagement.id, stored=_csv()).id}"


def _evidence_file(session: Any, keeper: User) -> str:
    commitment = make_commitment(session, actor=keeper, company_id=make_company(session).id)
    attachment = attach_evidence(session, actor=keeper, commitment_id=commitment.id, stored=_csv())
    return f"/commitments/files/{attachment.id}"


def _progress_file(session: Any, keeper: User) -> str:
    if not session.scalar(select(Directive.id).limit(1)):
        load_reference_directives(session)
    directive_id = session.scalar(select(Directive.id).order_by(Directive.id).limit(1))
    report = add_progress_report(
        session,
        actor=keeper,
        directive_id=directive_id,
        organisation_id=keeper.organisation_id,
        text="Progress.",
        files=[_csv()],
    )
    attachment_id = session.scalar(select(Attachment.id).where(Attachment.progress_report_id == report.id))
    return f"/directives/files/{attachment_id}"


def _data_response_file(session: Any, keeper: User) -> str:
    request = make_request(session, by=keeper, org="PTA")
    responder = make_user(session, role=Role.MEMBER, org="PTA")
    response = respond_to_data_request(session, actor=responder, request_id=request.id, text="Attached.")
    attachment = attach_response_file(session, actor=responder, response_id=response.id, stored=_csv())
    return f"/data-requests/files/{attachment.id}"


def _draft_file(session: Any, keeper: User) -> str:
    review = make_review(session, by=keeper)
    return f"/draft-reviews/files/{attach_draft_file(session, actor=keeper, review_id=review.id, stored=_csv()).id}"


ROUTES: dict[str, Callable[[Any, User], str]] = {
    "engagement attachment": _engagement_file,
    "commitment evidence": _evidence_file,
    "directive progress file": _progress_file,
    "data request response file": _data_response_file,
    "draft review file": _draft_file,
}


@pytest.mark.usefixtures("file_root")
@pytest.mark.parametrize("kind", list(ROUTES))
def test_every_download_route_forces_a_download_with_nosniff(app: Flask, connection: Any, kind: str) -> None:
    with app.app_context():
        session = get_session()
        # The secretariat reads every kind of file and needs no second factor to sign in.
        keeper = make_user(session, role=Role.SECRETARIAT, org="DMW", clearance=Clearance.SECRET)
        path = ROUTES[kind](session, keeper)
        session.commit()
    client = app.test_client()
    assert sign_in(client, keeper.username).status_code == 302

    with client.get(path) as response:
        assert response.status_code == 200, path
        body = response.data

    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "filename=figures.csv" in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Type"].startswith("text/csv")  # the sniffed type, never text/html
    assert "no-store" in response.headers["Cache-Control"]
    assert body == CSV_WITH_SCRIPT


def test_the_download_routes_tested_are_all_there_are(app: Flask) -> None:
    """A new route serving stored files must be added to ROUTES above (and so be tested)."""
    tested = {
        "/engagements/files/",
        "/commitments/files/",
        "/directives/files/",
        "/data-requests/files/",
        "/draft-reviews/files/",
    }
    serving = {r.rule.split("<")[0] for r in app.url_map.iter_rules() if "files/<" in r.rule}
    assert serving == tested
