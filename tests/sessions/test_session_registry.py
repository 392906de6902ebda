"""The server-side session registry through the pages: rotation, listing, timeouts, revocation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from crm.accounts.digests import token_digest
from crm.accounts.models import Role, UserSession
from crm.audit.models import AuditEvent
from crm.db import get_session, utcnow
from tests import authenticators
from tests.channel.conftest import page_csrf
from tests.conftest import csrf_token, sign_in
from tests.factories import PASSWORD
from tests.sessions.conftest import cookie_session

CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"


def sessions_of(app, user_id: int) -> list[UserSession]:
    with app.app_context():
        query = select(UserSession).where(UserSession.user_id == user_id).order_by(UserSession.id)
        return list(get_session().scalars(query))


def browser(app, agent: str = CHROME, ip: str = "10.1.2.3"):
    client = app.test_client()
    client.environ_base.update({"HTTP_USER_AGENT": agent, "REMOTE_ADDR": ip})
    return client


def set_clock(monkeypatch, at) -> None:
    """The loader's clock (where timeouts are judged)."""
    monkeypatch.setattr("crm.accounts.web.utcnow", lambda: at)


# Sign-in: a new row, a new cookie


def test_sign_in_records_a_session_and_the_cookie_holds_only_its_token(app, client, add_user):
    user = add_user()
    sign_in(client, user.username)
    [row] = sessions_of(app, user.id)
    token, _, nonce = cookie_session(app, client)["_user_id"].partition(":")
    assert row.token_digest == token_digest(token)
    assert token not in row.token_digest
    assert nonce == user.session_nonce
    assert row.ended_at is None
    assert row.mfa_passed_at is not None
    assert row.expires_at - row.created_at == timedelta(hours=app.config["SESSION_ABSOLUTE_HOURS"])


def test_sign_in_replaces_whatever_session_the_browser_had_before(app, client, add_user):
    """Session fixation: an id planted before sign-in is not the one in use after."""
    user = add_user()
    client.get("/sign-in")
    with client.session_transaction() as planted:
        planted["planted"] = "by an attacker"
    before = client.get_cookie("rabta_session").value
    sign_in(client, user.username)
    after = client.get_cookie("rabta_session").value
    assert after != before
    assert "planted" not in cookie_session(app, client)
    fixed = app.test_client()
    fixed.set_cookie("rabta_session", before)
    assert fixed.get("/").status_code == 302


def test_passing_the_second_factor_changes_the_session_token_again(app, client, add_user):
    chair = add_user(role=Role.CHAIR)
    token = csrf_token(client, "/sign-in")
    data = {"username": chair.username, "password": PASSWORD, "csrf_token": token}
    location = client.post("/sign-in", data=data).headers["Location"]
    half = cookie_session(app, client)["_user_id"]
    assert client.get("/").status_code == 302
    authenticators.enrol(client, chair.username, location)
    assert cookie_session(app, client)["_user_id"] != half
    assert client.get("/").status_code == 200


def test_remember_me_is_off_the_cookie_dies_with_the_browser(app, client, add_user):
    sign_in(client, add_user().username)
    assert app.config["REMEMBER_ME"] is False
    assert "Keep me signed in" not in client.get("/sign-in").get_data(as_text=True)
    assert client.get_cookie("remember_token") is None
    assert client.get_cookie("rabta_session").expires is None


# "Your sessions"


def test_the_sessions_page_lists_each_live_session_with_browser_ip_and_times(app, add_user):
    user = add_user()
    laptop, phone = browser(app, CHROME, "10.1.2.3"), browser(app, FIREFOX, "10.9.8.7")
    sign_in(laptop, user.username)
    sign_in(phone, user.username)
    page = laptop.get("/account/sessions")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Chrome on Linux <strong>(this session)</strong>" in html
    assert "Firefox on Windows" in html
    assert "10.1.2.3" in html
    assert "10.9.8.7" in html
    assert html.count(" PKT</time>") == 4
    assert "<caption>Your active sessions, most recently used first</caption>" in html


def test_signing_out_one_session_from_the_list_leaves_this_one(app, add_user):
    user = add_user()
    laptop, phone = browser(app), browser(app, FIREFOX)
    sign_in(laptop, user.username)
    sign_in(phone, user.username)
    phone_row = sessions_of(app, user.id)[1]
    response = laptop.post(
        f"/account/sessions/{phone_row.id}/end", data={"csrf_token": page_csrf(laptop, "/account/sessions")}
    )
    assert response.status_code == 302
    assert phone.get("/").status_code == 302
    assert laptop.get("/").status_code == 200
    assert sessions_of(app, user.id)[1].end_reason == "signed_out_elsewhere"


