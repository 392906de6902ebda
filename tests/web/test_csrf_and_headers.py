"""CSRF refusals, security headers, cookie flags, and no external origins in pages."""

from __future__ import annotations

import re

import pytest

from crm.accounts.models import User
from crm.audit.models import AuditEvent
from tests.conftest import csrf_token, sign_in
from tests.factories import PASSWORD

URL_ATTRIBUTE = re.compile(r"""\b(?:src|href|action|srcset|poster|data)\s*=\s*["']([^"']*)["']""", re.IGNORECASE)


def test_sign_in_without_csrf_token_is_refused_and_not_audited(client, add_user, count):
    user = add_user()
    client.get("/sign-in")  # a real browser has a session cookie already
    events = count(AuditEvent)

    response = client.post("/sign-in", data={"username": user.username, "password": PASSWORD})

    assert response.status_code == 400
    assert count(AuditEvent) == events
    assert client.get("/").status_code == 302


def test_sign_in_with_a_forged_csrf_token_is_refused(client, add_user, count):
    user = add_user()
    events = count(AuditEvent)

    response = client.post("/sign-in", data={"username": user.username, "password": PASSWORD, "csrf_token": "forged"})

    assert response.status_code == 400
    assert count(AuditEvent) == events


def test_sign_out_without_csrf_token_is_refused_and_the_session_survives(admin_client, count):
    events = count(AuditEvent)

    response = admin_client.post("/sign-out")

    assert response.status_code == 400
    assert count(AuditEvent) == events
    assert admin_client.get("/").status_code == 200


def test_create_user_without_csrf_token_is_refused_and_writes_nothing(admin_client, count):
    users, events = count(User), count(AuditEvent)
    form = {"username": "no.token", "full_name": "No Token", "role": "member", "organisation_id": "1"}

    response = admin_client.post("/admin/users/new", data={**form, "clearance": "unclassified"})

    assert response.status_code == 400
    assert "expired" in response.get_data(as_text=True).lower() or "csrf" in response.get_data(as_text=True).lower()
    assert (count(User), count(AuditEvent)) == (users, events)


def test_csrf_token_from_another_session_is_refused(app, admin_client, count):
    stranger_token = csrf_token(app.test_client(), "/sign-in")
    users = count(User)
    form = {"username": "cross.site", "full_name": "Cross Site", "role": "member", "organisation_id": "1"}

    response = admin_client.post("/admin/users/new", data={**form, "csrf_token": stranger_token})

    assert response.status_code == 400
    assert count(User) == users


@pytest.mark.parametrize("path", ["/sign-in", "/", "/admin/users", "/admin/organisations", "/no-such-page"])
def test_pages_send_strict_security_headers(admin_client, path):
    headers = admin_client.get(path).headers

    csp = headers["Content-Security-Policy"]
    directives = {part.split()[0]: part.split()[1:] for part in csp.split(";") if part.strip()}
    assert directives["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in csp
    assert "'unsafe-eval'" not in csp
    assert directives["frame-ancestors"] == ["'none'"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] in ("same-origin", "strict-origin-when-cross-origin", "no-referrer")


def test_anonymous_sign_in_page_has_security_headers_too(client):
    headers = client.get("/sign-in").headers

    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"


def test_session_cookie_is_http_only_and_same_site_lax(client, add_user):
    user = add_user()

    response = sign_in(client, user.username)

    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("rabta_session=")]
    assert cookies, "signing in must (re)issue the session cookie"
    flags = [flag.strip().lower() for flag in cookies[-1].split(";")]
    assert "httponly" in flags
    assert "samesite=lax" in flags


@pytest.mark.parametrize("path", ["/", "/admin/users", "/admin/organisations", "/audit/", "/account/password"])
def test_authenticated_pages_are_never_cached(admin_client, path):
    response = admin_client.get(path)

    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]


def _external_urls(html: str) -> list[str]:
    urls = URL_ATTRIBUTE.findall(html)
    assert urls, "expected some links on the page"
    return [url for url in urls if re.match(r"\s*(https?:)?//", url, re.IGNORECASE)]


def test_sign_in_page_references_no_external_origin(client):
    assert _external_urls(client.get("/sign-in").get_data(as_text=True)) == []


@pytest.mark.parametrize("path", ["/", "/admin/users", "/admin/users/new", "/admin/organisations", "/audit/"])
def test_signed_in_pages_reference_no_external_origin(admin_client, path):
    response = admin_client.get(path)

    assert response.status_code == 200
    assert _external_urls(response.get_data(as_text=True)) == []
