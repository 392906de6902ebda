"""The data request pages issue the same number of queries whatever the number of rows."""

from __future__ import annotations

from crm.datarequests.services import respond_to_data_request
from tests.datarequests.factories import days, make_request
from tests.reviews.conftest import measure


def test_the_list_and_a_request_page_issue_constant_queries(login, seed, cast, count_queries):
    client = login(cast.observer)
    first = seed(lambda s: make_request(s, by=cast.chair, due_date=days(-1)))
    seed(lambda s: respond_to_data_request(s, actor=s.get(type(cast.pta), cast.pta.id), request_id=first.id, text="R"))
    list_few = measure(client, count_queries, "/data-requests")
    page_few = measure(client, count_queries, f"/data-requests/{first.id}")

    def more(s):
        for _ in range(20):
            make_request(s, by=cast.chair, org="MoIT")
        for n in range(8):
            respond_to_data_request(s, actor=s.get(type(cast.pta), cast.pta.id), request_id=first.id, text=f"R{n}")

    seed(more)
    list_many = measure(client, count_queries, "/data-requests")
    page_many = measure(client, count_queries, f"/data-requests/{first.id}")

    assert len(list_few) == len(list_many), "\n".join(list_many)
    assert len(page_few) == len(page_many), "\n".join(page_many)