def test_another_users_session_cannot_be_ended_and_nothing_is_written(app, add_user, rows):
    alice, bob = add_user(), add_user()
    a, b = browser(app), browser(app)
    sign_in(a, alice.username)
    sign_in(b, bob.username)
    bobs = sessions_of(app, bob.id)[0]
    before = rows(UserSession)
    response = a.post(f"/account/sessions/{bobs.id}/end", data={"csrf_token": page_csrf(a, "/account/sessions")})
    assert response.status_code == 404
    assert rows(UserSession) == before
    assert b.get("/").status_code == 200


def test_sign_out_everywhere_else_ends_the_other_sessions_and_is_audited(app, add_user):
    user = add_user()
    here, there, elsewhere = browser(app), browser(app), browser(app)
    for client in (here, there, elsewhere):
        sign_in(client, user.username)
    response = here.post("/account/sessions/end-others", data={"csrf_token": page_csrf(here, "/account/sessions")})
    assert response.status_code == 302
    assert "2 other sessions" in here.get("/account/sessions").get_data(as_text=True)
    assert there.get("/").status_code == 302
    assert elsewhere.get("/").status_code == 302
    assert here.get("/").status_code == 200
    with app.app_context():
        event = get_session().scalars(select(AuditEvent).where(AuditEvent.action == "session.end_others")).one()
        assert event.after == {"ended": 2}


def test_signing_out_ends_only_this_session(app, add_user):
    user = add_user()
    here, there = browser(app), browser(app)
    sign_in(here, user.username)
    sign_in(there, user.username)
    stolen = here.get_cookie("rabta_session").value
    here.post("/sign-out", data={"csrf_token": page_csrf(here, "/")})
    copy = app.test_client()
    copy.set_cookie("rabta_session", stolen)
    assert copy.get("/").status_code == 302
    assert there.get("/").status_code == 200
    assert [r.end_reason for r in sessions_of(app, user.id)] == ["sign_out", ""]


# Timeouts


def test_a_session_idle_longer_than_the_idle_timeout_ends(app, client, add_user, monkeypatch):
    user = add_user()
    sign_in(client, user.username)
    start = sessions_of(app, user.id)[0].last_seen_at
    set_clock(monkeypatch, start + timedelta(minutes=app.config["SESSION_IDLE_MINUTES"], seconds=1))
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in")
    row = sessions_of(app, user.id)[0]
    assert row.end_reason == "idle"
    with app.app_context():
        event = get_session().scalars(select(AuditEvent).where(AuditEvent.action == "session.timeout")).one()
        assert event.after == {"user_id": user.id, "reason": "idle"}


def test_use_within_the_idle_timeout_keeps_the_session_alive(app, client, add_user, monkeypatch):
    user = add_user()
    sign_in(client, user.username)
    start = sessions_of(app, user.id)[0].last_seen_at
    idle = timedelta(minutes=app.config["SESSION_IDLE_MINUTES"])
    for minutes in (20, 40, 60):  # each visit comes within the idle timeout of the one before
        set_clock(monkeypatch, start + timedelta(minutes=minutes))
        assert client.get("/").status_code == 200
    assert sessions_of(app, user.id)[0].last_seen_at == start + timedelta(minutes=60)
    assert timedelta(minutes=60) > idle


def test_last_seen_is_written_at_most_once_a_minute(app, client, add_user, monkeypatch):
    user = add_user()
    sign_in(client, user.username)
    start = sessions_of(app, user.id)[0].last_seen_at
    set_clock(monkeypatch, start + timedelta(seconds=50))
    client.get("/")
    assert sessions_of(app, user.id)[0].last_seen_at == start
    set_clock(monkeypatch, start + timedelta(seconds=70))
    client.get("/")
    assert sessions_of(app, user.id)[0].last_seen_at == start + timedelta(seconds=70)


def test_a_session_ends_at_the_absolute_timeout_however_busy(app, client, add_user, monkeypatch):
    user = add_user()
    sign_in(client, user.username)
    row = sessions_of(app, user.id)[0]
    end = row.expires_at
    with app.app_context():  # the user was active a minute ago
        session = get_session()
        session.execute(
            update(UserSession).where(UserSession.id == row.id).values(last_seen_at=end - timedelta(minutes=1))
        )
        session.commit()
    set_clock(monkeypatch, end - timedelta(seconds=1))
    assert client.get("/").status_code == 200
    set_clock(monkeypatch, end)
    assert client.get("/").status_code == 302
    assert sessions_of(app, user.id)[0].end_reason == "expired"


