"""Admin pages: users, organisations, audit log, error pages; robust against garbage input."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from crm.accounts.models import Role, User
from crm.audit.models import AuditEvent
from crm.db import get_session
from tests.conftest import csrf_token, sign_in

ONE_TIME_PASSWORD = re.compile(r'data-testid="one-time-password">([^<]+)<')
ORGANISATION_OPTION = re.compile(r'<option[^>]*value="(\d+)"[^>]*>(\w+) —')
ANY_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')
NEW_PASSWORD = "lantern orchard velvet quarry"


def page_csrf(client, path):
    match = ANY_CSRF.search(client.get(path).get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1) or match.group(2)


def organisation_ids(client):
    page = client.get("/admin/users/new").get_data(as_text=True)
    return {short: int(value) for value, short in ORGANISATION_OPTION.findall(page)}


def create_form(client, **overrides):
    form = {
        "username": "sana.malik",
        "full_name": "Sana Malik",
        "email": "",
        "role": "member",
        "organisation_id": str(organisation_ids(client)["MoIB"]),
        "clearance": "restricted",
        "csrf_token": csrf_token(client, "/admin/users/new"),
    }
    form.update(overrides)
    return form


def act(client, user_id, action, version):
    token = page_csrf(client, "/admin/users")
    return client.post(f"/admin/users/{user_id}/{action}", data={"version": str(version), "csrf_token": token})


def test_admin_lists_users_with_their_organisations(admin_client, add_user):
    add_user(role=Role.MEMBER, org="PTA", username="usman.pta")

    page = admin_client.get("/admin/users").get_data(as_text=True)

    assert "usman.pta" in page
    assert "root.admin" in page
    assert ">PTA<" in page
    assert "Create a user" in page


def test_admin_creates_a_member_who_signs_in_with_the_one_time_password(app, admin_client, count):
    users, events = count(User), count(AuditEvent)

    response = admin_client.post("/admin/users/new", data=create_form(admin_client))

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Account created for Sana Malik" in page
    assert "no-store" in response.headers["Cache-Control"]
    shown = ONE_TIME_PASSWORD.findall(page)
    assert len(shown) == 1
    assert count(User) == users + 1
    assert count(AuditEvent) == events + 1
    member = app.test_client()
    signed_in = sign_in(member, "sana.malik", html.unescape(shown[0]))
    assert signed_in.status_code == 302
    assert member.get("/").headers["Location"] == "/account/password"


def test_the_one_time_password_is_not_shown_on_the_users_page(admin_client):
    created = admin_client.post("/admin/users/new", data=create_form(admin_client)).get_data(as_text=True)
    password = ONE_TIME_PASSWORD.search(created).group(1)

    assert password not in admin_client.get("/admin/users").get_data(as_text=True)


@pytest.mark.parametrize(
    ("overrides", "kept", "message"),
    [
        ({"username": "root.admin"}, 'value="root.admin"', "This username is taken."),
        ({"username": "Bad Name!"}, 'value="Bad Name!"', "lower-case letters"),
        ({"full_name": ""}, 'value="sana.malik"', "Enter the person&#39;s full name."),
        ({"full_name": "   "}, 'value="sana.malik"', "full name"),
        ({"email": "not-an-email"}, 'value="not-an-email"', "e-mail address"),
        ({"role": "overlord"}, 'value="sana.malik"', "Not a valid choice"),
        ({"organisation_id": "999999"}, 'value="sana.malik"', "Not a valid choice"),
    ],
)
def test_invalid_create_form_is_reshown_with_input_and_writes_nothing(admin_client, count, overrides, kept, message):
    form = create_form(admin_client, **overrides)
    users, events = count(User), count(AuditEvent)

    response = admin_client.post("/admin/users/new", data=form)

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is a problem" in page
    assert message in page
    assert kept in page
    assert 'aria-invalid="true"' in page
    assert 'data-testid="one-time-password"' not in page
    assert (count(User), count(AuditEvent)) == (users, events)


def test_admin_deactivates_and_reactivates_with_the_shown_version(admin_client, add_user, load_user):
    member = add_user(username="nadia.khan")

    deactivated = act(admin_client, member.id, "deactivate", member.version)
    assert deactivated.status_code == 302
    assert "Nadia Khan is deactivated" in admin_client.get("/admin/users").get_data(as_text=True)
    after = load_user(member.id)
    assert after.is_active is False

    reactivated = act(admin_client, member.id, "reactivate", after.version)
    assert reactivated.status_code == 302
    assert load_user(member.id).is_active is True


def test_stale_version_gets_a_friendly_conflict_page_and_changes_nothing(app, admin_client, add_user, load_user):
    member = add_user(username="omar.farooq")
    shown_version = member.version
    sign_in(app.test_client(), member.username)  # the sign-in updates the record meanwhile

    response = act(admin_client, member.id, "deactivate", shown_version)

    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Someone changed this first" in page
    assert "Reload" in page
    assert "Traceback" not in page
    assert load_user(member.id).is_active is True


def test_stale_version_on_reset_keeps_the_old_password(app, admin_client, add_user):
    member = add_user(username="stale.reset")
    shown_version = member.version
    sign_in(app.test_client(), member.username)

    response = act(admin_client, member.id, "reset-password", shown_version)

    assert response.status_code == 409
    assert sign_in(app.test_client(), member.username).status_code == 302


def test_reset_password_shows_a_new_one_time_password_that_replaces_the_old(app, admin_client, add_user):
    member = add_user(username="zara.hussain")

    response = act(admin_client, member.id, "reset-password", member.version)

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Password reset for Zara Hussain" in page
    assert "no-store" in response.headers["Cache-Control"]
    issued = html.unescape(ONE_TIME_PASSWORD.search(page).group(1))
    assert "not right" in sign_in(app.test_client(), member.username).get_data(as_text=True)
    fresh = app.test_client()
    assert sign_in(fresh, member.username, issued).status_code == 302
    assert fresh.get("/").headers["Location"] == "/account/password"


def test_admin_cannot_deactivate_themselves(admin_client, load_user):
    with admin_client.application.app_context():
        me = get_session().scalar(select(User).where(User.username == "root.admin"))

    response = act(admin_client, me.id, "deactivate", me.version)

    assert response.status_code == 403
    assert load_user(me.id).is_active is True


def test_action_on_an_unknown_user_gets_a_friendly_404(admin_client):
    response = act(admin_client, 987654, "deactivate", 1)

    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/admin/users", "/admin/users/new", "/audit/"])
def test_member_is_refused_admin_pages_with_a_friendly_403(client, add_user, path):
    member = add_user(role=Role.MEMBER)
    sign_in(client, member.username)

    response = client.get(path)

    page = response.get_data(as_text=True)
    assert response.status_code == 403
    assert "You do not have access to this" in page
    assert "Traceback" not in page


def test_member_cannot_deactivate_anyone(client, add_user, load_user):
    member = add_user(role=Role.MEMBER)
    victim = add_user(role=Role.MEMBER)
    sign_in(client, member.username)

    response = act(client, victim.id, "deactivate", victim.version)

    assert response.status_code == 403
    assert load_user(victim.id).is_active is True


def test_chair_views_users_but_cannot_create_or_change_them(client, add_user, load_user):
    chair = add_user(role=Role.CHAIR, org="NSD")
    member = add_user(role=Role.MEMBER)
    sign_in(client, chair.username)

    listing = client.get("/admin/users")

    assert listing.status_code == 200
    assert "Create a user" not in listing.get_data(as_text=True)
    assert "Deactivate" not in listing.get_data(as_text=True)
    assert client.get("/admin/users/new").status_code == 403
    assert act(client, member.id, "deactivate", member.version).status_code == 403
    assert load_user(member.id).is_active is True


def test_organisations_page_lists_the_fifteen_reference_bodies_with_moit_as_lead(client, add_user):
    sign_in(client, add_user(role=Role.OBSERVER, org="PMO").username)

    page = client.get("/admin/organisations").get_data(as_text=True)

    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.DOTALL)
    assert len(rows) == 15
    lead_rows = [row for row in rows if ">Lead<" in row]
    assert len(lead_rows) == 1
    assert "<strong>MoIT</strong>" in lead_rows[0]
    for short in ("MoIB", "MoLJ", "MoFA", "MoC", "FPDM", "PTA", "DMW", "NSD", "PMO", "SBP", "FBR", "PEMRA", "CabDiv"):
        assert f"<strong>{short}</strong>" in body


def test_audit_page_lists_events_newest_first(client, add_user):
    add_user(username="audited.member")
    sign_in(client, add_user(role=Role.ADMIN, username="root.admin").username)

    page = client.get("/audit/").get_data(as_text=True)

    body = page.split("<tbody>", 1)[1]
    seqs = [int(seq) for seq in re.findall(r"<tr>\s*<td>(\d+)</td>", body)]
    assert len(seqs) >= 2
    assert seqs == sorted(seqs, reverse=True)
    first_row = re.search(r"<tr>(.*?)</tr>", body, re.DOTALL).group(1)
    # The admin's own sign-in is the latest: an admin's first one ends by setting up the second factor.
    assert "mfa.enable" in first_row
    assert "root.admin" in first_row


@pytest.mark.parametrize("path", ["/no-such-page", "/admin/nothing", "/admin/users/1/deactivate/extra"])
def test_unknown_url_gets_a_friendly_404_page(client, path):
    response = client.get(path)

    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "Page not found" in page
    assert "Traceback" not in page


def test_unknown_url_gets_a_friendly_404_when_signed_in(admin_client):
    response = admin_client.get("/definitely/not/here")

    assert response.status_code == 404
    assert "Go to the home page" in response.get_data(as_text=True)


HUGE = "x" * 200_000
GARBAGE_PAYLOADS = [
    {},
    {"zzz": "1", "__proto__": "x", "": ""},
    {"username": HUGE, "password": HUGE, "full_name": HUGE, "email": HUGE},
    {"username": "nul\x00byte", "password": "nul\x00byte", "full_name": "a\x00b", "current_password": "\x00"},
    {"username": "' OR 1=1 --", "password": "<script>alert(1)</script>", "role": "admin' --"},
    {"version": "abc", "organisation_id": "abc", "role": "god", "clearance": "top"},
    {"version": "1e9999", "organisation_id": "-1"},
    {"version": "9" * 5000, "organisation_id": "9" * 5000},
    {"version": "99999999999999999999999", "organisation_id": "99999999999999999999999"},
    {"version": "-1", "new_password": "\u202e\ufeff" * 10, "confirm": "x"},
    {"version": ["1", "2"], "username": ["a", "b"], "confirm": "0"},
]


def form_paths(user_id):
    return [
        "/sign-in",
        "/account/password",
        "/admin/users/new",
        f"/admin/users/{user_id}/deactivate",
        f"/admin/users/{user_id}/reactivate",
        f"/admin/users/{user_id}/reset-password",
        "/sign-out",
    ]


@pytest.mark.parametrize("payload", GARBAGE_PAYLOADS, ids=range(len(GARBAGE_PAYLOADS)))
def test_garbage_posted_to_every_form_never_causes_a_server_error(admin_client, add_user, payload):
    member = add_user()
    token = csrf_token(admin_client, "/admin/users/new")

    for path in form_paths(member.id):
        response = admin_client.post(path, data={**payload, "csrf_token": token})
        assert response.status_code < 500, f"{path} answered {response.status_code}"
        if path == "/sign-out":
            break


@pytest.mark.parametrize("payload", GARBAGE_PAYLOADS[:6], ids=range(6))
def test_garbage_posted_anonymously_never_causes_a_server_error(client, payload):
    token = csrf_token(client, "/sign-in")

    for path in ["/sign-in", "/account/password", "/admin/users/new", "/admin/users/1/deactivate", "/sign-out"]:
        response = client.post(path, data={**payload, "csrf_token": token})
        assert response.status_code < 500, f"{path} answered {response.status_code}"


def test_nul_bytes_in_a_valid_looking_create_form_never_cause_a_server_error(admin_client):
    response = admin_client.post("/admin/users/new", data=create_form(admin_client, full_name="Nul\x00Byte"))

    assert response.status_code < 500


def test_nul_bytes_in_the_sign_in_form_are_refused_with_a_clear_message(client):
    response = sign_in(client, "nul\x00byte", "nul\x00byte")

    assert response.status_code == 400
    assert "NUL character" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "path",
    [
        "/admin/users/99999999999999999999999/deactivate",
        "/admin/users/99999999999999999999999/reset-password",
    ],
)
def test_out_of_range_ids_in_urls_never_cause_a_server_error(admin_client, path):
    token = csrf_token(admin_client, "/admin/users/new")

    response = admin_client.post(path, data={"version": "1", "csrf_token": token})

    assert response.status_code == 404


@pytest.mark.parametrize(
    "path",
    ["/admin/users?after=99999999999999999999999", "/audit/?before=99999999999999999999999", "/admin/users?after=x"],
)
def test_out_of_range_page_cursors_never_cause_a_server_error(admin_client, path):
    assert admin_client.get(path).status_code < 500
