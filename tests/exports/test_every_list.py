"""Every list a user can see downloads as CSV and XLSX: marked, audited, and only the rows the
filters select and the user may see."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from crm.accounts.models import Clearance, Role
from crm.audit.models import AuditEvent
from crm.db import get_session
from crm.exceptions.models import ChannelException
from crm.notes.services import request_notes
from tests.channel.factories import make_exception, make_request
from tests.exports.conftest import download
from tests.factories import make_user
from tests.meetings.factories import make_meeting

# path, file stem, audit action
LISTS = [
    ("/engagements", "engagements", "engagement.export"),
    ("/companies", "companies", "companies.export"),
    ("/contacts", "contacts", "contacts.export"),
    ("/threads", "threads", "thread.export"),
    ("/commitments", "commitments", "commitment.export"),
    ("/follow-ups/all", "follow-ups", "follow_up.export"),
    ("/statements", "statements", "statement.export"),
    ("/requests/export", "engagement-requests", "engagement_requests.export"),
    ("/exceptions/export", "channel-exceptions", "channel_exceptions.export"),
    ("/designations/export", "designations", "designations.export"),
    ("/directives/export", "directives", "directives.export"),
    ("/notes/export", "notes-requests", "notes_requests.export"),
    ("/draft-reviews", "draft-reviews", "draft_reviews.export"),
    ("/data-requests", "data-requests", "data_requests.export"),
    ("/meetings", "meetings", "wg_meetings.export"),
    ("/audit/events", "audit-log", "audit_events.export"),
    ("/admin/users", "users", "users.export"),
]


def audit_count(app, action):
    with app.app_context():
        query = select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action)
        return get_session().scalar(query)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize(("path", "stem", "action"), LISTS, ids=[stem for _, stem, _ in LISTS])
def test_every_list_downloads_marked_and_audited(app, world, login, path, stem, action, fmt):
    client = login(world.chair)
    before = audit_count(app, action)

    got = download(client, f"{path}.{fmt}")

    assert got.stem == stem
    assert got.ext == fmt
    assert len(got.rows) >= 2  # the marking row and the header at least
    assert audit_count(app, action) == before + 1


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_engagements_carry_the_most_sensitive_rows_marking_and_never_minutes(world, login, fmt):
    client = login(world.member)  # everyone sees that an engagement happened (R5)

    everything = download(client, f"/engagements.{fmt}")
    meetings_only = download(client, f"/engagements.{fmt}?kind=meeting")

    assert everything.marking == "SECRET"
    assert "Secret call" in everything.text
    assert "secret-minutes-text" not in everything.text
    assert "open-minutes-text" not in everything.text
    assert meetings_only.marking == "RESTRICTED"
    assert "Secret call" not in meetings_only.text


def test_a_list_without_classified_rows_says_unclassified(world, login):
    assert download(login(world.chair), "/companies.xlsx").marking == "UNCLASSIFIED"


def test_meetings_are_marked_with_the_most_sensitive_meeting(seed, world, login):
    seed(lambda s: make_meeting(s, by=world.secretariat, title="Group meeting", classification=Clearance.CONFIDENTIAL))

    got = download(login(world.chair), "/meetings.csv")

    assert got.marking == "CONFIDENTIAL"
    assert "Group meeting" in got.text


def test_notes_requests_are_marked_with_the_engagements_they_name(seed, world, login):
    def build(s):
        from crm.engagements.models import Engagement

        secret = s.scalar(select(Engagement).where(Engagement.subject == "Secret call"))
        request_notes(s, actor=s.merge(world.member), justification="To brief the minister.", engagement_id=secret.id)

    seed(build)

    got = download(login(world.member), "/notes/export.xlsx")

    assert got.marking == "SECRET"
    assert "Secret call" in got.text
    assert "secret-minutes-text" not in got.text


def test_a_report_the_user_may_not_see_is_not_exported(seed, world, login):
    other = seed(lambda s: make_user(s, org="MoC", username="moc.reporter"))
    seed(lambda s: make_exception(s, by=s.merge(world.member), company=world.company, when=date(2021, 9, 1)))
    seed(lambda s: make_exception(s, by=s.merge(other), company=world.company, when=date(2021, 9, 2)))

    mine = download(login(world.member), "/exceptions/export.csv")
    everyone = download(login(world.chair), "/exceptions/export.csv")

    assert [row[1] for row in mine.rows[2:]] == ["01-09-2021"]
    assert sorted(row[1] for row in everyone.rows[2:]) == ["01-09-2021", "02-09-2021"]


def test_a_request_the_user_may_not_see_is_not_exported(seed, world, login):
    other = seed(lambda s: make_user(s, org="MoC", username="moc.requester"))
    seed(lambda s: make_request(s, by=s.merge(world.member), company=world.company, purpose="Member's own matter"))
    seed(lambda s: make_request(s, by=s.merge(other), company=world.company, purpose="Another ministry's matter"))

    mine = download(login(world.member), "/requests/export.xlsx")

    assert "Member's own matter" in mine.text
    assert "Another ministry's matter" not in mine.text


def test_the_filter_selects_the_exported_rows(world, login):
    got = download(login(world.chair), "/engagements.csv?kind=phone_call")

    assert [row[5] for row in got.rows[2:]] == ["Secret call"]


def test_who_may_not_see_a_list_may_not_export_it_and_nothing_is_written(world, login, rows):
    member, admin, observer = login(world.member), login(world.admin), login(world.observer)
    before = rows(ChannelException)

    assert member.get("/follow-ups/all.xlsx").status_code == 403
    assert admin.get("/commitments.xlsx").status_code == 403
    assert member.get("/admin/users.csv").status_code == 403
    assert observer.get("/audit/events.xlsx").status_code == 403
    assert rows(ChannelException) == before  # and no audit event


def test_cells_that_look_like_formulas_stay_text(seed, world, login):
    seed(lambda s: make_request(s, by=s.merge(world.member), company=world.company, purpose='=HYPERLINK("x")'))
    client = login(world.member)

    as_csv = download(client, "/requests/export.csv")
    as_xlsx = download(client, "/requests/export.xlsx")  # read_xlsx fails on any formula

    assert as_csv.rows[2][3] == '\'=HYPERLINK("x")'
    assert as_xlsx.rows[2][3] == '=HYPERLINK("x")'


def test_the_admin_role_alone_exports_users_but_not_content(world, login):
    client = login(world.admin)

    assert download(client, "/admin/users.xlsx").marking == "UNCLASSIFIED"
    assert client.get("/meetings.csv").status_code == 403


@pytest.mark.parametrize("role", [Role.CHAIR])
def test_the_audit_log_export_is_itself_audited(app, world, login, role):
    client = login(world.chair)
    download(client, "/audit/events.csv")

    second = download(client, "/audit/events.csv")

    assert "audit_events.export" in second.text
