"""Draft review pages with real forms: the list (went forward without input, overdue in words),
the form (input kept on error, garbage never a 500), a stale edit (409, text kept), comments,
consolidation, status and files."""

from __future__ import annotations

import io

import pytest

from crm.reviews.models import DraftComment, DraftReview, ReviewStatus
from crm.reviews.services import save_consolidated_input, set_review_status
from tests.channel.conftest import page_csrf
from tests.reviews.factories import days, make_review

PDF = b"%PDF-1.7\n" + b"draft\n" * 40


@pytest.fixture
def listed(seed, cast):
    def build(s):
        overdue = make_review(s, by=cast.molj, title="Overdue draft", received_on=days(-20), input_due=days(-4))
        forward = make_review(s, by=cast.secretariat, title="Forwarded draft", input_due=None)
        set_review_status(
            s,
            actor=s.get(type(cast.secretariat), cast.secretariat.id),
            review_id=forward.id,
            version=None,
            status=ReviewStatus.WENT_FORWARD_WITHOUT_INPUT,
        )
        fresh = make_review(s, by=cast.secretariat, title="Fresh draft", input_due=days(9))
        return {"overdue": overdue.id, "forward": forward.id, "fresh": fresh.id}

    return seed(build)


def test_the_list_counts_drafts_that_went_forward_without_input_and_says_overdue_in_words(login, cast, listed):
    page = login(cast.observer).get("/draft-reviews").get_data(as_text=True)

    assert 'data-testid="went-forward-count"><strong>1</strong> draft went forward' in page
    assert "Input overdue" in page
    assert "input 4 days past due" in page
    assert "Went forward without the group&#39;s input" in page or "Went forward without the group's input" in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?status=went_forward_without_input", {"Forwarded"}),
        ("?status=overdue", {"Overdue"}),
        ("?status=received", {"Overdue", "Fresh"}),
        ("?status=nonsense&organisation_id=abc&after=x", {"Overdue", "Forwarded", "Fresh"}),
    ],
)
def test_the_list_filters(login, cast, listed, query, expected):
    page = login(cast.moit).get("/draft-reviews" + query).get_data(as_text=True)

    assert {n for n in ("Overdue", "Forwarded", "Fresh") if f"{n} draft" in page} == expected


def test_admins_do_not_read_draft_reviews(login, cast):
    assert login(cast.admin).get("/draft-reviews").status_code == 403


def test_a_member_registers_a_draft_with_its_document(login, cast, rows, store):
    client = login(cast.molj)
    token = page_csrf(client, "/draft-reviews/new")
    form = {
        "csrf_token": token,
        "title": "Draft PECA amendments",
        "originating_organisation_id": str(cast.molj.organisation_id),
        "received_on": days(-1).isoformat(),
        "input_due": days(6).isoformat(),
        "reviewer_ids": [str(cast.moit.id)],
        "file": (io.BytesIO(PDF), "draft.pdf"),
    }

    response = client.post("/draft-reviews/new", data=form, content_type="multipart/form-data")

    assert response.status_code == 302
    detail = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Draft PECA amendments" in detail
    assert "draft.pdf" in detail


@pytest.mark.parametrize(
    "form",
    [
        {"title": "", "originating_organisation_id": "", "received_on": "yesterday"},
        {
            "title": "Kept title",
            "originating_organisation_id": "999999",
            "received_on": "2021-10-13",
            "input_due": "2021-01-01",
            "reviewer_ids": ["abc", "2147483648"],
        },
        {"title": "Kept title", "originating_organisation_id": "x" * 50, "received_on": "3021-01-01"},
    ],
)
def test_garbage_is_reshown_with_the_input_kept_and_nothing_written(login, cast, rows, form):
    client = login(cast.secretariat)
    before = rows(DraftReview)

    response = client.post("/draft-reviews/new", data={"csrf_token": page_csrf(client, "/draft-reviews/new"), **form})

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "There is a problem" in page
    if form["title"]:
        assert 'value="Kept title"' in page
    assert rows(DraftReview) == before


def test_observers_get_no_form(login, cast):
    assert login(cast.observer).get("/draft-reviews/new").status_code == 403


