"""Data request pages with real forms: the list (late in words), asking, answering with a file,
status, refusals (nothing written) and garbage (never a 500)."""

from __future__ import annotations

import io

import pytest

from crm.datarequests.models import DataRequest, DataResponse
from tests.channel.conftest import page_csrf
from tests.datarequests.factories import days, make_request


def test_the_list_says_late_in_words_and_filters(login, seed, cast):
    seed(lambda s: make_request(s, by=cast.chair, title="Late figures", due_date=days(-3)))
    seed(lambda s: make_request(s, by=cast.chair, title="Fresh figures", org="MoIT", due_date=days(3)))
    client = login(cast.observer)

    page = client.get("/data-requests").get_data(as_text=True)
    late = client.get("/data-requests?status=late").get_data(as_text=True)
    garbage = client.get("/data-requests?status=zz&organisation_id=-1&after=abc")

    assert "Late</span>" in page
    assert "3 days past due" in page
    assert "<strong>1</strong> late request" in page
    assert "Late figures" in late
    assert "Fresh figures" not in late
    assert garbage.status_code == 200


def test_the_secretariat_asks_and_the_input_is_kept_on_errors(login, cast, rows):
    client = login(cast.secretariat)
    token = page_csrf(client, "/data-requests/new")
    before = rows(DataRequest)

    bad = client.post(
        "/data-requests/new",
        data={
            "csrf_token": token,
            "requested_from_id": "999999",
            "title": "Kept title",
            "due_date": "31-02-2021",
            "directive_id": "abc",
        },
    )
    assert bad.status_code == 200
    assert 'value="Kept title"' in bad.get_data(as_text=True)
    assert rows(DataRequest) == before

    good = client.post(
        "/data-requests/new",
        data={
            "csrf_token": token,
            "requested_from_id": str(cast.pta.organisation_id),
            "title": "Takedown figures",
            "due_date": days(5).isoformat(),
        },
    )
    assert good.status_code == 302
    assert rows(DataRequest)[0] == before[0] + 1


@pytest.mark.parametrize("who", ["moit", "observer"])
def test_members_and_observers_cannot_ask(login, cast, who):
    assert login(getattr(cast, who)).get("/data-requests/new").status_code == 403


def test_the_requested_organisation_answers_with_a_file_and_others_are_refused(login, seed, cast, rows, store):
    request = seed(lambda s: make_request(s, by=cast.chair))
    path = f"/data-requests/{request.id}"
    outsider = login(cast.moit)
    before = rows(DataResponse)

    refused = outsider.post(path + "/responses", data={"csrf_token": page_csrf(outsider, path), "text": "Ours"})
    assert refused.status_code == 403
    assert rows(DataResponse) == before

    pta = login(cast.pta)
    answered = pta.post(
        path + "/responses",
        data={
            "csrf_token": page_csrf(pta, path),
            "text": "PTA figures",
            "file": (io.BytesIO(b"month,count\n1,2\n"), "figures.csv"),
        },
        content_type="multipart/form-data",
    )
    assert answered.status_code == 302
    page = outsider.get(path).get_data(as_text=True)
    assert "PTA figures" in page
    assert "figures.csv" in page
    assert "Answered" in page


def test_an_empty_answer_is_reshown(login, seed, cast, rows):
    request = seed(lambda s: make_request(s, by=cast.chair))
    client = login(cast.pta)
    before = rows(DataResponse)

    response = client.post(
        f"/data-requests/{request.id}/responses",
        data={"csrf_token": page_csrf(client, f"/data-requests/{request.id}"), "text": ""},
    )

    assert response.status_code == 200
    assert "There is a problem" in response.get_data(as_text=True)
    assert rows(DataResponse) == before


def test_status_and_edit_forms(login, seed, cast):
    request = seed(lambda s: make_request(s, by=cast.chair))
    client = login(cast.secretariat)
    path = f"/data-requests/{request.id}"
    token = page_csrf(client, path)

    assert (
        client.post(path + "/status", data={"csrf_token": token, "version": "1", "status": "bogus"}).status_code == 200
    )
    assert (
        client.post(path + "/status", data={"csrf_token": token, "version": "1", "status": "closed"}).status_code == 302
    )
    stale = client.post(
        path + "/edit",
        data={
            "csrf_token": token,
            "version": "1",
            "title": "Mine",
            "requested_from_id": str(request.requested_from_id),
        },
    )
    assert stale.status_code == 409
    assert 'value="Mine"' in stale.get_data(as_text=True)
    assert client.get("/data-requests/999999").status_code == 404
