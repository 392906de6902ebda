"""One export mechanism for every list: CSV and XLSX with the classification marking.

A file carries the marking of its most sensitive row twice: in its name
(`engagements-2026-12-02-RESTRICTED.xlsx`) and in its first row ("Classification: RESTRICTED");
an XLSX also prints it top and bottom of every page and names it in the document properties.
Cell text is the page's: dates dd-mm-yyyy, times Asia/Karachi ("PKT"), enums by value.

Formulas never run. CSV cells that start with = + - @ (or a tab or CR) get a leading
apostrophe (OWASP "CSV injection"); XLSX cells are always written as text or numbers, never as
formulas, so they keep their exact text. Exports are bounded by the caller (EXPORT_LIMIT rows);
CSV is streamed, XLSX is built in XlsxWriter's constant-memory mode.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from enum import Enum, StrEnum
from typing import Any

import xlsxwriter
from flask import Response
from sqlalchemy.orm import Session

from crm.accounts.models import Clearance
from crm.authz import actor
from crm.csvio import cell
from crm.exports.services import record_export
from crm.formatting import KARACHI, format_date, format_datetime

EXPORT_LIMIT = 10_000  # rows in one file: beyond this a filter is needed, not a bigger file
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Passed as route defaults: `@bp.route("/x.xlsx", defaults=XLSX)` above `@bp.route("/x.csv", defaults=CSV)`.
CSV = {"fmt": "csv"}
XLSX = {"fmt": "xlsx"}


class Format(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


def highest(levels: Iterable[Clearance]) -> Clearance:
    """The most sensitive of `levels` (UNCLASSIFIED when there are none)."""
    return max(levels, key=lambda level: level.rank, default=Clearance.UNCLASSIFIED)


def marking(classification: Clearance) -> str:
    """`RESTRICTED`: the marking as it appears in file names and headers."""
    return classification.value.upper()


def export_filename(stem: str, fmt: Format | str, classification: Clearance, *, today: date | None = None) -> str:
    """`<stem>-<yyyy-mm-dd, Pakistan date>-<MARKING>.<csv|xlsx>` (ISO date: file names sort)."""
    day = today or datetime.now(KARACHI).date()
    return f"{stem}-{day.isoformat()}-{marking(classification)}.{Format(fmt).value}"


def text(value: Any) -> str:
    """One value as display text (no formula guard): dates dd-mm-yyyy, times PKT, enums by value."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, date):
        return format_date(value)
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def export_response(
    rows: Iterable[Sequence[Any]],
    header: Sequence[str],
    *,
    filename: str,
    format: Format | str,  # noqa: A002 (the name the brief and callers use)
    classification: Clearance = Clearance.UNCLASSIFIED,
) -> Response:
    """A download of `rows` under `header`; `filename` is the stem (`engagements`).

    The caller has already bounded the rows, checked who may see them and audited the export.
    """
    fmt = Format(format)
    name = export_filename(filename, fmt, classification)
    if fmt is Format.CSV:
        response = Response(_csv_chunks(rows, header, classification), mimetype="text/csv")
    else:
        response = Response(_xlsx_bytes(rows, header, classification), mimetype=XLSX_MIMETYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["X-Classification"] = marking(classification)
    return response


def _csv_line(values: Sequence[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(values)
    return buffer.getvalue()


def _csv_chunks(rows: Iterable[Sequence[Any]], header: Sequence[str], classification: Clearance) -> Iterator[str]:
    # UTF-8 with BOM, so Excel reads Urdu names correctly; the marking row comes first.
    yield "\ufeff" + _csv_line([f"Classification: {marking(classification)}"])
    yield _csv_line(list(header))
    for row in rows:
        yield _csv_line([cell(value) for value in row])


def _xlsx_bytes(rows: Iterable[Sequence[Any]], header: Sequence[str], classification: Clearance) -> bytes:
    output = io.BytesIO()
    options = {"constant_memory": True, "strings_to_formulas": False, "strings_to_numbers": False,
               "strings_to_urls": False, "default_date_format": "dd-mm-yyyy"}  # fmt: skip
    workbook = xlsxwriter.Workbook(output, options)
    label = f"Classification: {marking(classification)}"
    workbook.set_properties({"subject": label, "keywords": marking(classification), "title": label})
    sheet = workbook.add_worksheet("Export")
    # Printed pages carry the marking top and bottom, like every other marked document.
    sheet.set_header(f"&C{label}")
    sheet.set_footer(f"&C{label}")
    bold = workbook.add_format({"bold": True})
    sheet.write_string(0, 0, label, bold)
    for column, title in enumerate(header):
        sheet.write_string(1, column, title, bold)
    sheet.freeze_panes(2, 0)
    for number, row in enumerate(rows, start=2):
        for column, value in enumerate(row):
            _write(sheet, number, column, value)
    workbook.close()
    return output.getvalue()


def _write(sheet: Any, row: int, column: int, value: Any) -> None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        sheet.write_number(row, column, value)
    else:
        # write_string: whatever the text starts with (=, +, -, @), it is a string, never a formula.
        sheet.write_string(row, column, text(value))


def audited_export(
    session: Session,
    *,
    register: str,
    fmt: str,
    filters: dict[str, Any],
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
    classification: Clearance = Clearance.UNCLASSIFIED,
    filename: str | None = None,
) -> Response:
    """The export of a list whose rows the caller selected (and may show): audited (R8), committed,
    then sent. `register` names the audit action (`<register>.export`) and, by default, the file."""
    fmt = Format(fmt).value
    record_export(session, actor=actor(), register=register, fmt=fmt, filters=filters, rows=len(rows),
                  classification=classification)  # fmt: skip
    session.commit()
    return export_response(rows, header, filename=filename or register.replace("_", "-"), format=fmt,
                           classification=classification)  # fmt: skip
