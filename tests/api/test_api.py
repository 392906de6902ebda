"""The JSON API v1: bearer auth, error shape, users resource, pagination, versions."""

from __future__ import annotations

import base64

import pytest

from crm.accounts import services as account_services
from crm.accounts.models import Role, User
from crm.audit.models import AuditEvent
from crm.db import get_session
from crm.organisations.queries import get_by_short_name
from tests.conftest import sign_in
from tests.factories import make_token, make_user


@pytest.fixture
def api_user(app, connection):
    """A user of the given role and a bearer header carrying their new token."""

    def create(role=Role.MEMBER, **kwargs):
        with app.app_context():
            session = get_session()
            user = make_user(session, role=role, **kwargs)
            token = make_token(session, user)
            session.commit()
        return user, {"Authorization": f"Bearer {token}"}

    return create


@pytest.fixture
def admin(api_user):
    return api_user(Role.ADMIN, username="api.admin")[1]


@pytest.fixture
def chair(api_user):
    return api_user(Role.CHAIR, org="NSD", username="api.chair")[1]


@pytest.fixture
def org_id(app, connection):
    with app.app_context():
        return get_by_short_name(get_session(), "MoFA").id


def assert_error(response, status, code):
    """The one error shape of DESIGN.md §5, as JSON, with nothing else in it."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json
    body = response.get_json()
    assert set(body) == {"error"}
    assert {"code", "message"} <= set(body["error"]) <= {"code", "message", "fields"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str)
    assert body["error"]["message"]
    return body["error"]


def test_openapi_document_is_public_and_describes_the_api(client):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    spec = response.get_json()
    assert spec["openapi"].startswith("3.")
    assert {"/api/v1/me", "/api/v1/users"} <= set(spec["paths"])
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {"type": "http", "scheme": "bearer"}


def test_me_without_a_token_is_401_with_a_bearer_challenge(client):
    response = client.get("/api/v1/me")

    assert_error(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "header", ["Bearer rbt_not-a-real-token", "Bearer ", "Basic dXNlcjpwYXNz", "rbt_no_scheme", "Bearer \x7f"]
)
def test_me_with_a_bad_token_is_401(client, header):
    response = client.get("/api/v1/me", headers={"Authorization": header})

    assert_error(response, 401, "unauthorized")
    assert "WWW-Authenticate" in response.headers


def test_me_with_a_revoked_token_is_401(app, client, api_user):
    user, headers = api_user()
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    with app.app_context():
        session = get_session()
        account_services.revoke_api_tokens(session, actor=None, user=session.get(User, user.id))
        session.commit()

    assert_error(client.get("/api/v1/me", headers=headers), 401, "unauthorized")


def test_token_of_a_deactivated_user_is_401(app, client, api_user):
    user, headers = api_user()
    with app.app_context():
        session = get_session()
        account_services.set_user_active(session, actor=None, user_id=user.id, active=False)
        session.commit()

    assert_error(client.get("/api/v1/me", headers=headers), 401, "unauthorized")


def test_me_with_a_good_token_describes_the_caller(client, api_user):
    _, headers = api_user(Role.SECRETARIAT, org="DMW", username="hina.sec")

    response = client.get("/api/v1/me", headers=headers)

    assert response.status_code == 200
    me = response.get_json()
    assert me["username"] == "hina.sec"
    assert me["role"] == "secretariat"
    assert me["organisation"]["short_name"] == "DMW"
    assert me["clearance"] == "unclassified"
    assert me["designations"] == []
    assert "password_hash" not in me
    assert "session_nonce" not in me
    assert "no-store" in response.headers["Cache-Control"]


def test_unknown_api_path_is_a_json_404(client, api_user):
    _, headers = api_user()

    assert_error(client.get("/api/v1/no-such-thing", headers=headers), 404, "not_found")


def test_wrong_method_is_a_json_405(client, api_user):
    _, headers = api_user()

    assert_error(client.delete("/api/v1/me", headers=headers), 405, "method_not_allowed")


def test_member_cannot_list_users(client, api_user):
    _, headers = api_user(Role.MEMBER)

    assert_error(client.get("/api/v1/users", headers=headers), 403, "forbidden")


def test_chair_lists_users_as_a_page(client, chair):
    response = client.get("/api/v1/users", headers=chair)

    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"items", "next_cursor"}
    assert "api.chair" in [item["username"] for item in body["items"]]


def test_cursor_pagination_walks_every_user_once(client, chair, api_user, count):
    for _ in range(3):
        api_user()
    seen, cursor, pages = [], None, 0

    while True:
        query = {"limit": 1} | ({"cursor": cursor} if cursor else {})
        body = client.get("/api/v1/users", headers=chair, query_string=query).get_json()
        assert len(body["items"]) <= 1
        seen += [item["id"] for item in body["items"]]
        cursor, pages = body["next_cursor"], pages + 1
        if cursor is None:
            break
        assert pages < 100

    assert len(seen) == len(set(seen)) == count(User)
    assert seen == sorted(seen)


def test_username_filter_finds_exactly_one_user(client, chair, api_user):
    api_user(username="target.user")
    api_user(username="target.user2")

    body = client.get("/api/v1/users?username=target.user", headers=chair).get_json()

    assert [item["username"] for item in body["items"]] == ["target.user"]
    assert body["next_cursor"] is None


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=0", "limit"),
        ("limit=abc", "limit"),
        ("limit=100000", "limit"),
        ("cursor=garbage!!", "cursor"),
        ("cursor=" + base64.urlsafe_b64encode(b"id:x").decode(), "cursor"),
        ("cursor=" + base64.urlsafe_b64encode(b"\xff\xfe").decode(), "cursor"),
    ],
)
def test_bad_list_arguments_are_422_with_field_errors(client, chair, query, field):
    error = assert_error(client.get(f"/api/v1/users?{query}", headers=chair), 422, "validation_failed")

    assert field in error["fields"]


def test_out_of_range_cursor_is_not_a_server_error(client, chair):
    cursor = base64.urlsafe_b64encode(b"id:99999999999999999999999").decode().rstrip("=")

    response = client.get(f"/api/v1/users?cursor={cursor}", headers=chair)

    assert response.status_code in (200, 422)


def new_user_body(org_id, **overrides):
    body = {"username": "imran.mofa", "full_name": "Imran Qureshi", "role": "member", "organisation_id": org_id}
    return body | overrides


def test_admin_creates_a_user_and_gets_the_one_time_password_once(client, admin, org_id, count):
    users = count(User)

    response = client.post("/api/v1/users", headers=admin, json=new_user_body(org_id, clearance="restricted"))

    assert response.status_code == 201, response.get_data(as_text=True)
    created = response.get_json()
    assert created["username"] == "imran.mofa"
    assert created["clearance"] == "restricted"
    assert created["organisation_id"] == org_id
    assert len(created["one_time_password"]) >= 12
    assert count(User) == users + 1
    again = client.get(f"/api/v1/users/{created['id']}", headers=admin).get_json()
    assert "one_time_password" not in again


def test_user_created_by_the_api_signs_in_and_must_change_password(app, client, admin, org_id):
    created = client.post("/api/v1/users", headers=admin, json=new_user_body(org_id)).get_json()

    browser = app.test_client()
    assert sign_in(browser, "imran.mofa", created["one_time_password"]).status_code == 302
    assert browser.get("/").headers["Location"] == "/account/password"


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, {"username", "full_name", "role", "organisation_id"}),
        ({"role": "overlord"}, {"role"}),
        ({"clearance": "cosmic"}, {"clearance"}),
        ({"email": "not-an-email"}, {"email"}),
        ({"username": "ab"}, {"username"}),
        ({"organisation_id": "abc"}, {"organisation_id"}),
        ({"username": "Bad Name!"}, {"username"}),
        ({"full_name": "   "}, {"full_name"}),
        ({"unexpected": "field"}, {"unexpected"}),
    ],
)
def test_bad_create_body_is_422_with_field_errors_and_writes_nothing(client, admin, org_id, count, body, fields):
    payload = body if body == {} else new_user_body(org_id, **body)
    users, events = count(User), count(AuditEvent)

    response = client.post("/api/v1/users", headers=admin, json=payload)

    error = assert_error(response, 422, "validation_failed")
    assert fields <= set(error["fields"])
    assert (count(User), count(AuditEvent)) == (users, events)


def test_duplicate_username_is_422_on_username(client, admin, org_id, api_user):
    api_user(username="taken.name")

    error = assert_error(
        client.post("/api/v1/users", headers=admin, json=new_user_body(org_id, username="taken.name")),
        422,
        "validation_failed",
    )
    assert "username" in error["fields"]


@pytest.mark.parametrize("unknown_id", [987654, -5, 10**23])
def test_unknown_organisation_is_422_on_organisation_id(client, admin, count, unknown_id):
    users = count(User)

    response = client.post("/api/v1/users", headers=admin, json=new_user_body(unknown_id))

    error = assert_error(response, 422, "validation_failed")
    assert "organisation_id" in error["fields"]
    assert count(User) == users


@pytest.mark.parametrize("field", ["full_name", "username", "email"])
def test_nul_bytes_in_a_new_user_are_a_client_error_not_a_crash(client, admin, org_id, field, count):
    body = new_user_body(org_id, **{field: "nul\x00byte" if field != "email" else "a\x00b@example.org"})
    users = count(User)

    response = client.post("/api/v1/users", headers=admin, json=body)

    error = assert_error(response, 400, "bad_request")
    assert "NUL" in error["message"]
    assert count(User) == users


@pytest.mark.parametrize("payload", ["not json", "[1, 2]", "null", '{"username": '])
def test_malformed_json_is_a_json_client_error(client, admin, payload):
    response = client.post("/api/v1/users", headers=admin, data=payload, content_type="application/json")

    assert 400 <= response.status_code < 500
    assert_error(response, response.status_code, response.get_json()["error"]["code"])


def test_chair_cannot_create_users(client, chair, org_id, count):
    users = count(User)

    assert_error(client.post("/api/v1/users", headers=chair, json=new_user_body(org_id)), 403, "not_admin")
    assert count(User) == users


def test_patch_with_a_stale_version_is_409_and_changes_nothing(client, admin, api_user):
    member, _ = api_user()
    client.patch(f"/api/v1/users/{member.id}", headers=admin, json={"version": member.version, "is_active": False})
    current = client.get(f"/api/v1/users/{member.id}", headers=admin).get_json()

    response = client.patch(f"/api/v1/users/{member.id}", headers=admin, json={"version": 1, "is_active": True})

    assert_error(response, 409, "version_conflict")
    after = client.get(f"/api/v1/users/{member.id}", headers=admin).get_json()
    assert after == current
    assert after["is_active"] is False


def test_patch_with_the_right_version_deactivates(client, admin, api_user):
    member, member_headers = api_user()

    response = client.patch(
        f"/api/v1/users/{member.id}", headers=admin, json={"version": member.version, "is_active": False}
    )

    assert response.status_code == 200
    assert response.get_json()["is_active"] is False
    assert response.get_json()["version"] == member.version + 1
    assert_error(client.get("/api/v1/me", headers=member_headers), 401, "unauthorized")


def test_patch_of_an_unknown_user_is_a_json_404(client, admin):
    assert_error(
        client.patch("/api/v1/users/987654", headers=admin, json={"version": 1, "is_active": False}), 404, "not_found"
    )


def test_get_of_an_unknown_user_is_a_json_404(client, chair):
    assert_error(client.get("/api/v1/users/987654", headers=chair), 404, "not_found")


@pytest.mark.parametrize("user_id", ["99999999999999999999999", "-1", "abc"])
def test_out_of_range_or_malformed_user_id_is_a_json_404(client, admin, user_id):
    assert_error(client.get(f"/api/v1/users/{user_id}", headers=admin), 404, "not_found")
    patched = client.patch(f"/api/v1/users/{user_id}", headers=admin, json={"version": 1, "is_active": False})
    assert_error(patched, 404, "not_found")


def test_chair_cannot_patch_users(client, chair, api_user):
    member, _ = api_user()

    response = client.patch(
        f"/api/v1/users/{member.id}", headers=chair, json={"version": member.version, "is_active": False}
    )

    assert_error(response, 403, "not_admin")


@pytest.mark.parametrize(
    "body", [{}, {"version": "x", "is_active": False}, {"version": 1}, {"version": 1, "is_active": "maybe"}]
)
def test_bad_patch_body_is_422(client, admin, api_user, body):
    member, _ = api_user()

    error = assert_error(client.patch(f"/api/v1/users/{member.id}", headers=admin, json=body), 422, "validation_failed")
    assert error["fields"]


def test_browser_session_cookie_does_not_authenticate_the_api(client, api_user):
    user, _ = api_user(Role.ADMIN)
    assert sign_in(client, user.username).status_code == 302
    assert client.get("/").status_code == 200

    response = client.get("/api/v1/me")

    assert_error(response, 401, "unauthorized")


def test_api_needs_no_csrf_token_with_a_bearer_token(client, admin, org_id):
    client.get("/sign-in")  # even with a session cookie around

    response = client.post("/api/v1/users", headers=admin, json=new_user_body(org_id, username="no.csrf"))

    assert response.status_code == 201
