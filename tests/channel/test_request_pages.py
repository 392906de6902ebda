"""Engagement request pages with real forms: file, decide, see the outcome."""

from __future__ import annotations

import pytest

from crm.accounts.models import Role
from crm.designations.models import DesignationKind
from crm.designations.queries import active_designation
from crm.designations.services import end_designation
from crm.followups.models import FollowUp
from crm.requests.models import EngagementRequest
from tests.channel.conftest import page_csrf
from tests.channel.factories import appoint, fresh, make_chair, make_company, make_request, make_thread
from tests.factories import make_user


@pytest.fixture
def world(seed):
    def build(s):
        chair = make_chair(s, username="nsa.chair")
        focal = make_user(s, username="focal.person")
        appoint(s, chair=chair, user=focal)
        member = make_user(s, org="MoFA", username="mofa.member")
        company = make_company(s, "Alphabet (Google)")
        thread = make_thread(s, company=company, created_by=chair, title="Google liaison office in Pakistan")
        return {"chair": chair, "focal": focal, "member": member, "company": company, "thread": thread,
                "secretariat": make_user(s, role=Role.SECRETARIAT, username="sec.one"),
                "observer": make_user(s, role=Role.OBSERVER, org="PMO", username="pmo.obs"),
                "other": make_user(s, org="MoC", username="moc.member")}  # fmt: skip

    return seed(build)


@pytest.fixture
def pending(seed, world):
    return seed(lambda s: make_request(s, by=fresh(s, world["member"]), company=world["company"]))


def new_form(client, world, **overrides):
    data = {"company_id": str(world["company"].id), "thread_id": "", "purpose": "Ask Google about a liaison office.",
            "urgency": "urgent", "csrf_token": page_csrf(client, "/requests/new")}  # fmt: skip
    return data | overrides


def test_a_member_files_a_request_from_a_prefilled_form(login, world, rows):
    client = login(world["member"])
    company, thread = world["company"], world["thread"]
    form = client.get(f"/requests/new?company_id={company.id}&thread_id={thread.id}").get_data(as_text=True)
    assert f'<option selected value="{company.id}">Alphabet (Google)</option>' in form
    assert f'<option selected value="{thread.id}">Google liaison office in Pakistan</option>' in form
    before = rows(EngagementRequest)

    response = client.post("/requests/new", data=new_form(client, world, thread_id=str(thread.id)))

    assert response.status_code == 302
    assert rows(EngagementRequest) == (before[0] + 1, before[1] + 1)
    detail = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your request is filed" in detail
    assert "Pending" in detail
    assert "Google liaison office in Pakistan" in detail
    assert "Ask Google about a liaison office." in client.get("/requests").get_data(as_text=True)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"purpose": ""}, "Say what the focal person should raise"),
        ({"purpose": "x" * 4001}, "Field cannot be longer than 4000 characters"),
        ({"company_id": "abc"}, "could not coerce"),
        ({"company_id": "999999"}, "Not a valid choice"),
        ({"urgency": "yesterday"}, "Not a valid choice"),
        ({"thread_id": "999999"}, "Choose a negotiation thread of this company"),
        ({"thread_id": "abc"}, "could not coerce"),
    ],
)
def test_bad_request_forms_are_reshown_with_input_and_write_nothing(login, world, rows, overrides, message):
    client = login(world["member"])
    before = rows(EngagementRequest)

    response = client.post("/requests/new", data=new_form(client, world, **overrides))

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is a problem" in page
    assert message in page
    assert rows(EngagementRequest) == before


def test_a_thread_of_another_company_is_refused_by_the_service(login, world, seed, rows):
    other_thread = seed(lambda s: make_thread(s, company=make_company(s), created_by=fresh(s, world["chair"])))
    client = login(world["member"])
    before = rows(EngagementRequest)
    # Without a company in the address, the form offers every thread; the service checks the pairing.
    response = client.post("/requests/new", data=new_form(client, world, thread_id=str(other_thread.id)))
    assert response.status_code == 200
    assert "Choose a negotiation thread of this company" in response.get_data(as_text=True)
    assert rows(EngagementRequest) == before


def test_the_focal_person_is_told_to_engage_directly(login, world):
    response = login(world["focal"]).get("/requests/new")
    assert response.status_code == 403
    assert "raise the matter with the company directly" in response.get_data(as_text=True)


def test_the_focal_person_accepts_and_the_requester_sees_the_outcome(login, world, pending, rows, app):
    focal = login(world["focal"])
    assert "Ask about a liaison office" in focal.get("/requests").get_data(as_text=True)  # "To decide" by default
    detail = focal.get(f"/requests/{pending.id}").get_data(as_text=True)
    assert "Accept" in detail
    before = rows(EngagementRequest, FollowUp)

    response = focal.post(f"/requests/{pending.id}/accept", data={
        "version": str(pending.version), "csrf_token": page_csrf(focal, f"/requests/{pending.id}"),
    })  # fmt: skip

    assert response.status_code == 302
    after = rows(EngagementRequest, FollowUp)
    assert after[1] == before[1] + 1
    requester_view = login(world["member"]).get(f"/requests/{pending.id}").get_data(as_text=True)
    assert "Accepted" in requester_view
    assert "Raise with Alphabet (Google)" in requester_view
    assert "Focal Person" in requester_view


