"""Sign-in, sign-out and password pages, driven through the real forms (CSRF on).

Data is created in a short app context of its own rather than with the `session` fixture:
that fixture keeps an app context pushed, so requests would share `g` (and flask-login's
cached user) instead of reading the cookie the browser actually sends.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest

from crm.accounts import services as account_services
from crm.accounts.models import Role
from crm.db import get_session
from crm.organisations.queries import get_by_short_name
from tests.conftest import csrf_token, sign_in

NEW_PASSWORD = "lantern orchard velvet quarry"


@pytest.fixture
def one_time_user(app, connection):
    """A member created without a password: (username, one-time password)."""
    with app.app_context():
        session = get_session()
        user, issued = account_services.create_user(
            session,
            actor=None,
            username="fresh.member",
            full_name="Fresh Member",
            role=Role.MEMBER,
            organisation_id=get_by_short_name(session, "MoIB").id,
            password=None,
        )
        session.commit()
    return user.username, issued


def change_password(client, current, new, confirm=None):
    token = csrf_token(client, "/account/password")
    data = {"current_password": current, "new_password": new, "confirm": confirm or new, "csrf_token": token}
    return client.post("/account/password", data=data)


def test_sign_in_page_renders_a_form_with_csrf_token(client):
    page = client.get("/sign-in")

    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Sign in to Rabta" in html
    assert 'name="username"' in html
    assert 'name="password"' in html
    assert 'name="csrf_token"' in html


def test_successful_sign_in_goes_home_and_greets_the_user(client, add_user):
    user = add_user(role=Role.SECRETARIAT, username="amina.siddiqui")

    response = sign_in(client, user.username)

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200
    assert "Welcome, Amina Siddiqui" in home.get_data(as_text=True)


def test_wrong_password_shows_generic_error_and_keeps_username(client, add_user):
    user = add_user(username="bilal.ahmed")

    response = sign_in(client, user.username, "not the right password")

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "The username or password is not right." in html
    assert 'value="bilal.ahmed"' in html
    assert "not the right password" not in html
    assert client.get("/").status_code == 302


def test_unknown_username_gets_the_same_message_as_a_wrong_password(client):
    response = sign_in(client, "nobody.here", "whatever password")

    assert "The username or password is not right." in response.get_data(as_text=True)


def test_repeated_failures_lock_the_account_even_for_the_right_password(app, client, add_user):
    user = add_user(username="locked.out")
    threshold = app.config["LOCKOUT_THRESHOLD"]

    for _ in range(threshold - 1):
        assert "not right" in sign_in(client, user.username, "wrong password").get_data(as_text=True)
    last_failure = sign_in(client, user.username, "wrong password").get_data(as_text=True)
    with_right_password = sign_in(client, user.username)

    assert "Too many failed attempts: the account is locked" in last_failure
    assert with_right_password.status_code == 200
    assert "This account is locked for now" in with_right_password.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_a_local_next_path_is_followed_after_sign_in(client, add_user):
    user = add_user()

    response = sign_in(client, user.username, next_url=quote("/admin/organisations", safe=""))

    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/organisations"


@pytest.mark.parametrize(
    "target",
    ["https://evil.example", "//evil.example", "/\\evil.example", "http:/evil.example", "/\t/evil.example"],
)
def test_a_foreign_next_is_ignored_and_the_user_goes_home(client, add_user, target):
    user = add_user()

    response = sign_in(client, user.username, next_url=quote(target, safe=""))

    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_anonymous_visitor_is_sent_to_sign_in_and_back_after(client, add_user):
    user = add_user(role=Role.ADMIN)

    bounce = client.get("/admin/users")
    assert bounce.status_code == 302
    assert bounce.headers["Location"].startswith("/sign-in?next=")

    response = sign_in(client, user.username, next_url=quote("/admin/users", safe=""))
    assert response.headers["Location"] == "/admin/users"
    assert client.get("/admin/users").status_code == 200


@pytest.mark.parametrize("path", ["/", "/admin/users", "/audit/", "/admin/organisations", "/account/password"])
def test_anonymous_users_are_redirected_to_sign_in(client, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in")


def test_sign_out_is_post_only(client, add_user):
    user = add_user()
    sign_in(client, user.username)

    response = client.get("/sign-out")

    assert response.status_code == 405
    assert client.get("/").status_code == 200


def test_sign_out_ends_the_session_even_for_a_copied_cookie(app, client, add_user):
    user = add_user()
    sign_in(client, user.username)
    stolen = client.get_cookie("rabta_session").value
    before = app.test_client()
    before.set_cookie("rabta_session", stolen)
    assert before.get("/").status_code == 200  # the copy works while the session is live

    response = client.post("/sign-out", data={"csrf_token": csrf_token(client, "/account/password")})

    assert response.status_code == 302
    assert response.headers["Location"] == "/sign-in"
    assert client.get("/").headers["Location"].startswith("/sign-in")
    replay = app.test_client()
    replay.set_cookie("rabta_session", stolen)
    replayed = replay.get("/admin/organisations")
    assert replayed.status_code == 302
    assert replayed.headers["Location"].startswith("/sign-in")


def test_one_time_password_forces_a_password_change_before_any_page(client, one_time_user):
    username, issued = one_time_user
    sign_in(client, username, issued)

    for path in ("/", "/admin/organisations"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"] == "/account/password"
    page = client.get("/account/password").get_data(as_text=True)
    assert "You signed in with a one-time password" in page

    changed = change_password(client, issued, NEW_PASSWORD)

    assert changed.status_code == 302
    assert changed.headers["Location"] == "/"
    assert "Welcome, Fresh Member" in client.get("/").get_data(as_text=True)


def test_the_one_time_password_no_longer_works_after_the_change(app, client, one_time_user):
    username, issued = one_time_user
    sign_in(client, username, issued)
    change_password(client, issued, NEW_PASSWORD)

    other = app.test_client()
    refused = sign_in(other, username, issued)
    accepted = sign_in(app.test_client(), username, NEW_PASSWORD)

    assert "not right" in refused.get_data(as_text=True)
    assert accepted.headers["Location"] == "/"


@pytest.mark.parametrize(
    ("current", "new", "confirm", "message"),
    [
        ("wrong current password", NEW_PASSWORD, NEW_PASSWORD, "This is not your current password."),
        (None, NEW_PASSWORD, "something else entirely", "The two new passwords differ."),
        (None, "short", "short", "Use at least 12 characters."),
        (None, "rabta rabta rabta", "rabta rabta rabta", "obvious words"),
        (None, "", "", "Choose a new password."),
    ],
)
def test_change_password_errors_reshow_the_form_with_messages(client, add_user, current, new, confirm, message):
    user = add_user()
    sign_in(client, user.username)

    response = change_password(client, current or "correct horse battery staple", new, confirm)

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is a problem" in html
    assert message in html
    assert 'name="new_password"' in html


def test_deactivated_user_cannot_sign_in(app, client, add_user):
    user = add_user(username="gone.away")
    with app.app_context():
        session = get_session()
        account_services.set_user_active(session, actor=None, user_id=user.id, active=False)
        session.commit()

    response = sign_in(client, user.username)

    assert response.status_code == 200
    assert "This account has been deactivated." in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_deactivation_ends_a_live_session(app, client, add_user):
    user = add_user()
    sign_in(client, user.username)
    with app.app_context():
        session = get_session()
        account_services.set_user_active(session, actor=None, user_id=user.id, active=False)
        session.commit()

    response = client.get("/")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in")
