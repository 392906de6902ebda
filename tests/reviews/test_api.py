"""/api/v1/draft-reviews: the same rules as the pages, the API's error shapes and pagination."""

from __future__ import annotations

from crm.reviews.models import DraftComment, DraftReview
from tests.channel.conftest import assert_error
from tests.reviews.factories import days, make_review

API = "/api/v1/draft-reviews"


def body(cast, **overrides):
    values = {
        "title": "Draft social media rules",
        "originating_organisation_id": cast.molj.organisation_id,
        "received_on": days(-2).isoformat(),
        "input_due": days(5).isoformat(),
        "reviewer_ids": [cast.moit.id],
    }
    values.update(overrides)
    return values


def test_a_member_registers_a_draft_and_anyone_reads_it(client, cast, bearer):
    created = client.post(API, json=body(cast), headers=bearer(cast.molj))

    assert created.status_code == 201, created.get_json()
    item = created.get_json()
    assert item["status"] == "received"
    assert item["reviewer_ids"] == [cast.moit.id]
    assert item["is_overdue"] is False
    read = client.get(f"{API}/{item['id']}", headers=bearer(cast.observer))
    assert read.status_code == 200
    assert read.get_json()["title"] == "Draft social media rules"


def test_refusals_and_field_errors_write_nothing(client, cast, bearer, rows):
    observer, member, admin = bearer(cast.observer), bearer(cast.molj), bearer(cast.admin)
    before = rows(DraftReview)

    assert_error(client.post(API, json=body(cast), headers=observer), 403, "not_permitted")
    error = assert_error(
        client.post(API, json=body(cast, input_due=days(-30).isoformat()), headers=member), 422, "validation_failed"
    )
    assert "input_due" in error["fields"]
    missing = assert_error(client.post(API, json={}, headers=member), 422, "validation_failed")
    assert {"title", "originating_organisation_id", "received_on"} <= set(missing["fields"])
    assert_error(client.get(API, headers=admin), 403, "not_permitted")
    assert rows(DraftReview) == before


def test_unknown_ids_are_404(client, cast, bearer):
    assert_error(client.get(f"{API}/999999", headers=bearer(cast.chair)), 404, "not_found")
    assert_error(client.post(f"{API}/999999/comments", json={"text": "x"}, headers=bearer(cast.moit)), 404, "not_found")


def test_a_stale_patch_is_409_and_consolidation_is_for_the_keepers(client, seed, cast, bearer, rows):
    review = seed(lambda s: make_review(s, by=cast.molj))
    url, member, keeper = f"{API}/{review.id}", bearer(cast.molj), bearer(cast.secretariat)

    renamed = client.patch(url, json={"version": 1, "title": "Renamed"}, headers=member)
    assert renamed.status_code == 200
    assert renamed.get_json()["version"] == 2
    before = rows(DraftReview)
    assert_error(client.patch(url, json={"version": 1, "title": "Late"}, headers=keeper), 409, "version_conflict")
    assert_error(
        client.patch(url, json={"version": 2, "consolidated_input": "Ours"}, headers=member), 403, "not_keeper"
    )
    assert rows(DraftReview) == before

    done = client.patch(url, json={"version": 2, "consolidated_input": "Ours"}, headers=keeper)
    assert done.status_code == 200
    assert done.get_json()["consolidated_input"] == "Ours"
    status = client.post(url + "/status", json={"version": 3, "status": "input_returned"}, headers=bearer(cast.chair))
    assert status.status_code == 200
    assert status.get_json()["returned_on"] is not None


def test_comments_are_listed_and_posted(client, seed, cast, bearer, rows):
    review = seed(lambda s: make_review(s, by=cast.molj))
    url, observer, pta = f"{API}/{review.id}/comments", bearer(cast.observer), bearer(cast.pta)
    before = rows(DraftComment)

    assert_error(client.post(url, json={"text": "Hmm"}, headers=observer), 403, "not_permitted")
    assert_error(client.post(url, json={"text": ""}, headers=pta), 422, "validation_failed")
    assert rows(DraftComment) == before
    posted = client.post(url, json={"text": "PTA agrees"}, headers=pta)
    assert posted.status_code == 201
    assert posted.get_json()["organisation_id"] == cast.pta.organisation_id
    listed = client.get(url, headers=bearer(cast.observer)).get_json()["items"]
    assert [c["text"] for c in listed] == ["PTA agrees"]
    assert client.get(f"{API}/{review.id}", headers=bearer(cast.pta)).get_json()["status"] == "under_review"


def test_the_list_is_cursor_paginated_and_filters(client, seed, cast, bearer):
    ids = seed(
        lambda s: [make_review(s, by=cast.secretariat, received_on=days(-9), input_due=days(-1)).id for _ in range(3)]
    )
    headers = bearer(cast.observer)

    first = client.get(f"{API}?limit=2", headers=headers).get_json()
    second = client.get(f"{API}?limit=2&cursor={first['next_cursor']}", headers=headers).get_json()

    assert [i["id"] for i in first["items"] + second["items"]] == sorted(ids, reverse=True)
    assert second["next_cursor"] is None
    overdue = client.get(f"{API}?overdue=true", headers=headers).get_json()["items"]
    assert {i["id"] for i in overdue} == set(ids)
    assert all(i["is_overdue"] for i in overdue)
    assert_error(client.get(f"{API}?cursor=garbage", headers=headers), 422, "validation_failed")
    assert_error(client.get(f"{API}?status=nope", headers=headers), 422, "validation_failed")
