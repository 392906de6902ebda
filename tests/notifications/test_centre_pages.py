"""The notification centre: the user's own notifications, marking read, and the header's count."""

from __future__ import annotations

from datetime import timedelta

import pytest

from crm.notifications import services
from crm.notifications.models import Notification, NotificationKind
from tests.channel.conftest import page_csrf
from tests.factories import make_user
from tests.notifications.conftest import NOW


def add(session, user, title, link="", kind=NotificationKind.REMINDER, minutes=0):
    return services.notify(session, user=user, key=f"test:{title}", kind=kind, title=title, link=link,
                           now=NOW + timedelta(minutes=minutes))  # fmt: skip


@pytest.fixture
def world(seed):
    def build(s):
        alice = make_user(s, org="MoFA", username="alice.mofa")
        bob = make_user(s, org="MoC", username="bob.moc")
        return {
            "alice": alice,
            "bob": bob,
            "local": add(s, alice, "Follow-up due in 3 days: Reply to Meta", "/follow-ups", minutes=1),
            "absolute": add(
                s,
                alice,
                "Commitment overdue: Google",
                "http://127.0.0.1:5000/follow-ups?x=1",
                NotificationKind.ESCALATION,
                minutes=2,
            ),  # fmt: skip
            "external": add(s, alice, "Odd link", "https://elsewhere.example/x", minutes=3),
            "bobs": add(s, bob, "Bob's reminder", "/follow-ups"),
        }

    return seed(build)


def read_at(app, notification_id):
    from crm.db import get_session

    with app.app_context():
        return get_session().get(Notification, notification_id).read_at


def post(client, path, **data):
    return client.post(path, data={"csrf_token": page_csrf(client, "/notifications"), **data})


def test_the_centre_lists_my_notifications_newest_first_and_says_which_are_unread(login, world):
    page = login(world["alice"]).get("/notifications").get_data(as_text=True)
    assert page.index("Odd link") < page.index("Commitment overdue: Google") < page.index("Reply to Meta")
    assert page.count(">Unread</span>") == 3
    assert "Escalation" in page
    assert "Bob&#39;s reminder" not in page
    assert "Bob's reminder" not in page


def test_the_header_shows_the_unread_count_in_words(login, world):
    client = login(world["alice"])
    assert "Notifications (3 unread)" in client.get("/follow-ups").get_data(as_text=True)
    post(client, f"/notifications/{world['local']}/read", stay="1")
    assert "Notifications (2 unread)" in client.get("/follow-ups").get_data(as_text=True)


def test_the_header_shows_no_count_when_nothing_is_unread(login, seed):
    user = seed(lambda s: make_user(s, org="PTA"))
    page = login(user).get("/notifications").get_data(as_text=True)
    assert '<a href="/notifications">Notifications</a>' in page
    assert "unread)" not in page
    assert "No notifications yet" in page


def test_opening_a_notification_marks_it_read_and_follows_its_link(app, login, world, rows):
    client = login(world["alice"])
    before = rows(Notification)
    response = post(client, f"/notifications/{world['local']}/read")
    assert response.status_code == 302
    assert response.headers["Location"] == "/follow-ups"
    assert read_at(app, world["local"]) is not None
    assert rows(Notification) == (before[0], before[1] + 1)  # one audit event


def test_an_absolute_link_to_this_site_leads_to_its_path(login, world):
    response = post(login(world["alice"]), f"/notifications/{world['absolute']}/read")
    assert response.headers["Location"] == "/follow-ups?x=1"


def test_a_link_elsewhere_leads_back_to_the_centre(login, world):
    response = post(login(world["alice"]), f"/notifications/{world['external']}/read")
    assert response.headers["Location"] == "/notifications"


def test_marking_read_and_staying_returns_to_the_list(app, login, world):
    response = post(login(world["alice"]), f"/notifications/{world['local']}/read", stay="1", show="unread")
    assert response.headers["Location"] == "/notifications?show=unread"
    assert read_at(app, world["local"]) is not None


def test_reading_again_changes_nothing(app, login, world, rows):
    client = login(world["alice"])
    post(client, f"/notifications/{world['local']}/read")
    first = read_at(app, world["local"])
    before = rows(Notification)
    post(client, f"/notifications/{world['local']}/read")
    assert read_at(app, world["local"]) == first
    assert rows(Notification) == before