def test_timed_out_sessions_are_not_listed(app, add_user, monkeypatch):
    user = add_user()
    old, new = browser(app), browser(app, FIREFOX)
    sign_in(old, user.username)
    first = sessions_of(app, user.id)[0]
    with app.app_context():
        session = get_session()
        session.execute(
            update(UserSession).where(UserSession.id == first.id).values(last_seen_at=utcnow() - timedelta(hours=2))
        )
        session.commit()
    sign_in(new, user.username)
    html = new.get("/account/sessions").get_data(as_text=True)
    assert "Firefox on Windows" in html
    assert "Chrome on Linux" not in html


# Revocation by others' acts


def test_deactivation_ends_every_session_of_the_user(app, add_user, load_user):
    admin, member = add_user(role=Role.ADMIN), add_user()
    one, two, admin_client = browser(app), browser(app), browser(app)
    sign_in(one, member.username)
    sign_in(two, member.username)
    sign_in(admin_client, admin.username)
    admin_client.post(
        f"/admin/users/{member.id}/deactivate",
        data={"csrf_token": page_csrf(admin_client, "/admin/users"), "version": load_user(member.id).version},
    )
    assert one.get("/").status_code == 302
    assert two.get("/").status_code == 302
    assert {r.end_reason for r in sessions_of(app, member.id)} == {"deactivated"}


def test_a_password_change_ends_the_other_sessions_but_not_this_one(app, add_user):
    user = add_user()
    here, there = browser(app), browser(app)
    sign_in(here, user.username)
    sign_in(there, user.username)
    new = "violet lantern orbits quietly"
    response = here.post(
        "/account/password",
        data={
            "csrf_token": csrf_token(here, "/account/password"),
            "current_password": "correct horse battery staple",
            "new_password": new,
            "confirm": new,
        },
    )
    assert response.status_code == 302
    assert here.get("/").status_code == 200
    assert there.get("/").status_code == 302
    assert [r.end_reason for r in sessions_of(app, user.id)] == ["", "password_change"]


def test_a_role_change_ends_every_session_of_the_user_and_is_audited(app, add_user, load_user):
    admin, member = add_user(role=Role.ADMIN), add_user()
    theirs, mine = browser(app), browser(app)
    sign_in(theirs, member.username)
    sign_in(mine, admin.username)
    form = mine.get(f"/admin/users/{member.id}/role")
    assert form.status_code == 200
    response = mine.post(
        f"/admin/users/{member.id}/role",
        data={"csrf_token": page_csrf(mine, f"/admin/users/{member.id}/role"), "role": "observer",
              "version": load_user(member.id).version},
    )  # fmt: skip
    assert response.status_code == 302
    assert load_user(member.id).role is Role.OBSERVER
    assert theirs.get("/").status_code == 302
    assert {r.end_reason for r in sessions_of(app, member.id)} == {"role_change"}
    with app.app_context():
        event = get_session().scalars(select(AuditEvent).where(AuditEvent.action == "user.role_change")).one()
        assert (event.before, event.after) == ({"role": "member"}, {"role": "observer"})


def test_an_admin_cannot_change_their_own_role(app, add_user, load_user, rows):
    admin = add_user(role=Role.ADMIN)
    mine = browser(app)
    sign_in(mine, admin.username)
    before = rows(UserSession)
    response = mine.post(
        f"/admin/users/{admin.id}/role",
        data={"csrf_token": page_csrf(mine, f"/admin/users/{admin.id}/role"), "role": "member",
              "version": load_user(admin.id).version},
    )  # fmt: skip
    assert response.status_code == 403
    assert load_user(admin.id).role is Role.ADMIN
    assert rows(UserSession) == before


@pytest.mark.parametrize("path", ["/account/sessions", "/account/two-step/turn-off"])
def test_the_account_pages_need_a_signed_in_user(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in")


def test_remember_me_when_configured_is_offered_and_keeps_the_cookie_until_the_absolute_timeout(
    app, client, add_user, monkeypatch
):
    monkeypatch.setitem(app.config, "REMEMBER_ME", True)
    user = add_user()
    page = client.get("/sign-in").get_data(as_text=True)
    assert "Keep me signed in on this device" in page
    token = csrf_token(client, "/sign-in")
    data = {"username": user.username, "password": PASSWORD, "remember": "y", "csrf_token": token}
    assert client.post("/sign-in", data=data).status_code == 302
    assert client.get_cookie("rabta_session").expires is not None
    assert client.get_cookie("remember_token") is None  # never flask-login's own remember cookie