def test_a_stale_edit_is_refused_with_409_and_the_text_kept(login, seed, cast, rows):
    review = seed(lambda s: make_review(s, by=cast.molj))
    client = login(cast.molj)
    token = page_csrf(client, f"/draft-reviews/{review.id}/edit")
    seed(
        lambda s: save_consolidated_input(
            s,
            actor=s.get(type(cast.secretariat), cast.secretariat.id),
            review_id=review.id,
            version=None,
            consolidated_input="Meanwhile",
        )
    )
    before = rows(DraftReview)

    response = client.post(
        f"/draft-reviews/{review.id}/edit",
        data={
            "csrf_token": token,
            "version": "1",
            "title": "My new title",
            "received_on": review.received_on.isoformat(),
            "originating_organisation_id": str(review.originating_organisation_id),
        },
    )

    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Someone else changed this record" in page
    assert 'value="My new title"' in page
    assert rows(DraftReview) == before


def test_another_member_cannot_open_the_edit_form(login, seed, cast):
    review = seed(lambda s: make_review(s, by=cast.molj))

    assert login(cast.pta).get(f"/draft-reviews/{review.id}/edit").status_code == 403


def test_members_comment_and_the_secretariat_consolidates_and_returns_the_input(login, seed, cast):
    review = seed(lambda s: make_review(s, by=cast.molj))
    member = login(cast.pta)
    path = f"/draft-reviews/{review.id}"

    empty = member.post(path + "/comments", data={"csrf_token": page_csrf(member, path), "text": "  "})
    assert empty.status_code == 200
    assert "There is a problem" in empty.get_data(as_text=True)
    posted = member.post(path + "/comments", data={"csrf_token": page_csrf(member, path), "text": "PTA agrees."})
    assert posted.status_code == 302

    keeper = login(cast.secretariat)
    token = page_csrf(keeper, path)
    assert (
        keeper.post(
            path + "/consolidate", data={"csrf_token": token, "version": "2", "consolidated_input": "The group agrees."}
        ).status_code
        == 302
    )
    returned = keeper.post(path + "/status", data={"csrf_token": token, "version": "3", "status": "input_returned"})
    assert returned.status_code == 302
    page = keeper.get(path).get_data(as_text=True)
    assert "PTA agrees." in page
    assert "The group agrees." in page
    assert "Input returned" in page


def test_a_member_cannot_post_a_status_and_nothing_is_written(login, seed, cast, rows):
    review = seed(lambda s: make_review(s, by=cast.molj))
    client = login(cast.molj)
    before = rows(DraftReview, DraftComment)

    response = client.post(
        f"/draft-reviews/{review.id}/status",
        data={"csrf_token": page_csrf(client, f"/draft-reviews/{review.id}"), "version": "1", "status": "closed"},
    )

    assert response.status_code == 403
    assert rows(DraftReview, DraftComment) == before


def test_garbage_status_posts_never_500(login, seed, cast):
    review = seed(lambda s: make_review(s, by=cast.molj))
    client = login(cast.chair)
    token = page_csrf(client, f"/draft-reviews/{review.id}")

    for data in (
        {"status": "bogus", "version": "1"},
        {"status": "closed", "version": "x"},
        {"status": "closed", "version": "1", "returned_on": "31-31-2021"},
    ):
        assert client.post(f"/draft-reviews/{review.id}/status", data={"csrf_token": token, **data}).status_code == 200
    assert client.get("/draft-reviews/2147483648").status_code == 404
    assert client.get("/draft-reviews/999999").status_code == 404


def test_files_download_as_attachments_with_nosniff(login, seed, cast, store):
    review = seed(lambda s: make_review(s, by=cast.molj))
    client = login(cast.molj)
    path = f"/draft-reviews/{review.id}"
    client.post(
        path + "/files",
        data={"csrf_token": page_csrf(client, path), "file": (io.BytesIO(PDF), "v2.pdf")},
        content_type="multipart/form-data",
    )
    page = login(cast.observer).get(path).get_data(as_text=True)
    link = page.split('href="/draft-reviews/files/')[1].split('"')[0]

    response = login(cast.observer).get(f"/draft-reviews/files/{link}")

    assert response.status_code == 200
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.data == PDF
    response.close()
