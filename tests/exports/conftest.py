"""Fixtures for export tests: a world with engagements at every level, and readers for CSV and
XLSX downloads (XLSX opened with zipfile: no extra package). seed, rows and login come from
tests/fixtures/common.py."""

from __future__ import annotations

import csv
import html
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from crm.accounts.models import Clearance
from crm.db import utcnow
from crm.engagements.models import EngagementKind
from tests.engagements.factories import build_world, log

FILENAME = re.compile(
    r'attachment; filename="(?P<stem>[a-z-]+)-(?P<day>\d{4}-\d{2}-\d{2})-(?P<mark>[A-Z]+)\.(?P<ext>csv|xlsx)"'
)


@dataclass
class Download:
    stem: str
    marking: str
    ext: str
    rows: list[list[str]]  # every row of the file, the marking row first

    @property
    def text(self) -> str:
        return "\n".join("\t".join(row) for row in self.rows)


def read_csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def read_xlsx(data: bytes) -> list[list[str]]:
    """Cells of the first sheet, row by row, as text (shared or inline strings and numbers).
    Fails if any cell is a formula."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
        names = archive.namelist()
        shared_xml = archive.read("xl/sharedStrings.xml").decode() if "xl/sharedStrings.xml" in names else ""
    assert "<f>" not in sheet, "an export cell is a formula"
    assert "<f " not in sheet, "an export cell is a formula"
    shared = [
        _unescape("".join(re.findall(r"<t[^>]*>(.*?)</t>", si, re.S)))
        for si in re.findall(r"<si>(.*?)</si>", shared_xml, re.S)
    ]
    table: list[list[str]] = []
    for row in re.findall(r"<row [^>]*>(.*?)</row>", sheet, re.S):
        values = []
        for attrs, body in re.findall(r"<c ([^>]*?)(?:/>|>(.*?)</c>)", row, re.S):
            if 't="s"' in attrs:
                values.append(shared[int(re.search(r"<v>(.*?)</v>", body).group(1))])
            elif 't="inlineStr"' in attrs:
                values.append(_unescape("".join(re.findall(r"<t[^>]*>(.*?)</t>", body, re.S))))
            else:
                found = re.search(r"<v>(.*?)</v>", body or "")
                values.append(found.group(1) if found else "")
        table.append(values)
    return table


def _unescape(text: str) -> str:
    return html.unescape(text)


def download(client: Any, path: str) -> Download:
    """GET an export; checks the status and the file name's shape, returns its cells."""
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code, response.get_data(as_text=True)[:500])
    match = FILENAME.fullmatch(response.headers["Content-Disposition"])
    assert match, response.headers["Content-Disposition"]
    data = response.get_data()
    if match["ext"] == "xlsx":
        assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        table = read_xlsx(data)
    else:
        assert response.mimetype == "text/csv"
        table = read_csv(data)
    assert table[0][0] == f"Classification: {match['mark']}"
    return Download(match["stem"], match["mark"], match["ext"], table)


@pytest.fixture
def world(seed):
    """build_world's people (chair SECRET, others CONFIDENTIAL) and three engagements:
    unclassified and restricted meetings, and a secret phone call."""

    def build(s):
        w = build_world(s)
        earlier = utcnow() - timedelta(days=3)
        log(
            s,
            w.chair,
            w.company.id,
            subject="Open meeting",
            classification=Clearance.UNCLASSIFIED,
            occurred_at=earlier,
            location="Islamabad",
            minutes="open-minutes-text",
        )
        log(
            s,
            w.chair,
            w.company.id,
            subject="Restricted meeting",
            classification=Clearance.RESTRICTED,
            occurred_at=earlier + timedelta(hours=1),
        )
        log(
            s,
            w.chair,
            w.company.id,
            subject="Secret call",
            classification=Clearance.SECRET,
            kind=EngagementKind.PHONE_CALL,
            occurred_at=earlier + timedelta(hours=2),
            minutes="secret-minutes-text",
        )
        return w

    return seed(build)
