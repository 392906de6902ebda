"""The engagement pages, driven with real forms: the log, the form (R2 explained), detail (R5)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from crm.accounts.models import Clearance
from crm.audit.models import AuditEvent
from crm.engagements.models import Engagement
from crm.followups.models import FollowUp
from tests.conftest import csrf_token, sign_in
from tests.engagements.factories import log, make_company, make_thread

YESTERDAY = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()


def form_data(client, company_id, **overrides):
    data = {
        "csrf_token": csrf_token(client, f"/engagements/new?company_id={company_id}"),
        "company_id": str(company_id),
        "direction": "inbound",
        "kind": "meeting",
        "occurred_on": YESTERDAY,
        "occurred_time": "14:30",
        "location": "MoIT, Islamabad",
        "thread_id": "",
        "subject": "Liaison office timeline",
        "summary": "Google set out its timeline.",
        "minutes": "Google **agreed** to revert.",
        "classification": "restricted",
        "our_ref": "MoIT/2026/17",
        "their_ref": "",
        "diary_no": "",
    }
    data.update(overrides)
    return data


def signed_in(client, user):
    assert sign_in(client, user.username).status_code == 302
    return client


def test_the_focal_person_logs_a_meeting_and_reads_the_rendered_minutes(client, web_world, rows):
    signed_in(client, web_world.focal)
    data = form_data(client, web_world.company.id, direction="outbound", thread_id=str(web_world.thread.id))
    data["participant_ids"] = [str(web_world.chair.id), str(web_world.member.id)]
    data["contact_ids"] = [str(web_world.contact.id)]

    response = client.post("/engagements/new", data=data)

    assert response.status_code == 302, response.get_data(as_text=True)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Liaison office timeline" in page
    assert "<strong>agreed</strong>" in page
    assert "RESTRICTED" in page
    assert page.count('class="marking marking--restricted"') == 2  # top and bottom
    assert web_world.contact.name in page
    assert "14:30 PKT" in page
    assert rows(AuditEvent, AuditEvent.action == "engagement.read_minutes") == 1


def test_the_time_is_entered_in_pakistan_time_and_stored_in_utc(app, client, web_world, scalar):
    signed_in(client, web_world.member)

    client.post("/engagements/new", data=form_data(client, web_world.company.id, occurred_time="14:30"))

    stored = scalar(select(Engagement.occurred_at).order_by(Engagement.id.desc()).limit(1))
    assert (stored.hour, stored.minute, stored.utcoffset()) == (9, 30, timedelta(0))


def test_a_member_sees_the_channel_rule_up_front(client, web_world):
    signed_in(client, web_world.member)

    page = client.get(f"/engagements/new?company_id={web_world.company.id}").get_data(as_text=True)

    assert 'data-testid="channel-note"' in page
    assert "Only the designated focal person can record an outbound engagement" in page
    assert 'value="outbound"' in page  # still offered, and explained


def test_a_member_refused_outbound_keeps_the_input_and_is_offered_an_engagement_request(app, client, web_world, rows):
    signed_in(client, web_world.member)
    before = (rows(Engagement), rows(FollowUp), rows(AuditEvent))

    response = client.post(
        "/engagements/new",
        data=form_data(client, web_world.company.id, direction="outbound", minutes="Please raise takedowns."),
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 403
    assert 'data-testid="channel-refusal"' in page
    assert "Only the designated focal person can record an outbound engagement" in page
    assert 'value="Liaison office timeline"' in page
    assert "Please raise takedowns." in page
    if "requests.new" in app.view_functions:
        assert f'href="/requests/new?company_id={web_world.company.id}"' in page
        assert "File an engagement request" in page
    assert (rows(Engagement), rows(FollowUp), rows(AuditEvent)) == before


def test_with_nobody_designated_the_refusal_says_so(app, client, web_world, in_app):
    from crm.designations.models import DesignationKind
    from crm.designations.queries import active_designation
    from crm.designations.services import end_designation

    def vacate(session):
        designation = active_designation(session, DesignationKind.FOCAL_PERSON)
        end_designation(session, actor=session.merge(web_world.chair), designation_id=designation.id)

    in_app(vacate)
    signed_in(client, web_world.focal)

    response = client.post("/engagements/new", data=form_data(client, web_world.company.id, direction="outbound"))

    assert response.status_code == 403
    assert "No focal person is designated at present" in response.get_data(as_text=True)


def test_inbound_by_a_member_is_recorded_but_the_minutes_are_not_shown_back(client, web_world, rows):
    signed_in(client, web_world.member)

    response = client.post("/engagements/new", data=form_data(client, web_world.company.id))

    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Google set out its timeline." in page  # the summary is for everyone
    assert "agreed" not in page
    assert 'data-testid="minutes-withheld"' in page
    assert "approved notes request" in page
    assert rows(FollowUp) == 1


def test_markdown_script_is_neutralised(client, web_world):
    signed_in(client, web_world.focal)
    minutes = '<script>alert("x")</script>\n\n[click](javascript:alert(1)) <img src=x onerror=alert(1)>'

    response = client.post("/engagements/new", data=form_data(client, web_world.company.id, minutes=minutes))

    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "<script>alert" not in page
    assert "&lt;script&gt;" in page
    assert 'href="javascript' not in page
    assert "<img" not in page


def test_an_observer_does_not_get_the_form(client, web_world):
    signed_in(client, web_world.observer)

    assert client.get(f"/engagements/new?company_id={web_world.company.id}").status_code == 403
    assert "Log an engagement" not in client.get("/engagements").get_data(as_text=True)


def test_the_form_starts_with_choosing_the_company_and_then_offers_its_threads_only(client, web_world, in_app):
    other = in_app(lambda session: make_thread(session, make_company(session), session.merge(web_world.chair)).title)
    signed_in(client, web_world.member)

    chooser = client.get("/engagements/new").get_data(as_text=True)
    form = client.get(f"/engagements/new?company_id={web_world.company.id}").get_data(as_text=True)

    assert "First choose the company" in chooser
    assert web_world.company.name in chooser
    assert web_world.thread.title in form
    assert other not in form


def test_a_thread_of_another_company_is_refused_with_the_input_kept(client, web_world, in_app, rows):
    other = in_app(lambda session: make_thread(session, make_company(session), session.merge(web_world.chair)).id)
    signed_in(client, web_world.member)

    response = client.post("/engagements/new", data=form_data(client, web_world.company.id, thread_id=str(other)))

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Choose a negotiation thread of this company" in page
    assert 'value="Liaison office timeline"' in page
    assert rows(Engagement) == 0


def test_classification_choices_stop_at_the_users_clearance(client, web_world):
    signed_in(client, web_world.member)  # confidential

    page = client.get(f"/engagements/new?company_id={web_world.company.id}").get_data(as_text=True)

    assert 'value="confidential"' in page
    assert 'value="secret"' not in page


# The list and the export.


@pytest.fixture
def three(in_app, web_world):
    def make(session):
        focal, company = session.merge(web_world.focal), web_world.company.id
        now = datetime.now(UTC)
        log(session, focal, company, subject="Oldest", occurred_at=now - timedelta(days=30))
        log(session, focal, company, subject="Middle", occurred_at=now - timedelta(days=10), direction="outbound")
        other = make_company(session, "Other Platform")
        log(session, focal, other.id, subject="Newest", occurred_at=now - timedelta(days=1), kind="phone_call")
        return other.id

    return in_app(make)


def subjects(page):
    return re.findall(r'/engagements/\d+">([^<]+)</a>', page)


def test_the_list_is_newest_first_and_filters(client, web_world, three):
    signed_in(client, web_world.observer)

    assert subjects(client.get("/engagements").get_data(as_text=True)) == ["Newest", "Middle", "Oldest"]
    assert subjects(client.get(f"/engagements?company_id={three}").get_data(as_text=True)) == ["Newest"]
    assert subjects(client.get("/engagements?direction=outbound").get_data(as_text=True)) == ["Middle"]
    assert subjects(client.get("/engagements?kind=phone_call").get_data(as_text=True)) == ["Newest"]
    recent = (datetime.now(UTC) - timedelta(days=12)).date().isoformat()
    assert subjects(client.get(f"/engagements?date_from={recent}").get_data(as_text=True)) == ["Newest", "Middle"]
    assert subjects(client.get(f"/engagements?date_to={recent}").get_data(as_text=True)) == ["Oldest"]


def test_the_list_pages_with_a_keyset(client, web_world, three, monkeypatch):
    from crm.engagements import queries

    monkeypatch.setattr(queries, "PAGE_SIZE", 2)
    signed_in(client, web_world.member)

    first = client.get("/engagements").get_data(as_text=True)
    older = re.search(r'href="(/engagements\?before=[^"]+)">Older', first).group(1).replace("&amp;", "&")
    second = client.get(older).get_data(as_text=True)

    assert subjects(first) == ["Newest", "Middle"]
    assert subjects(second) == ["Oldest"]
    assert "Older engagements" not in second


@pytest.mark.parametrize(
    "query", ["before=garbage", "before=2026-01-01T00:00:00,abc", "before=2026-01-01T00:00:00,5", "company_id=-1",
              "company_id=99999999999", "direction=sideways", "date_from=31-12-2026", "date_to=0001-01-01",
              "date_from=9999-12-31", "kind=%00"],
)  # fmt: skip
def test_garbage_in_the_list_query_is_ignored_never_a_500(client, web_world, three, query):
    signed_in(client, web_world.member)

    assert client.get(f"/engagements?{query}").status_code in (200, 400)
    assert client.get(f"/engagements.csv?{query}").status_code in (200, 400)


def test_the_csv_export_never_carries_minutes_and_is_audited(client, web_world, three, rows):
    signed_in(client, web_world.member)

    response = client.get("/engagements.csv?direction=inbound")

    text = response.get_data(as_text=True)
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "Oldest" in text
    assert "Middle" not in text
    assert "agreed" not in text
    assert rows(AuditEvent, AuditEvent.action == "engagement.export") == 1


# Detail, R5 and corrections.


@pytest.fixture
def secret(in_app, web_world):
    return in_app(lambda s: log(s, s.merge(web_world.chair), web_world.company.id, classification=Clearance.SECRET).id)


def test_insufficient_clearance_is_explained_and_metadata_still_shown(client, web_world, secret, rows):
    signed_in(client, web_world.secretariat)  # confidential clearance

    page = client.get(f"/engagements/{secret}").get_data(as_text=True)

    assert "Data localisation" in page
    assert "Your clearance is below this engagement" in page
    assert "agreed" not in page
    assert page.count(">SECRET<") == 2
    assert rows(AuditEvent, AuditEvent.action == "engagement.read_minutes") == 0


def test_unknown_engagements_are_404(client, web_world):
    signed_in(client, web_world.member)

    for path in ("/engagements/999999", "/engagements/999999/correct", f"/engagements/{2**40}"):
        assert client.get(path).status_code == 404
