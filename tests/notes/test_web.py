"""Notes requests through the pages and the API: R5 without a grant, with one, after expiry;
R6 (self_approval) refused with nothing written; the watermarked PDF copy."""

from __future__ import annotations

from datetime import timedelta

import pytest
from markupsafe import escape
from sqlalchemy import select

from crm.accounts.models import Clearance, User
from crm.audit.models import AuditEvent
from crm.db import utcnow
from crm.notes import services
from crm.notes.models import NotesRequest
from tests.channel.conftest import assert_error, page_csrf
from tests.engagements.factories import log
from tests.notes.factories import MINUTES, WHY, confidential_meeting, granted


@pytest.fixture
def meeting(in_app, web_world):
    return in_app(lambda session: confidential_meeting(session, _fresh_world(session, web_world)))


class _Fresh:
    """The world's people and records as this session sees them."""

    def __init__(self, session, world):
        self._session, self._world = session, world

    def __getattr__(self, name):
        record = getattr(self._world, name)
        return self._session.get(type(record), record.id)


def _fresh_world(session, world):
    return _Fresh(session, world)


def grant(in_app, world, engagement, **kwargs) -> NotesRequest:
    def build(session):
        w = _fresh_world(session, world)
        return granted(session, requester=w.member, decider=w.focal, engagement=engagement, **kwargs)

    return in_app(build)


def test_the_page_refuses_minutes_without_a_grant_and_offers_a_request(login, web_world, meeting):
    page = login(web_world.member).get(f"/engagements/{meeting.id}").get_data(as_text=True)

    assert MINUTES.split("**")[0] not in page
    assert 'data-testid="minutes-withheld"' in page
    assert f"/notes/new?engagement_id={meeting.id}" in page


def test_request_approve_read_through_the_pages(login, in_app, counts, web_world, meeting):
    member, focal = login(web_world.member), login(web_world.focal)
    token = page_csrf(member, f"/notes/new?engagement_id={meeting.id}")
    filed = member.post("/notes/new", data={"engagement_id": meeting.id, "justification": WHY, "csrf_token": token})
    assert filed.status_code == 302
    request_id = int(filed.headers["Location"].rsplit("/", 1)[1])

    waiting = focal.get("/notes").get_data(as_text=True)
    assert "Awaiting decision" in waiting
    assert "Compliance officer" in waiting
    token = page_csrf(focal, f"/notes/{request_id}")
    approved = focal.post(f"/notes/{request_id}/approve", data={"version": 1, "days": 30, "csrf_token": token})
    assert approved.status_code == 302

    reads = counts(AuditEvent)[0]
    page = member.get(f"/engagements/{meeting.id}").get_data(as_text=True)
    assert "<strong>agreed</strong>" in page
    assert counts(AuditEvent)[0] == reads + 1  # the read of the minutes is audited
    assert "Correct the record" not in page  # a grant opens reading only
    mine = member.get("/notes?view=mine").get_data(as_text=True)
    assert "Granted" in mine


def test_the_page_refuses_self_approval_and_writes_nothing(login, in_app, counts, web_world, meeting):
    def chair_asks(session):
        chair = session.get(User, web_world.chair.id)
        return services.request_notes(session, actor=chair, justification=WHY, engagement_id=meeting.id)

    request = in_app(chair_asks)
    chair = login(web_world.chair)
    page = chair.get(f"/notes/{request.id}").get_data(as_text=True)
    assert "Approve" not in page
    before = counts(NotesRequest)

    token = page_csrf(chair, "/notes")
    response = chair.post(f"/notes/{request.id}/approve", data={"version": request.version, "days": 30,
                                                                "csrf_token": token})  # fmt: skip

    assert response.status_code == 403
    assert "No one decides their own notes request" in response.get_data(as_text=True)
    assert counts(NotesRequest) == before
    assert in_app(lambda s: s.get(NotesRequest, request.id).status.value) == "pending"


def test_a_duplicate_request_through_the_page_is_refused_politely(login, in_app, counts, web_world, meeting):
    member = login(web_world.member)
    path = f"/notes/new?engagement_id={meeting.id}"
    data = {"engagement_id": meeting.id, "justification": WHY, "csrf_token": page_csrf(member, path)}
    assert member.post("/notes/new", data=data).status_code == 302
    before = counts(NotesRequest)

    again = member.post("/notes/new", data=data)

    assert again.status_code == 409
    assert "You have already asked for these minutes" in again.get_data(as_text=True)
    assert str(escape(WHY)) in again.get_data(as_text=True)  # the input is kept
    assert counts(NotesRequest) == before


def test_requests_are_seen_by_their_requester_and_the_deciders_only(login, in_app, web_world, meeting):
    request = grant(in_app, web_world, meeting)
    assert login(web_world.observer).get(f"/notes/{request.id}").status_code == 404
    assert login(web_world.member).get(f"/notes/{request.id}").status_code == 200
    assert login(web_world.chair).get(f"/notes/{request.id}").status_code == 200


