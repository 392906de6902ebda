"""API: /api/v1/notifications — the caller's own, and nobody else's."""

from __future__ import annotations

from datetime import timedelta

import pytest

from crm.notifications import services
from crm.notifications.models import Notification, NotificationKind
from tests.channel.conftest import assert_error
from tests.factories import make_user
from tests.notifications.conftest import NOW

BASE = "/api/v1/notifications"
FIELDS = {"id", "kind", "title", "body", "link", "created_at", "read_at"}


def add(session, user, title, minutes=0, kind=NotificationKind.REMINDER):
    return services.notify(session, user=user, key=f"api:{title}", kind=kind, title=title, link="/follow-ups",
                           body="Due 13-03-2025.", now=NOW + timedelta(minutes=minutes))  # fmt: skip


@pytest.fixture
def world(seed):
    def build(s):
        alice = make_user(s, org="MoFA", username="api.alice")
        bob = make_user(s, org="MoC", username="api.bob")
        return {
            "alice": alice,
            "bob": bob,
            "mine": [add(s, alice, f"Reminder {n}", minutes=n) for n in range(5)],
            "bobs": add(s, bob, "Bob's", kind=NotificationKind.ESCALATION),
        }

    return seed(build)


@pytest.fixture
def alice(world, bearer):
    return bearer(world["alice"])


def test_the_list_is_mine_newest_first_with_cursor_pages(client, world, alice):
    first = client.get(f"{BASE}?limit=3", headers=alice).get_json()
    assert [n["id"] for n in first["items"]] == world["mine"][::-1][:3]
    assert set(first["items"][0]) == FIELDS
    assert first["items"][0]["kind"] == "reminder"
    assert first["items"][0]["read_at"] is None
    second = client.get(f"{BASE}?limit=3&cursor={first['next_cursor']}", headers=alice).get_json()
    assert [n["id"] for n in second["items"]] == world["mine"][::-1][3:]
    assert second["next_cursor"] is None


def test_unread_true_lists_only_unread(client, world, alice):
    client.post(f"{BASE}/{world['mine'][0]}/read", headers=alice)
    unread = client.get(f"{BASE}?unread=true", headers=alice).get_json()["items"]
    assert sorted(n["id"] for n in unread) == world["mine"][1:]
    everything = client.get(BASE, headers=alice).get_json()["items"]
    assert len(everything) == 5


def test_one_of_mine_and_none_of_anyone_elses(client, world, alice):
    response = client.get(f"{BASE}/{world['mine'][0]}", headers=alice)
    assert response.status_code == 200
    assert response.get_json()["title"] == "Reminder 0"
    assert_error(client.get(f"{BASE}/{world['bobs']}", headers=alice), 404, "not_found")
    assert_error(client.get(f"{BASE}/2147483648", headers=alice), 404, "not_found")


def test_marking_read_is_mine_only_and_writes_nothing_when_refused(client, world, alice, rows):
    before = rows(Notification)
    assert_error(client.post(f"{BASE}/{world['bobs']}/read", headers=alice), 404, "not_found")
    assert rows(Notification) == before

    response = client.post(f"{BASE}/{world['mine'][0]}/read", headers=alice)
    assert response.status_code == 200
    assert response.get_json()["read_at"] is not None
    assert rows(Notification) == (before[0], before[1] + 1)


def test_read_all_marks_only_mine(client, world, alice, bearer):
    response = client.post(f"{BASE}/read-all", headers=alice)
    assert response.status_code == 200
    assert response.get_json() == {"count": 5}
    assert client.get(f"{BASE}?unread=true", headers=alice).get_json()["items"] == []
    assert client.post(f"{BASE}/read-all", headers=alice).get_json() == {"count": 0}
    bob = client.get(f"{BASE}?unread=true", headers=bearer(world["bob"])).get_json()["items"]
    assert [n["id"] for n in bob] == [world["bobs"]]


def test_bad_arguments_are_422(client, world, alice):
    assert_error(client.get(f"{BASE}?cursor=garbage", headers=alice), 422, "validation_failed")
    error = assert_error(client.get(f"{BASE}?unread=maybe", headers=alice), 422, "validation_failed")
    assert "unread" in error["fields"]
    assert_error(client.get(f"{BASE}?limit=0", headers=alice), 422, "validation_failed")


def test_a_token_is_required(client, world):
    assert_error(client.get(BASE), 401, "unauthorized")
    assert_error(client.post(f"{BASE}/read-all"), 401, "unauthorized")


def test_the_endpoints_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"/api/v1/notifications", "/api/v1/notifications/{notification_id}",
            "/api/v1/notifications/{notification_id}/read", "/api/v1/notifications/read-all"} <= set(paths)  # fmt: skip