def test_someone_elses_notification_is_not_found_and_nothing_is_written(app, login, world, rows):
    client = login(world["alice"])
    csrf = page_csrf(client, "/notifications")
    before = rows(Notification)
    for target in (world["bobs"], 999_999):
        assert client.post(f"/notifications/{target}/read", data={"csrf_token": csrf}).status_code == 404
    assert rows(Notification) == before
    assert read_at(app, world["bobs"]) is None


def test_unread_filter_and_mark_all_read(app, login, world, rows):
    client = login(world["alice"])
    post(client, f"/notifications/{world['local']}/read", stay="1")
    unread_page = client.get("/notifications?show=unread").get_data(as_text=True)
    assert "Reply to Meta" not in unread_page
    assert "Odd link" in unread_page

    before = rows()
    response = post(client, "/notifications/read-all")
    assert response.headers["Location"] == "/notifications"
    page = client.get("/notifications?show=unread").get_data(as_text=True)
    assert "2 notifications marked as read." in page
    assert "Nothing unread" in page
    assert "Mark all as read" not in page
    assert rows() == (before[0] + 1,)
    assert read_at(app, world["bobs"]) is None  # only mine


def test_mark_all_read_with_nothing_unread_writes_nothing(login, world, rows):
    client = login(world["alice"])
    post(client, "/notifications/read-all")
    before = rows(Notification)
    post(client, "/notifications/read-all")
    assert rows(Notification) == before


def test_the_list_pages_by_id(login, seed, monkeypatch):
    monkeypatch.setattr("crm.notifications.views.PAGE_SIZE", 2)
    user = seed(lambda s: make_user(s, org="PTA"))
    ids = seed(lambda s: [add(s, user, f"Note {n}", minutes=n) for n in range(3)])
    client = login(user)
    first = client.get("/notifications").get_data(as_text=True)
    assert "Note 2" in first
    assert "Note 1" in first
    assert "Note 0" not in first
    assert f"before={ids[1]}" in first
    second = client.get(f"/notifications?before={ids[1]}").get_data(as_text=True)
    assert "Note 0" in second
    assert "Note 1" not in second
    assert "Older notifications" not in second


def test_a_garbage_cursor_shows_the_first_page(login, world):
    client = login(world["alice"])
    for before in ("abc", "-1", "99999999999999"):
        assert client.get(f"/notifications?before={before}").status_code == 200


def test_signing_in_is_required(client, world):
    response = client.get("/notifications")
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]
    assert client.post(f"/notifications/{world['local']}/read").status_code in (302, 400)


def test_a_post_without_csrf_token_is_refused(app, login, world):
    assert login(world["alice"]).post(f"/notifications/{world['local']}/read").status_code == 400
    assert read_at(app, world["local"]) is None


# The header's count: one query per page, whatever the number of notifications


def measure(client, path, statements):
    client.get(path)  # warm up
    statements.clear()
    response = client.get(path)
    assert response.status_code == 200
    return list(statements)


def test_the_header_count_is_one_query_whatever_the_number_of_notifications(login, seed, count_queries):
    user = seed(lambda s: make_user(s, org="PTA"))
    seed(lambda s: add(s, user, "First"))
    client = login(user)
    one = (measure(client, "/follow-ups", count_queries), measure(client, "/notifications", count_queries))

    seed(lambda s: [add(s, user, f"Note {n}", minutes=n + 1) for n in range(30)])
    many = (measure(client, "/follow-ups", count_queries), measure(client, "/notifications", count_queries))

    assert [len(statements) for statements in one] == [len(statements) for statements in many]
    follow_ups_page = many[0]
    assert len([s for s in follow_ups_page if "notifications" in s]) == 1
    # The centre asks for the count twice (header, "Mark all as read"): computed once per request.
    assert len([s for s in many[1] if "count(" in s.lower() and "notifications" in s]) == 1
    assert "Notifications (31 unread)" in client.get("/follow-ups").get_data(as_text=True)


def test_the_header_counts_a_backlog_up_to_a_hundred_and_says_99_plus(login, seed):
    user = seed(lambda s: make_user(s, org="PTA"))
    seed(lambda s: [add(s, user, f"Note {n}", minutes=n + 1) for n in range(99)])
    client = login(user)
    assert "Notifications (99 unread)" in client.get("/follow-ups").get_data(as_text=True)

    seed(lambda s: [add(s, user, f"More {n}", minutes=n + 200) for n in range(5)])

    assert "Notifications (99+ unread)" in client.get("/follow-ups").get_data(as_text=True)