# The API


def test_the_api_withholds_minutes_without_a_grant_then_shows_them(client, bearer, in_app, web_world, meeting):
    member, focal = bearer(web_world.member), bearer(web_world.focal)
    url = f"/api/v1/engagements/{meeting.id}"
    body = client.get(url, headers=member).get_json()
    assert (body["minutes"], body["minutes_withheld"]) == (None, "no_grant")

    filed = client.post("/api/v1/notes-requests", json={"engagement_id": meeting.id, "justification": WHY},
                        headers=member)  # fmt: skip
    assert filed.status_code == 201, filed.get_data(as_text=True)
    request_id = filed.get_json()["id"]
    assert (
        client.get("/api/v1/notes-requests?scope=to_decide", headers=focal).get_json()["items"][0]["id"] == request_id
    )

    approved = client.post(f"/api/v1/notes-requests/{request_id}/approve", json={"days": 7}, headers=focal)
    assert approved.status_code == 200, approved.get_data(as_text=True)
    assert approved.get_json()["status"] == "approved"
    assert approved.get_json()["expires_at"]

    shown = client.get(url, headers=member).get_json()
    assert (shown["minutes"], shown["minutes_withheld"]) == (MINUTES, None)


def test_the_api_refuses_self_approval_and_writes_nothing(client, bearer, counts, web_world, meeting):
    headers = bearer(web_world.focal)
    filed = client.post("/api/v1/notes-requests", json={"engagement_id": meeting.id, "justification": WHY},
                        headers=headers).get_json()  # fmt: skip
    before = counts(NotesRequest)

    assert_error(client.post(f"/api/v1/notes-requests/{filed['id']}/approve", json={}, headers=headers), 403,
                 "self_approval")  # fmt: skip
    assert_error(client.post(f"/api/v1/notes-requests/{filed['id']}/decline", json={"reason": "x"}, headers=headers),
                 403, "self_approval")  # fmt: skip
    assert counts(NotesRequest) == before
    assert client.get(f"/api/v1/notes-requests/{filed['id']}", headers=headers).get_json()["status"] == "pending"


def test_the_api_refuses_an_expired_grant_and_keeps_clearance(client, bearer, in_app, web_world, meeting):
    grant(in_app, web_world, meeting, now=utcnow() - timedelta(days=40), days=30)
    body = client.get(f"/api/v1/engagements/{meeting.id}", headers=bearer(web_world.member)).get_json()
    assert (body["minutes"], body["minutes_withheld"]) == (None, "no_grant")

    secret = in_app(lambda s: log(s, s.get(User, web_world.chair.id), web_world.company.id,
                                  classification=Clearance.SECRET, minutes="Secret"))  # fmt: skip
    grant(in_app, web_world, secret)
    body = client.get(f"/api/v1/engagements/{secret.id}", headers=bearer(web_world.member)).get_json()
    assert (body["minutes"], body["minutes_withheld"]) == (None, "insufficient_clearance")


def test_the_api_validates_and_hides_others_requests(client, bearer, in_app, web_world, meeting):
    member = bearer(web_world.member)
    error = assert_error(client.post("/api/v1/notes-requests", json={"justification": WHY}, headers=member), 422,
                         "validation_failed")  # fmt: skip
    assert "engagement_id" in error["fields"]
    request = grant(in_app, web_world, meeting)
    assert_error(client.get(f"/api/v1/notes-requests/{request.id}", headers=bearer(web_world.observer)), 404,
                 "not_found")  # fmt: skip
    assert_error(client.post(f"/api/v1/notes-requests/{request.id}/decline", json={}, headers=bearer(web_world.chair)),
                 422, "validation_failed")  # fmt: skip
    revoked = client.post(f"/api/v1/notes-requests/{request.id}/revoke", json={}, headers=bearer(web_world.chair))
    assert revoked.get_json()["status"] == "revoked"
    assert client.get("/api/v1/notes-requests", headers=member).get_json()["items"][0]["id"] == request.id


# The PDF copy


def test_the_pdf_copy_is_watermarked_audited_and_refused_without_a_grant(login, in_app, counts, web_world, meeting):
    member = login(web_world.member)
    path = f"/notes/minutes/{meeting.id}.pdf"
    before = counts()
    assert member.get(path).status_code == 403
    assert counts() == before

    grant(in_app, web_world, meeting)
    before = counts()
    response = member.get(path)

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert "attachment" in response.headers["Content-Disposition"]
    actions = in_app(lambda s: list(s.scalars(select(AuditEvent.action).order_by(AuditEvent.seq.desc()).limit(2))))
    assert set(actions) == {"engagement.read_minutes", "engagement.export_minutes_pdf"}
    assert counts()[0] == before[0] + 2
