"""No 500 anywhere: garbage posted to every channel form; and list pages whose number of SQL
queries does not grow with the number of rows."""

from __future__ import annotations

import contextlib

import pytest
from sqlalchemy import event

from crm.accounts.models import Role
from tests.channel.conftest import page_csrf
from tests.channel.factories import (
    appoint,
    fresh,
    make_chair,
    make_company,
    make_exception,
    make_follow_up,
    make_request,
)
from tests.factories import make_user

GARBAGE = [
    {},
    {"version": "abc", "note": "x", "reason": "x", "user_id": "abc", "company_id": "abc", "kind": "abc"},
    {"version": "-1", "company_id": "-5", "thread_id": "-5", "organisation_id": "-5", "user_id": "-5"},
    {"version": "99999999999999999999999", "company_id": "99999999999999999999999", "user_id": "1e9"},
    {"version": "1", "occurred_on": "0000-00-00", "effective_from": "2021-13-45T99:99", "urgency": "🙂"},
    {"version": "", "purpose": "ش" * 5000, "what": "\u202e" * 10, "who": "<script>alert(1)</script>", "note": "ok"},
    {"company_id": ["1", "2"], "version": ["1", "2"], "kind": ["focal_person", "spokesperson"]},
]


@pytest.fixture
def world(seed):
    def build(s):
        chair = make_chair(s, username="nsa.chair")
        focal = make_user(s, username="focal.person")
        designation = appoint(s, chair=chair, user=focal)
        member = make_user(s, org="MoFA", username="mofa.member")
        company = make_company(s, "Telegram")
        return {"chair": chair, "focal": focal, "member": member, "designation": designation,
                "request": make_request(s, by=member, company=company),
                "report": make_exception(s, by=member, company=company),
                "follow_up": make_follow_up(s, assignee=chair, outbound=True)}  # fmt: skip

    return seed(build)


def form_paths(world):
    return [
        "/designations/new",
        f"/designations/{world['designation'].id}/end",
        "/requests/new",
        f"/requests/{world['request'].id}/accept",
        f"/requests/{world['request'].id}/decline",
        "/exceptions/new",
        f"/exceptions/{world['report'].id}/review",
        f"/follow-ups/{world['follow_up'].id}/complete",
        "/designations/987654/end",
        "/requests/987654/accept",
        "/exceptions/987654/review",
        "/follow-ups/987654/complete",
    ]


@pytest.mark.parametrize("payload", GARBAGE)
def test_garbage_posted_to_every_form_never_gives_a_server_error(login, world, payload):
    chair = login(world["chair"])
    token = page_csrf(chair, "/designations/new")

    for path in form_paths(world):
        response = chair.post(path, data={**payload, "csrf_token": token})
        page = response.get_data(as_text=True)
        assert response.status_code < 500, (path, response.status_code)
        assert "Traceback" not in page
        assert "<script>alert(1)</script>" not in page


@pytest.mark.parametrize("who", ["member", "focal"])
def test_garbage_from_other_roles_never_gives_a_server_error(login, world, who):
    client = login(world[who])
    token = page_csrf(client, "/requests")
    for path in form_paths(world):
        for payload in GARBAGE:
            assert client.post(path, data={**payload, "csrf_token": token}).status_code < 500, path


def test_forms_without_a_csrf_token_are_refused(login, world, rows):
    client = login(world["member"])
    before = rows()
    assert client.post("/requests/new", data={"purpose": "x"}).status_code == 400
    assert client.post(f"/follow-ups/{world['follow_up'].id}/complete", data={"version": "1"}).status_code == 400
    assert rows() == before


@pytest.mark.parametrize("path", ["/designations/x", "/requests/99999999999999999999", "/exceptions/-1",
                                  "/follow-ups/0/complete", "/requests/abc/accept"])  # fmt: skip
def test_malformed_ids_are_404(login, world, path):
    assert login(world["chair"]).get(path).status_code in (404, 405)


@contextlib.contextmanager
def counting(app):
    statements: list[str] = []
    engine = app.extensions["rabta.db"].engine

    def listen(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", listen)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", listen)


def add_rows(s, world, n):
    chair, member, focal = (fresh(s, world[k]) for k in ("chair", "member", "focal"))
    for i in range(n):
        company = make_company(s)
        make_request(s, by=make_user(s, org=("MoC", "PTA", "MoIB")[i % 3]), company=company)
        make_exception(s, by=make_user(s, role=Role.SECRETARIAT), company=company)
        make_follow_up(s, assignee=member, company=company, outbound=True)
        appoint(s, chair=chair, user=make_user(s) if i % 2 else focal)


@pytest.mark.parametrize(
    ("who", "path"),
    [("chair", "/requests?view=all"), ("chair", "/exceptions"), ("member", "/follow-ups"), ("member", "/designations")],
)
def test_list_pages_use_the_same_number_of_queries_for_more_rows(app, login, world, seed, who, path):
    seed(lambda s: add_rows(s, world, 1))
    client = login(world[who])
    client.get(path)  # warm up (first-request caches)
    with counting(app) as few:
        assert client.get(path).status_code == 200

    seed(lambda s: add_rows(s, world, 8))
    with counting(app) as many:
        assert client.get(path).status_code == 200

    assert len(many) == len(few), "\n".join(many)
