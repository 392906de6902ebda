"""Draft review reminders and escalation (R9): the right people, at a fixed `now`, exactly once."""

from __future__ import annotations

from datetime import date, timedelta

from crm.notifications.models import NotificationKind
from crm.reviews.jobs import draft_review_escalation, draft_review_reminders
from crm.reviews.models import ReviewStatus
from crm.reviews.services import set_review_status
from tests.jobs.conftest import NOW, TODAY
from tests.reviews.factories import make_review

DAY = timedelta(days=1)


def review(seed, cast, due: date, reviewers=(), status: ReviewStatus | None = None):
    def build(s):
        made = make_review(
            s, by=cast.secretariat, received_on=TODAY - 60 * DAY, input_due=due, reviewer_ids=[u.id for u in reviewers]
        )
        if status is not None:
            set_review_status(
                s,
                actor=s.get(type(cast.secretariat), cast.secretariat.id),
                review_id=made.id,
                version=None,
                status=status,
            )
        return made

    return seed(build)


def test_reviewers_are_reminded_once_per_threshold(seed, cast, run_job, sent):
    item = review(seed, cast, TODAY + 3 * DAY, reviewers=[cast.moit, cast.pta])

    for _ in range(2):
        run_job(draft_review_reminders)

    for user in (cast.moit, cast.pta):
        [note] = sent(user, prefix="reminder:draft_review")
        assert note.key == f"reminder:draft_review:{item.id}:{item.input_due.isoformat()}:3d"
        assert note.kind is NotificationKind.REMINDER
        assert "input due in 3 days (08-03-2026)" in note.title
        assert note.link.endswith(f"/draft-reviews/{item.id}")
    assert sent(cast.chair, prefix="reminder:draft_review") == []


def test_without_reviewers_the_secretariat_is_reminded(seed, cast, run_job, sent):
    review(seed, cast, TODAY + DAY)

    run_job(draft_review_reminders)

    assert len(sent(cast.secretariat, prefix="reminder:draft_review")) == 1
    assert sent(cast.moit, prefix="reminder:draft_review") == []


def test_overdue_input_escalates_to_the_chair_once_and_closed_reviews_are_left_alone(seed, cast, run_job, sent):
    late = review(seed, cast, TODAY - 2 * DAY, reviewers=[cast.moit])
    review(seed, cast, TODAY - 2 * DAY, status=ReviewStatus.WENT_FORWARD_WITHOUT_INPUT)
    review(seed, cast, TODAY - 30 * DAY)  # older than the look-back window: the digest's business

    first = run_job(draft_review_escalation)
    again = run_job(draft_review_escalation, NOW + timedelta(hours=1))

    [note] = sent(cast.chair, prefix="escalation:draft_review")
    assert note.key == f"escalation:draft_review:{late.id}:{late.input_due.isoformat()}"
    assert note.kind is NotificationKind.ESCALATION
    assert "overdue" in note.title
    assert first.startswith("escalated 1 ")
    assert again.startswith("escalated 0 ")
    assert sent(cast.moit, prefix="escalation") == []
