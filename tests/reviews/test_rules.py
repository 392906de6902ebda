"""Draft review rules (direction 6), through the services: who submits, edits, comments,
consolidates and changes the status; every refusal writes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from crm.accounts.models import User
from crm.engagements.models import Attachment
from crm.errors import Conflict, Forbidden, Invalid, NotFound
from crm.reviews import services
from crm.reviews.models import DraftComment, DraftReview, ReviewStatus
from crm.storage import StoredFile
from tests.reviews.factories import days, make_review, review_input

FILE = StoredFile("a" * 64, 10, "application/pdf", "draft.pdf")


def actor(session, user):
    return session.get(User, user.id)


def test_a_member_submits_a_draft_their_ministry_received(seed, cast, rows):
    before = rows(DraftReview)

    review = seed(lambda s: make_review(s, by=cast.molj, reviewer_ids=[cast.moit.id, cast.pta.id]))

    assert review.status is ReviewStatus.RECEIVED
    assert review.created_by_id == cast.molj.id
    assert rows(DraftReview) == (before[0] + 1, before[1] + 1)


@pytest.mark.parametrize("who", ["observer", "admin"])
def test_observers_and_admins_cannot_submit_and_nothing_is_written(seed, cast, rows, who):
    before = rows(DraftReview)

    with pytest.raises(Forbidden) as refused:
        seed(lambda s: make_review(s, by=getattr(cast, who)))

    assert refused.value.code == "not_permitted"
    assert rows(DraftReview) == before


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": "  "}, "title"),
        ({"title": "x" * 301}, "title"),
        ({"originating_organisation_id": 2**31}, "originating_organisation_id"),
        ({"received_on": days(1)}, "received_on"),
        ({"input_due": days(-30)}, "input_due"),
        ({"input_due": days(365 * 200)}, "input_due"),
        ({"version_label": "v" * 51}, "version_label"),
    ],
)
def test_bad_particulars_are_field_errors_and_nothing_is_written(seed, cast, rows, overrides, field):
    before = rows(DraftReview)

    with pytest.raises(Invalid) as invalid:
        seed(lambda s: make_review(s, by=cast.secretariat, **overrides))

    assert field in invalid.value.fields
    assert rows(DraftReview) == before


def test_reviewers_must_be_active_contributors(seed, cast, rows):
    before = rows(DraftReview)

    with pytest.raises(Invalid) as invalid:
        seed(lambda s: make_review(s, by=cast.secretariat, reviewer_ids=[cast.observer.id]))

    assert "reviewer_ids" in invalid.value.fields
    assert rows(DraftReview) == before


def _edit(cast_user, review, **overrides):
    def run(s):
        data = review_input(s, title="Renamed draft", **overrides)
        return services.update_draft_review(
            s, actor=actor(s, cast_user), review_id=review.id, version=review.version, data=data
        )

    return run


def test_the_submitter_and_the_secretariat_edit_but_another_member_cannot(seed, cast, rows):
    review = seed(lambda s: make_review(s, by=cast.molj))
    before = rows(DraftReview)

    with pytest.raises(Forbidden) as refused:
        seed(_edit(cast.moit, review))
    assert refused.value.code == "not_permitted"
    assert rows(DraftReview) == before

    edited = seed(_edit(cast.molj, review, reviewer_ids=[cast.pta.id]))
    assert edited.title == "Renamed draft"
    assert edited.version == review.version + 1


def test_a_stale_edit_is_a_conflict_and_writes_nothing(seed, cast, rows):
    review = seed(lambda s: make_review(s, by=cast.molj))
    seed(_edit(cast.secretariat, review))
    before = rows(DraftReview)

    with pytest.raises(Conflict):
        seed(_edit(cast.molj, review))  # still carries the first version

    assert rows(DraftReview) == before


def test_changing_only_the_reviewers_moves_the_version(seed, cast):
    review = seed(lambda s: make_review(s, by=cast.secretariat))

    def reviewers_only(s):
        current = s.get(DraftReview, review.id)
        data = review_input(
            s,
            title=current.title,
            received_on=current.received_on,
            input_due=current.input_due,
            reviewer_ids=[cast.moit.id],
        )
        return services.update_draft_review(
            s, actor=actor(s, cast.secretariat), review_id=review.id, version=1, data=data
        )

    assert seed(reviewers_only).version == 2


def _comment(user, review, text="Our ministry supports clause 3."):
    return lambda s: services.add_draft_comment(s, actor=actor(s, user), review_id=review.id, text=text)


def test_the_first_comment_puts_the_draft_under_review_and_signs_it_with_the_organisation(seed, cast):
    review = seed(lambda s: make_review(s, by=cast.molj))

    comment = seed(_comment(cast.pta, review))

    assert comment.organisation_id == cast.pta.organisation_id
    assert seed(lambda s: s.get(DraftReview, review.id).status) is ReviewStatus.UNDER_REVIEW


def test_observers_do_not_comment_and_closed_reviews_take_no_comments(seed, cast, rows):
    review = seed(lambda s: make_review(s, by=cast.molj))
    before = rows(DraftComment)
    with pytest.raises(Forbidden) as refused:
        seed(_comment(cast.observer, review))
    assert refused.value.code == "not_permitted"

    seed(
        lambda s: services.set_review_status(
            s, actor=actor(s, cast.secretariat), review_id=review.id, version=None, status=ReviewStatus.CLOSED
        )
    )
    closed = rows(DraftComment)
    with pytest.raises(Forbidden) as late:
        seed(_comment(cast.moit, review))
    assert late.value.code == "review_closed"
    assert rows(DraftComment) == closed
    assert closed[0] == before[0]


def test_an_empty_comment_is_refused(seed, cast, rows):
    review = seed(lambda s: make_review(s, by=cast.molj))
    before = rows(DraftComment)

    with pytest.raises(Invalid):
        seed(_comment(cast.moit, review, text="   "))

    assert rows(DraftComment) == before


def _consolidate(user, review, text="The group recommends narrowing clause 3.", version=None):
    return lambda s: services.save_consolidated_input(
        s, actor=actor(s, user), review_id=review.id, version=version, consolidated_input=text
    )


def _status(user, review, status, returned_on=None, version=None):
    return lambda s: services.set_review_status(
        s, actor=actor(s, user), review_id=review.id, version=version, status=status, returned_on=returned_on
    )


def test_only_the_secretariat_or_chair_consolidates_and_changes_the_status(seed, cast, rows):
    review = seed(lambda s: make_review(s, by=cast.molj))
    before = rows(DraftReview)

    for attempt in (_consolidate(cast.molj, review), _status(cast.molj, review, ReviewStatus.CLOSED)):
        with pytest.raises(Forbidden) as refused:
            seed(attempt)
        assert refused.value.code == "not_keeper"
    assert rows(DraftReview) == before


def test_input_is_returned_only_once_consolidated_and_the_returned_date_is_recorded(seed, cast, rows):
    review = seed(lambda s: make_review(s, by=cast.molj))
    seed(_comment(cast.moit, review))
    before = rows(DraftReview)
    with pytest.raises(Invalid) as invalid:
        seed(_status(cast.chair, review, ReviewStatus.INPUT_RETURNED))
    assert "consolidated_input" in invalid.value.fields
    assert rows(DraftReview) == before

    seed(_consolidate(cast.secretariat, review))
    with pytest.raises(Invalid) as early:
        seed(_status(cast.chair, review, ReviewStatus.INPUT_RETURNED, returned_on=days(-30)))
    assert "returned_on" in early.value.fields

    returned = seed(_status(cast.chair, review, ReviewStatus.INPUT_RETURNED))
    assert returned.status is ReviewStatus.INPUT_RETURNED
    assert returned.returned_on == services.today()


@pytest.mark.parametrize(
    ("path", "refused"),
    [
        ([ReviewStatus.CLOSED], ReviewStatus.UNDER_REVIEW),
        ([ReviewStatus.WENT_FORWARD_WITHOUT_INPUT], ReviewStatus.INPUT_RETURNED),
        ([], ReviewStatus.RECEIVED),
    ],
)
def test_statuses_follow_the_review_path(seed, cast, path, refused):
    review = seed(lambda s: make_review(s, by=cast.secretariat))
    seed(_consolidate(cast.secretariat, review))
    for status in path:
        seed(_status(cast.secretariat, review, status))

    with pytest.raises(Invalid) as invalid:
        seed(_status(cast.secretariat, review, refused))

    assert "status" in invalid.value.fields


def test_a_stale_status_change_is_a_conflict(seed, cast):
    review = seed(lambda s: make_review(s, by=cast.secretariat))
    seed(_consolidate(cast.secretariat, review))

    with pytest.raises(Conflict):
        seed(_status(cast.chair, review, ReviewStatus.CLOSED, version=review.version))


def test_files_are_attached_by_the_editors_and_read_by_every_content_role(seed, cast, rows):
    review = seed(lambda s: make_review(s, by=cast.molj))
    with pytest.raises(Forbidden):
        seed(lambda s: services.attach_draft_file(s, actor=actor(s, cast.pta), review_id=review.id, stored=FILE))
    assert rows(Attachment)[0] == 0

    attachment = seed(
        lambda s: services.attach_draft_file(s, actor=actor(s, cast.molj), review_id=review.id, stored=FILE)
    )
    before = rows(Attachment)
    opened = seed(lambda s: services.open_draft_file(s, actor=actor(s, cast.observer), attachment_id=attachment.id))
    assert opened.id == attachment.id
    assert rows(Attachment) == (before[0], before[1] + 1)  # the read is audited

    with pytest.raises(Forbidden):
        seed(lambda s: services.open_draft_file(s, actor=actor(s, cast.admin), attachment_id=attachment.id))
    with pytest.raises(NotFound):
        seed(lambda s: services.open_draft_file(s, actor=actor(s, cast.chair), attachment_id=2**31 - 1))


def test_an_unknown_review_is_not_found(seed, cast):
    with pytest.raises(NotFound):
        seed(_comment(cast.moit, DraftReview(id=2**31 - 1)))
    with pytest.raises(NotFound):
        seed(
            lambda s: services.set_review_status(
                s, actor=actor(s, cast.chair), review_id=0, version=None, status=ReviewStatus.CLOSED
            )
        )
    assert timedelta  # imported for the factories' sake
