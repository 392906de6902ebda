"""The second factor through the pages: enrolment, the code after the password, admin reset."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from sqlalchemy import select

from crm.accounts.models import RecoveryCode, Role, User, UserSession
from crm.audit.models import AuditEvent
from crm.db import get_session
from crm.designations.models import DesignationKind
from crm.designations.services import designate
from tests import authenticators
from tests.channel.conftest import page_csrf
from tests.conftest import csrf_token, sign_in
from tests.factories import PASSWORD, make_user
from tests.mfa.factories import enrol

SET_UP = "/account/two-step/set-up"
CODE_PAGE = "/sign-in/code"
# Endpoints a visitor may reach without being signed in (everything else must turn them away).
# Load-balancer probes (crm/ops) answer anyone: they carry no data and no session.
PUBLIC = {"accounts.sign_in", "accounts.mfa_verify", "accounts.mfa_enrol", "static", "ops.healthz", "ops.readyz"}


def password_only(client, username: str, next_url: str | None = None):
    """The sign-in form alone, leaving the browser at the second-factor step."""
    token = csrf_token(client, "/sign-in")
    path = "/sign-in" + (f"?next={next_url}" if next_url else "")
    return client.post(path, data={"username": username, "password": PASSWORD, "csrf_token": token})


def page_parts(client, path: str) -> dict[str, str]:
    html = client.get(path).get_data(as_text=True)
    found = {"csrf_token": re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)}
    if secret := re.search(r'data-testid="totp-secret">([A-Z2-7 ]+)<', html):
        found["secret"] = secret.group(1).replace(" ", "")
        found["enrolment"] = re.search(r'name="enrolment" type="hidden" value="([^"]+)"', html).group(1)
    return found


def simple_get_endpoints(app) -> list[tuple[str, str]]:
    """Every page without URL arguments that answers GET (the API excepted: bearer tokens only)."""
    found = []
    for rule in app.url_map.iter_rules():
        public = rule.endpoint in PUBLIC or rule.rule.startswith("/api/")
        if "GET" in rule.methods and not rule.arguments and not public:
            found.append((rule.endpoint, rule.rule))
    return sorted(found)


# Required roles cannot skip enrolment


@pytest.mark.parametrize("role", [Role.CHAIR, Role.ADMIN])
def test_the_chair_and_admins_are_sent_to_set_up_after_the_password(client, add_user, role):
    user = add_user(role=role)
    response = password_only(client, user.username, next_url="/admin/organisations")
    assert response.status_code == 302
    assert response.headers["Location"] == f"{SET_UP}?next=/admin/organisations"


def test_a_half_signed_in_chair_reaches_no_page_until_set_up(app, client, add_user):
    chair = add_user(role=Role.CHAIR)
    password_only(client, chair.username)
    endpoints = simple_get_endpoints(app)
    assert len(endpoints) > 20  # the walk covers the application, not a handful of pages
    for endpoint, path in endpoints:
        response = client.get(path)
        assert response.status_code in (302, 401, 403, 404), (endpoint, response.status_code)
        if response.status_code == 302:
            assert response.headers["Location"].startswith(("/sign-in", SET_UP)), (endpoint, response.headers)
    follow = client.get("/admin/organisations")
    assert follow.status_code == 302
    assert client.get(follow.headers["Location"]).headers["Location"].startswith(SET_UP)


def test_the_set_up_page_shows_a_qr_code_and_the_grouped_key_and_is_never_cached(client, add_user):
    password_only(client, add_user(role=Role.CHAIR).username)
    page = client.get(SET_UP)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    assert "<svg" in html
    assert "QR code for your authenticator app" in html
    assert re.search(r'data-testid="totp-secret">([A-Z2-7]{4} ){7}[A-Z2-7]{4}<', html)
    assert 'for="code"' in html
    assert 'autocomplete="one-time-code"' in html


def test_setting_up_shows_ten_recovery_codes_once_and_then_lets_the_chair_in(app, client, add_user, count):
    chair = add_user(role=Role.CHAIR)
    password_only(client, chair.username, next_url="/admin/organisations")
    parts = page_parts(client, SET_UP)
    code = pyotp.TOTP(parts["secret"]).now()
    shown = client.post(f"{SET_UP}?next=/admin/organisations", data={**parts, "code": code})
    html = shown.get_data(as_text=True)
    assert shown.status_code == 200
    assert shown.headers["Cache-Control"] == "no-store"
    assert len(re.findall(r'<li><code class="secret">[a-z2-9-]{14}</code></li>', html)) == 10
    assert 'href="/admin/organisations"' in html
    assert client.get("/admin/organisations").status_code == 200
    assert count(RecoveryCode) == 10


def test_a_wrong_code_at_set_up_keeps_the_same_key_and_turns_nothing_on(app, client, add_user, rows):
    chair = add_user(role=Role.CHAIR)
    password_only(client, chair.username)
    parts = page_parts(client, SET_UP)
    before = rows(RecoveryCode)
    response = client.post(SET_UP, data={**parts, "code": "12345"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "That code is not right" in html
    assert " ".join(re.findall(".{4}", parts["secret"])) in html  # the same key, to try again
    assert rows(RecoveryCode) == before
    assert client.get("/").status_code == 302


def test_a_tampered_set_up_form_gets_a_new_key(client, add_user):
    password_only(client, add_user(role=Role.CHAIR).username)
    parts = page_parts(client, SET_UP)
    response = client.post(SET_UP, data={**parts, "enrolment": parts["enrolment"][:-5] + "xxxxx", "code": "123456"})
    assert "That set-up page had expired" in response.get_data(as_text=True)


def test_a_designation_granted_mid_session_sends_the_holder_to_set_up(app, client, add_user, seed):
    chair, member = add_user(role=Role.CHAIR), add_user(role=Role.MEMBER)
    sign_in(client, member.username)
    assert client.get("/").status_code == 200
    seed(lambda s: designate(s, actor=s.get(User, chair.id), kind=DesignationKind.FOCAL_PERSON,
                             user_id=member.id, approval_ref="PM/7"))  # fmt: skip
    bounce = client.get("/")
    assert bounce.status_code == 302
    assert client.get(bounce.headers["Location"]).headers["Location"].startswith(SET_UP)


# Sign-in with a code


def enrolled(seed, role: Role = Role.CHAIR) -> tuple[User, str, list[str]]:
    def build(session):
        user = make_user(session, role=role)
        secret, codes = enrol(session, user)
        return user, secret, codes

    user, secret, codes = seed(build)
    return user, secret, codes


def test_an_enrolled_user_is_asked_for_the_code_and_then_goes_where_they_were_going(client, seed):
    user, secret, _ = enrolled(seed)
    response = password_only(client, user.username, next_url="/admin/organisations")
    assert response.headers["Location"] == f"{CODE_PAGE}?next=/admin/organisations"
    assert client.get("/").status_code == 302
    code = pyotp.TOTP(secret).at(time.time() + 30)  # the next step: the enrolment used this one
    done = client.post(f"{CODE_PAGE}?next=/admin/organisations", data={**page_parts(client, CODE_PAGE), "code": code})
    assert done.status_code == 302
    assert done.headers["Location"] == "/admin/organisations"
    assert client.get("/").status_code == 200


def test_a_wrong_code_is_refused_counted_and_audited(app, client, seed, load_user, rows):
    user, _, _ = enrolled(seed)
    password_only(client, user.username)
    before = rows(AuditEvent)[0]
    response = client.post(CODE_PAGE, data={**page_parts(client, CODE_PAGE), "code": "000000"})
    assert response.status_code == 200
    assert "That code is not right" in response.get_data(as_text=True)
    assert load_user(user.id).failed_sign_ins == 1
    assert rows(AuditEvent)[0] == before + 1
    assert client.get("/").status_code == 302


def test_a_code_used_for_one_sign_in_cannot_be_used_for_another(app, client, seed):
    user, secret, _ = enrolled(seed)
    totp = pyotp.TOTP(secret)
    code = totp.generate_otp(totp.timecode(time.time()) + 1)  # type: ignore[arg-type]
    password_only(client, user.username)
    assert client.post(CODE_PAGE, data={**page_parts(client, CODE_PAGE), "code": code}).status_code == 302
    thief = app.test_client()
    password_only(thief, user.username)
    replay = thief.post(CODE_PAGE, data={**page_parts(thief, CODE_PAGE), "code": code})
    assert replay.status_code == 200
    assert "already used" in replay.get_data(as_text=True)
    assert thief.get("/").status_code == 302


def test_repeated_wrong_codes_lock_the_account_and_send_the_browser_back_to_sign_in(app, client, seed, load_user):
    user, _, _ = enrolled(seed)
    password_only(client, user.username)
    for _ in range(app.config["LOCKOUT_THRESHOLD"] - 1):
        client.post(CODE_PAGE, data={**page_parts(client, CODE_PAGE), "code": "000000"})
    last = client.post(CODE_PAGE, data={**page_parts(client, CODE_PAGE), "code": "000000"})
    assert last.status_code == 302
    assert last.headers["Location"] == "/sign-in"
    assert load_user(user.id).locked_until is not None
    assert "Sign in to Rabta" in client.get("/sign-in").get_data(as_text=True)


def test_a_recovery_code_signs_in_once(app, client, seed):
    user, _, codes = enrolled(seed)
    password_only(client, user.username)
    assert client.post(CODE_PAGE, data={**page_parts(client, CODE_PAGE), "code": codes[0]}).status_code == 302
    other = app.test_client()
    password_only(other, user.username)
    again = other.post(CODE_PAGE, data={**page_parts(other, CODE_PAGE), "code": codes[0]})
    assert again.status_code == 200
    assert "not right" in again.get_data(as_text=True)


def test_cancel_at_the_code_page_ends_the_half_open_session(app, client, seed):
    user, _, _ = enrolled(seed)
    password_only(client, user.username)
    client.post("/sign-out", data=page_parts(client, CODE_PAGE))
    with app.app_context():
        row = get_session().scalars(select(UserSession).where(UserSession.user_id == user.id)).one()
        assert row.end_reason == "sign_out"
    assert client.get(CODE_PAGE).headers["Location"].startswith("/sign-in")


def test_a_member_without_mfa_signs_in_with_the_password_alone(client, add_user):
    member = add_user(role=Role.MEMBER)
    response = password_only(client, member.username)
    assert response.headers["Location"] == "/"
    assert client.get("/").status_code == 200


def test_a_member_may_set_up_mfa_voluntarily_from_the_sessions_page(client, add_user, load_user):
    member = add_user(role=Role.MEMBER)
    sign_in(client, member.username)
    assert "Set up two-step verification" in client.get("/account/sessions").get_data(as_text=True)
    parts = page_parts(client, SET_UP)
    done = client.post(SET_UP, data={**parts, "code": pyotp.TOTP(parts["secret"]).now()})
    assert done.status_code == 200
    assert load_user(member.id).totp_enabled_at is not None
    assert client.get("/").status_code == 200  # still signed in (the cookie was re-issued)


# The admin's reset


def test_an_admin_resets_a_chairs_mfa_from_the_users_page_audited(app, client, add_user, seed, load_user):
    admin = add_user(role=Role.ADMIN)
    chair, _, _ = enrolled(seed)
    sign_in(client, admin.username)
    page = client.get("/admin/users").get_data(as_text=True)
    assert f"/admin/users/{chair.id}/reset-mfa" in page
    assert f"/admin/users/{admin.id}/reset-mfa" not in page
    version = load_user(chair.id).version
    response = client.post(
        f"/admin/users/{chair.id}/reset-mfa",
        data={"csrf_token": csrf_token(client, "/admin/users"), "version": version},
    )
    assert response.status_code == 302
    assert load_user(chair.id).totp_enabled_at is None
    with app.app_context():
        event = get_session().scalars(select(AuditEvent).where(AuditEvent.action == "mfa.reset")).one()
        assert (event.actor_id, event.target_id) == (admin.id, str(chair.id))


def test_an_admin_cannot_reset_their_own_mfa_and_nothing_is_written(client, add_user, load_user, rows):
    admin = add_user(role=Role.ADMIN)
    sign_in(client, admin.username)
    assert load_user(admin.id).totp_enabled_at is not None
    before = rows(RecoveryCode)
    response = client.post(
        f"/admin/users/{admin.id}/reset-mfa",
        data={"csrf_token": page_csrf(client, "/admin/users"), "version": load_user(admin.id).version},
    )
    assert response.status_code == 403
    assert rows(RecoveryCode) == before
    assert load_user(admin.id).totp_enabled_at is not None


def test_the_chair_cannot_reset_anyones_mfa(client, seed, add_user, rows):
    member, _, _ = enrolled(seed, Role.MEMBER)
    chair = add_user(role=Role.CHAIR)
    sign_in(client, chair.username)
    before = rows(RecoveryCode)
    response = client.post(
        f"/admin/users/{member.id}/reset-mfa", data={"csrf_token": page_csrf(client, "/"), "version": 1}
    )
    assert response.status_code == 403
    assert rows(RecoveryCode) == before


def test_the_sign_in_helper_knows_the_enrolled_users(add_user, client):
    admin = add_user(role=Role.ADMIN)
    sign_in(client, admin.username)
    assert admin.username in authenticators.APPS
