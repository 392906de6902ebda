"""CSV in and out, shared by every list and import.

Exports neutralise spreadsheet formulas (OWASP "CSV injection"): a cell that starts with
= + - @ or a tab/CR is prefixed with an apostrophe, so opening the file in Excel runs nothing.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from enum import Enum
from typing import Any

from flask import Response

from crm.formatting import format_date, format_datetime

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MAX_IMPORT_BYTES = 5 * 1024 * 1024


def cell(value: Any) -> str:
    """One value as CSV text: dates dd-mm-yyyy, times in PKT, enums by value, formulas defused."""
    if value is None:
        text = ""
    elif isinstance(value, datetime):
        text = format_datetime(value)
    elif isinstance(value, date):
        text = format_date(value)
    elif isinstance(value, Enum):
        text = str(value.value)
    elif isinstance(value, bool):
        text = "yes" if value else "no"
    else:
        text = str(value)
    return "'" + text if needs_formula_guard(text) else text


def needs_formula_guard(text: str) -> bool:
    """A formula start, also behind apostrophes: a text that looks guarded already ('=x) is
    guarded again, so the import, which takes one apostrophe off, gives back what was stored."""
    return text.lstrip("'").startswith(FORMULA_STARTS)


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Response:
    """A CSV download (UTF-8 with BOM, so Excel reads Urdu names correctly), without a marking.

    Lists use crm.exports.export_response instead (CSV or XLSX, marked); this stays for callers
    that produce something other than a list."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([cell(value) for value in row])
    response = Response(buffer.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def read_csv(data: bytes) -> tuple[list[str], list[dict[str, str]]]:
    """Header and rows of an uploaded CSV; ValueError with a readable reason if it is not one."""
    if len(data) > MAX_IMPORT_BYTES:
        raise ValueError("The file is larger than 5 MB; split it.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError("The file is not UTF-8 text. Save it as 'CSV UTF-8' and try again.") from None
    if "\x00" in text:
        raise ValueError("The file contains NUL characters; it is not a CSV file.")
    try:
        return _rows(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:  # e.g. a quote left open at the end of the file
        raise ValueError(f"The file is not valid CSV ({error}).") from None


def _rows(lines: Iterator[list[str]]) -> tuple[list[str], list[dict[str, str]]]:
    header = [name.strip().lower() for name in next(lines, [])]
    if header[:1] and header[0].startswith("classification:") and not any(header[1:]):
        # An export's marking row (crm.exports): the real header follows it.
        header = [name.strip().lower() for name in next(lines, [])]
    if not any(header):
        raise ValueError("The file has no header row.")
    rows = [dict(zip(header, (value.strip() for value in raw), strict=False)) for raw in lines if any(raw)]
    return header, rows
