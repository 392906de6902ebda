"""The export mechanism itself: marking, file names, formula defence, dates, XLSX structure."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from crm.accounts.models import Clearance
from crm.csvio import read_csv as read_import
from crm.exports import export_filename, export_response, highest
from tests.exports.conftest import read_csv, read_xlsx

HEADER = ("Name", "When", "Day", "Count", "Flag")
NASTY = ['=HYPERLINK("http://evil")', "+1+1", "-2+3", "@SUM(A1)", "plain"]


def rows():
    moment = datetime(2026, 12, 2, 4, 30, tzinfo=UTC)  # 09:30 in Karachi
    return [(text, moment, date(2026, 12, 2), 7, True) for text in NASTY]


def test_the_most_sensitive_level_marks_the_file():
    assert highest([Clearance.RESTRICTED, Clearance.SECRET, Clearance.UNCLASSIFIED]) is Clearance.SECRET
    assert highest([]) is Clearance.UNCLASSIFIED
    name = export_filename("engagements", "xlsx", Clearance.RESTRICTED, today=date(2026, 12, 2))
    assert name == "engagements-2026-12-02-RESTRICTED.xlsx"


def test_csv_has_the_marking_row_then_the_header_and_defuses_formulas(app):
    with app.test_request_context():
        response = export_response(rows(), HEADER, filename="things", format="csv", classification=Clearance.SECRET)
        assert response.is_streamed
        data = response.get_data()
    table = read_csv(data)
    assert table[0] == ["Classification: SECRET"]
    assert table[1] == list(HEADER)
    assert [row[0] for row in table[2:]] == ["'" + t for t in NASTY[:4]] + ["plain"]
    assert table[2][1:] == ["02-12-2026 09:30 PKT", "02-12-2026", "7", "yes"]
    assert "-SECRET.csv" in response.headers["Content-Disposition"]


def test_xlsx_writes_text_never_formulas_and_is_marked(app):
    with app.test_request_context():
        response = export_response(
            rows(), HEADER, filename="things", format="xlsx", classification=Clearance.CONFIDENTIAL
        )
        data = response.get_data()
    table = read_xlsx(data)  # fails on any <f> element
    assert table[0] == ["Classification: CONFIDENTIAL"]
    assert table[1] == list(HEADER)
    assert [row[0] for row in table[2:]] == NASTY  # kept exactly, as text
    assert table[2][1:] == ["02-12-2026 09:30 PKT", "02-12-2026", "7", "yes"]
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        core = archive.read("docProps/core.xml").decode()
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "Classification: CONFIDENTIAL" in core
    assert "&amp;CClassification: CONFIDENTIAL" in sheet  # printed header and footer


def test_an_export_reimports_although_it_starts_with_the_marking():
    data = "\ufeffClassification: UNCLASSIFIED\nname,legal_name\nAcme,Acme Inc.\n".encode()
    header, found = read_import(data)
    assert header == ["name", "legal_name"]
    assert found == [{"name": "Acme", "legal_name": "Acme Inc."}]


@pytest.mark.parametrize("fmt", ["pdf", ""])
def test_an_unknown_format_is_a_programming_error(app, fmt):
    with app.test_request_context(), pytest.raises(ValueError, match="is not a valid Format"):
        export_response([], HEADER, filename="x", format=fmt)
