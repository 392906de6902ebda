"""GET /api/v1/audit-events: the chair and admins only, newest first, filters, cursor pages."""

from __future__ import annotations

from typing import Any

import pytest

from crm.accounts.models import Role
from crm.audit.models import AuditEvent
from crm.companies.services import CompanyInput, create_company
from tests.channel.conftest import assert_error
from tests.channel.factories import make_chair
from tests.factories import make_user

URL = "/api/v1/audit-events"


@pytest.fixture
def people(seed) -> dict[str, Any]:
    def build(session):
        chair = make_chair(session)
        users = {role.value: make_user(session, role=role) for role in Role if role is not Role.CHAIR}
        keeper = make_user(session, role=Role.SECRETARIAT, org="NSD")
        for name in ("Alpha", "Beta", "Gamma"):
            create_company(session, actor=keeper, data=CompanyInput(name=f"Audit {name}", notes="private notes"))
        return {"chair": chair, "keeper": keeper, **users}

    return seed(build)


@pytest.mark.parametrize("role", ["secretariat", "member", "observer"])
def test_only_the_chair_and_admins_read_the_audit_log(client, bearer, people, rows, role) -> None:
    headers = bearer(people[role])
    before = rows(AuditEvent)
    assert_error(client.get(URL, headers=headers), 403, "forbidden")
    assert rows(AuditEvent) == before


def test_the_chair_reads_events_newest_first_with_their_changes(client, bearer, people) -> None:
    body = client.get(URL, headers=bearer(people["chair"]), query_string={"action": "company.create"}).get_json()
    names = [event["after"]["name"] for event in body["items"]]
    assert names[:3] == ["Audit Gamma", "Audit Beta", "Audit Alpha"]
    seqs = [event["seq"] for event in body["items"]]
    assert seqs == sorted(seqs, reverse=True)


def test_an_admin_sees_who_did_what_but_not_the_content_of_records(client, bearer, people) -> None:
    body = client.get(URL, headers=bearer(people["admin"]), query_string={"action": "company.create"}).get_json()
    assert body["items"]
    assert all(e["before"] is None and e["after"] is None for e in body["items"])
    accounts = client.get(URL, headers=bearer(people["admin"]), query_string={"target_type": "users"}).get_json()
    assert any(event["after"] for event in accounts["items"])


def test_filters_and_cursor_pages_cover_every_event_once(client, bearer, people) -> None:
    headers = bearer(people["chair"])
    query = {"actor_id": people["keeper"].id, "limit": 2}
    first = client.get(URL, headers=headers, query_string=query).get_json()
    second = client.get(URL, headers=headers, query_string={**query, "cursor": first["next_cursor"]}).get_json()
    seen = [e["id"] for e in first["items"] + second["items"]]
    assert len(seen) == len(set(seen)) == 3
    assert all(e["actor_id"] == people["keeper"].id for e in first["items"] + second["items"])
    assert second["next_cursor"] is None
    one = client.get(URL, headers=headers, query_string={"target_type": "companies", "target_id": "999999"})
    assert one.get_json()["items"] == []


def test_a_forged_cursor_is_a_validation_error(client, bearer, people) -> None:
    response = client.get(URL, headers=bearer(people["chair"]), query_string={"cursor": "bm9wZQ"})
    assert_error(response, 422, "validation_failed")
