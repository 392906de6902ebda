"""The admin's scheduler health page: jobs, last runs and errors, the lock, the outbox."""

from __future__ import annotations

from datetime import timedelta

import pytest
from markupsafe import escape

import crm.followups.jobs
from crm.accounts.models import Role
from crm.db import utcnow
from crm.notifications.models import OutboxChannel
from crm.notifications.services import queue_message
from crm.scheduler import services
from crm.scheduler.registry import JOBS
from tests.conftest import sign_in
from tests.jobs.factories import person


@pytest.fixture
def login(app, connection):
    def signed_in(user):
        client = app.test_client()
        assert sign_in(client, user.username).status_code == 302
        return client

    return signed_in


def test_the_admin_sees_every_job_never_run_and_no_lock(seed, login):
    admin = seed(lambda s: person(s, role=Role.ADMIN))

    page = login(admin).get("/admin/scheduler")

    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for job in JOBS:
        assert f"<code>{job.id}</code>" in html
        assert escape(job.description) in html
    assert html.count("Never run") == len(JOBS)
    assert "No scheduler has run yet" in html
    assert "every minute" in html
    assert "daily at 08:00 PKT" in html


def test_the_page_shows_last_runs_errors_the_lock_and_the_outbox(seed, login, runner, monkeypatch):
    admin = seed(lambda s: person(s, role=Role.ADMIN))
    assert runner.invoke(args=["jobs", "run", "daily_digest"]).exit_code == 0

    def broken(session, now):
        raise RuntimeError("reminder relay unreachable")

    monkeypatch.setattr(crm.followups.jobs, "follow_up_reminders", broken)
    assert runner.invoke(args=["jobs", "run", "follow_up_reminders"]).exit_code == 1
    now = utcnow()
    seed(lambda s: services.acquire_lease(s, holder="app-host-2:4242:abcd", now=now, seconds=60))
    seed(lambda s: queue_message(s, key="k1", channel=OutboxChannel.EMAIL, recipient="a@example.gov.pk", now=now))

    html = login(admin).get("/admin/scheduler").get_data(as_text=True)

    assert "0 digest(s) sent" in html
    assert "RuntimeError: reminder relay unreachable" in html
    assert "(1 failed)" in html
    assert "app-host-2:4242:abcd" in html
    assert "Active" in html
    assert '<th scope="row">Pending</th><td>1</td>' in html
    assert '<th scope="row">Sent</th><td>0</td>' in html


def test_an_expired_lease_says_no_scheduler_is_running(seed, login):
    admin = seed(lambda s: person(s, role=Role.ADMIN))
    then = utcnow() - timedelta(minutes=10)
    seed(lambda s: services.acquire_lease(s, holder="dead-host:1:0000", now=then, seconds=60))

    html = login(admin).get("/admin/scheduler").get_data(as_text=True)

    assert "Expired" in html
    assert "No scheduler is running" in html


@pytest.mark.parametrize("role", [Role.CHAIR, Role.SECRETARIAT, Role.MEMBER, Role.OBSERVER])
def test_everyone_but_the_admin_is_refused(seed, login, role):
    user = seed(lambda s: person(s, role=role, org="NSD" if role is Role.CHAIR else "MoIT"))

    assert login(user).get("/admin/scheduler").status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/admin/scheduler")

    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]


def test_the_navigation_links_the_page_for_admins(seed, login):
    admin = seed(lambda s: person(s, role=Role.ADMIN))

    assert 'href="/admin/scheduler"' in login(admin).get("/").get_data(as_text=True)