def test_declining_needs_a_reason_then_the_requester_reads_it(login, world, pending, rows):
    focal = login(world["focal"])
    path = f"/requests/{pending.id}"
    before = rows(EngagementRequest)

    empty = focal.post(f"{path}/decline", data={"version": str(pending.version), "reason": "",
                                                "csrf_token": page_csrf(focal, path)})  # fmt: skip
    assert empty.status_code == 200
    assert "Give the reason" in empty.get_data(as_text=True)
    assert rows(EngagementRequest) == before

    declined = focal.post(f"{path}/decline", data={"version": str(pending.version), "reason": "Raised last week.",
                                                   "csrf_token": page_csrf(focal, path)})  # fmt: skip
    assert declined.status_code == 302
    page = login(world["member"]).get(path).get_data(as_text=True)
    assert "Declined" in page
    assert "Raised last week." in page


def test_self_approval_is_refused_on_the_page_and_writes_nothing(login, world, seed, rows):
    own = seed(lambda s: make_request(s, by=fresh(s, world["chair"]), company=world["company"]))
    chair = login(world["chair"])
    detail = chair.get(f"/requests/{own.id}").get_data(as_text=True)
    assert 'action="/requests/' not in detail  # no decision buttons on one's own request
    before = rows(EngagementRequest, FollowUp)

    response = chair.post(f"/requests/{own.id}/accept", data={"version": str(own.version),
                                                             "csrf_token": page_csrf(chair, "/requests")})  # fmt: skip

    assert response.status_code == 403
    assert "No one decides their own request" in response.get_data(as_text=True)
    assert rows(EngagementRequest, FollowUp) == before


def test_without_a_focal_person_the_chair_is_told_and_accept_is_refused(login, world, pending, seed, rows):
    def vacate(s):
        current = active_designation(s, DesignationKind.FOCAL_PERSON)
        end_designation(s, actor=fresh(s, world["chair"]), designation_id=current.id)

    seed(vacate)
    chair = login(world["chair"])
    detail = chair.get(f"/requests/{pending.id}").get_data(as_text=True)
    assert "No focal person is designated at present" in detail
    before = rows(EngagementRequest, FollowUp)

    response = chair.post(f"/requests/{pending.id}/accept", data={
        "version": str(pending.version), "csrf_token": page_csrf(chair, "/requests"),
    })  # fmt: skip

    assert response.status_code == 403
    assert "No focal person is designated" in response.get_data(as_text=True)
    assert rows(EngagementRequest, FollowUp) == before


def test_a_stale_accept_is_a_409_conflict_page(login, world, pending, rows):
    focal = login(world["focal"])
    before = rows(EngagementRequest, FollowUp)

    response = focal.post(f"/requests/{pending.id}/accept", data={
        "version": str(pending.version + 3), "csrf_token": page_csrf(focal, "/requests"),
    })  # fmt: skip

    assert response.status_code == 409
    assert "Someone else changed this record" in response.get_data(as_text=True)
    assert rows(EngagementRequest, FollowUp) == before


def test_a_stale_decline_keeps_the_reason_typed(login, world, pending):
    focal = login(world["focal"])
    response = focal.post(f"/requests/{pending.id}/decline", data={
        "version": str(pending.version + 3), "reason": "My careful reason", "csrf_token": page_csrf(focal, "/requests"),
    })  # fmt: skip
    assert response.status_code == 409
    assert "My careful reason" in response.get_data(as_text=True)


def test_other_members_cannot_see_a_request(login, world, pending):
    assert login(world["other"]).get(f"/requests/{pending.id}").status_code == 404
    assert login(world["observer"]).get(f"/requests/{pending.id}").status_code == 200


@pytest.mark.parametrize(
    ("who", "tabs", "default"),
    [
        ("member", [], "Mine"),
        ("focal", ["To decide", "All"], "To decide"),
        ("chair", ["To decide", "All", "Mine"], "To decide"),
        ("secretariat", ["All", "Mine"], "All"),
        ("observer", [], "All"),
    ],
)
def test_each_role_gets_its_lists(login, world, who, tabs, default):
    page = login(world[who]).get("/requests").get_data(as_text=True)
    for tab in tabs:
        assert f">{tab}</a>" in page
    assert f'<h2 class="visually-hidden">{default}</h2>' in page


def test_a_member_with_no_requests_sees_an_empty_list(login, world):
    page = login(world["other"]).get("/requests?view=all").get_data(as_text=True)
    assert "You have not filed any request." in page
