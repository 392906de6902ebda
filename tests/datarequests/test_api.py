"""/api/v1/data-requests: rules, error shapes and pagination."""

from __future__ import annotations

from crm.datarequests.models import DataRequest, DataResponse
from tests.channel.conftest import assert_error
from tests.datarequests.factories import days, make_request

API = "/api/v1/data-requests"


def test_create_read_patch_and_status(client, cast, bearer, rows):
    keeper, member = bearer(cast.secretariat), bearer(cast.moit)
    before = rows(DataRequest)
    assert_error(
        client.post(API, json={"requested_from_id": cast.pta.organisation_id, "title": "X"}, headers=member),
        403,
        "not_keeper",
    )
    error = assert_error(client.post(API, json={"title": ""}, headers=keeper), 422, "validation_failed")
    assert {"requested_from_id", "title"} <= set(error["fields"])
    assert rows(DataRequest) == before

    created = client.post(
        API,
        json={"requested_from_id": cast.pta.organisation_id, "title": "Figures", "due_date": days(-1).isoformat()},
        headers=keeper,
    )
    assert created.status_code == 201
    item = created.get_json()
    assert item["status"] == "open"
    assert item["is_late"] is True
    url = f"{API}/{item['id']}"
    assert client.patch(url, json={"version": 1, "title": "Figures 2"}, headers=keeper).get_json()["version"] == 2
    assert_error(client.patch(url, json={"version": 1, "title": "Old"}, headers=keeper), 409, "version_conflict")
    closed = client.post(url + "/status", json={"version": 2, "status": "closed"}, headers=keeper)
    assert closed.status_code == 200
    assert closed.get_json()["status"] == "closed"
    assert_error(client.get(f"{API}/999999", headers=member), 404, "not_found")


def test_responses(client, seed, cast, bearer, rows):
    request = seed(lambda s: make_request(s, by=cast.chair))
    url = f"{API}/{request.id}/responses"
    pta, moit = bearer(cast.pta), bearer(cast.moit)
    before = rows(DataResponse)

    assert_error(client.post(url, json={"text": "Ours"}, headers=moit), 403, "not_requested_organisation")
    assert_error(client.post(url, json={}, headers=pta), 422, "validation_failed")
    assert rows(DataResponse) == before
    assert client.post(url, json={"text": "PTA figures"}, headers=pta).status_code == 201
    assert [r["text"] for r in client.get(url, headers=moit).get_json()["items"]] == ["PTA figures"]
    assert client.get(f"{API}/{request.id}", headers=moit).get_json()["status"] == "answered"


def test_pagination_and_filters(client, seed, cast, bearer):
    ids = seed(lambda s: [make_request(s, by=cast.chair, due_date=days(-2)).id for _ in range(3)])
    headers = bearer(cast.observer)

    first = client.get(f"{API}?limit=2&late=true", headers=headers).get_json()
    second = client.get(f"{API}?limit=2&late=true&cursor={first['next_cursor']}", headers=headers).get_json()

    assert [i["id"] for i in first["items"] + second["items"]] == sorted(ids, reverse=True)
    assert_error(client.get(f"{API}?cursor=zzz", headers=headers), 422, "validation_failed")
    assert_error(client.get(API, headers=bearer(cast.admin)), 403, "not_permitted")
