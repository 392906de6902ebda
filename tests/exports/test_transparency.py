"""Transparency returns: UK and EU formats of UNCLASSIFIED meetings only, audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from crm.accounts.models import Clearance
from crm.audit.models import AuditEvent
from crm.db import get_session, utcnow
from crm.engagements.models import EngagementKind
from crm.formatting import KARACHI
from tests.engagements.factories import log
from tests.exports.conftest import download


def period() -> str:
    today = utcnow().astimezone(KARACHI).date()
    return f"date_from={(today - timedelta(days=30)).isoformat()}&date_to={today.isoformat()}"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_uk_return_lists_unclassified_meetings_with_the_focal_person_of_the_day(seed, world, login, fmt):
    # The focal person was designated after the first meeting (a vacancy then), before this one.
    seed(
        lambda s: log(
            s,
            s.merge(world.chair),
            world.company.id,
            subject="Later visit",
            occurred_at=utcnow(),
            kind=EngagementKind.VISIT,
            classification=Clearance.UNCLASSIFIED,
        )
    )

    got = download(login(world.member), f"/transparency/uk.{fmt}?{period()}")

    assert got.marking == "UNCLASSIFIED"
    assert got.stem == "meetings-uk-transparency"
    assert got.rows[1] == ["Minister", "Date", "Name of organisation or individual", "Purpose of meeting"]
    assert [row[2:] for row in got.rows[2:]] == [
        [world.company.name, "Open meeting"],
        [world.company.name, "Later visit"],
    ]
    assert [row[0] for row in got.rows[2:]] == ["NSMCWG (focal person post vacant)", world.focal.full_name]
    for secret in ("Restricted meeting", "Secret call", "open-minutes-text", "Discussed the liaison office"):
        assert secret not in got.text


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_eu_return_has_date_location_representatives_participants_and_subject(world, login, fmt):
    got = download(login(world.observer), f"/transparency/eu.{fmt}?{period()}")

    assert got.rows[1] == ["Date", "Location", "Name of interest representative(s)", "Participants", "Subject(s)"]
    assert len(got.rows) == 3
    assert got.rows[2][1:3] == ["Islamabad", world.company.name]
    assert got.rows[2][4] == "Open meeting"


def test_a_return_is_audited_with_its_format_and_period(app, world, login):
    download(login(world.member), f"/transparency/uk.csv?{period()}")

    with app.app_context():
        events = list(get_session().scalars(select(AuditEvent).where(AuditEvent.action == "transparency.export")))
    assert len(events) == 1
    assert events[0].after["filters"]["style"] == "uk"
    assert events[0].after["format"] == "csv"


def test_the_page_offers_both_formats_for_the_period(world, login):
    page = login(world.member).get(f"/transparency?{period()}").get_data(as_text=True)

    assert "1 meeting in this period" in page
    assert "/transparency/uk.xlsx?" in page
    assert "/transparency/eu.csv?" in page


def test_a_bad_period_is_re_shown_with_the_reason_and_nothing_written(world, login, rows):
    client = login(world.member)
    before = rows(AuditEvent)

    backwards = client.get("/transparency/uk.csv?date_from=2026-03-01&date_to=2026-01-01")
    garbage = client.get("/transparency/eu.xlsx?date_from=yesterday&date_to=")

    assert backwards.status_code == 422
    assert "The last day comes on or after the first day." in backwards.get_data(as_text=True)
    assert garbage.status_code == 422
    assert rows(AuditEvent) == before


def test_an_admin_has_no_transparency_returns(world, login):
    assert login(world.admin).get(f"/transparency/uk.csv?{period()}").status_code == 403
