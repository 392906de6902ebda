"""The draft review pages issue the same number of queries whatever the number of rows."""

from __future__ import annotations

from crm.reviews.services import add_draft_comment
from tests.reviews.conftest import measure
from tests.reviews.factories import days, make_review


def seed_reviews(seed, cast, size: int) -> int:
    def build(s):
        last = None
        for _ in range(size):
            last = make_review(s, by=cast.secretariat, input_due=days(-1), reviewer_ids=[cast.moit.id, cast.pta.id])
            add_draft_comment(s, actor=s.get(type(cast.pta), cast.pta.id), review_id=last.id, text="Comment")
            add_draft_comment(s, actor=s.get(type(cast.moit), cast.moit.id), review_id=last.id, text="Another")
        return last.id

    return seed(build)


def test_the_list_issues_the_same_queries_for_1_or_25_reviews(login, seed, cast, count_queries):
    client = login(cast.observer)
    seed_reviews(seed, cast, 1)
    few = measure(client, count_queries, "/draft-reviews")
    seed_reviews(seed, cast, 24)
    many = measure(client, count_queries, "/draft-reviews")

    assert len(few) == len(many), "\n".join(many)


def test_a_review_page_issues_a_fixed_number_of_queries(login, seed, cast, count_queries):
    client = login(cast.moit)
    small = seed_reviews(seed, cast, 1)
    few = measure(client, count_queries, f"/draft-reviews/{small}")

    def more_comments(s):
        for n in range(10):
            add_draft_comment(s, actor=s.get(type(cast.chair), cast.chair.id), review_id=small, text=f"Comment {n}")

    seed(more_comments)
    many = measure(client, count_queries, f"/draft-reviews/{small}")

    assert len(few) == len(many) <= 15, "\n".join(many)
