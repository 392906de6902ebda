"""R5 in search: a word that appears only in guarded minutes is found only by those who may
read those minutes, and no snippet ever carries minutes to anyone else."""

from __future__ import annotations

import pytest

from crm.accounts.models import Clearance
from tests.search.conftest import hits
from tests.search.factories import (
    AGENDA_WORD,
    MEETING_WORD,
    SECRET_WORD,
    build_cast,
    grant,
    secret_engagement,
    secret_meeting,
)


@pytest.fixture
def cast(seed):
    return seed(build_cast)


@pytest.fixture
def secret(seed, cast):
    return seed(lambda s: secret_engagement(s, cast))


def test_the_chair_with_clearance_finds_a_word_of_secret_minutes(find, cast, secret):
    page = find(cast.world.chair, SECRET_WORD)

    assert hits(page) == {("engagement_minutes", secret.id)}
    assert f"<mark>{SECRET_WORD}</mark>" in page.results[0].snippet


@pytest.mark.parametrize("who", ["observer", "low", "cleared", "member", "admin"])
def test_readers_without_clearance_or_standing_never_find_a_word_of_secret_minutes(find, cast, secret, who):
    reader = getattr(cast, who, None) or getattr(cast.world, who)

    assert find(reader, SECRET_WORD).results == []


def test_the_secretariat_below_the_classification_does_not_find_it_the_cleared_one_does(find, cast, secret):
    assert find(cast.world.secretariat, SECRET_WORD).results == []
    assert hits(find(cast.keeper, SECRET_WORD)) == {("engagement_minutes", secret.id)}


def test_a_member_with_a_live_grant_finds_it_and_not_after_the_grant_expires(seed, find, cast, secret):
    seed(lambda s: grant(s, cast, cast.holder, secret))
    seed(lambda s: grant(s, cast, cast.lapsed, secret, expired=True))

    assert hits(find(cast.holder, SECRET_WORD)) == {("engagement_minutes", secret.id)}
    assert find(cast.lapsed, SECRET_WORD).results == []


def test_a_live_grant_stops_opening_minutes_at_its_expiry_even_before_the_expiry_job(seed, find, cast, secret):
    from datetime import timedelta

    from crm.db import utcnow

    seed(lambda s: grant(s, cast, cast.holder, secret))

    assert find(cast.holder, SECRET_WORD, now=utcnow() + timedelta(days=31)).results == []


def test_a_thread_grant_opens_the_minutes_of_the_threads_engagements(seed, find, cast, secret):
    seed(lambda s: grant(s, cast, cast.holder, thread=True))

    assert hits(find(cast.holder, SECRET_WORD)) == {("engagement_minutes", secret.id)}


def test_a_grant_does_not_lift_the_clearance_rule(seed, find, cast, secret):
    seed(lambda s: grant(s, cast, cast.low, secret))

    assert find(cast.low, SECRET_WORD).results == []


def test_everyone_finds_the_engagement_by_its_subject_without_its_minutes(find, cast, secret):
    page = find(cast.cleared, "liaison timetable")

    assert hits(page) == {("engagement", secret.id)}
    assert SECRET_WORD not in str(page.results[0].snippet) + str(page.results[0].title)
    assert "conceded" not in str(page.results[0].snippet)


def test_the_chair_finds_both_the_engagement_and_its_minutes_by_a_shared_word(find, cast, secret):
    page = find(cast.world.chair, "liaison")

    assert hits(page) == {("engagement", secret.id), ("engagement_minutes", secret.id)}


def test_the_focal_person_finds_words_of_minutes_up_to_their_clearance(seed, find, cast):
    confidential = seed(
        lambda s: secret_engagement(s, cast, classification=Clearance.CONFIDENTIAL, minutes="ocelot terms")
    )

    assert hits(find(cast.world.focal, "ocelot")) == {("engagement_minutes", confidential.id)}
    assert find(cast.world.member, "ocelot").results == []  # confidential, no standing, no grant
    assert find(cast.world.focal, SECRET_WORD).results == []


def test_meeting_minutes_are_found_only_by_those_who_may_read_them(seed, find, cast):
    meeting = seed(lambda s: secret_meeting(s, cast))

    assert hits(find(cast.world.chair, MEETING_WORD)) == {("meeting_minutes", meeting.id)}
    assert hits(find(cast.keeper, MEETING_WORD)) == {("meeting_minutes", meeting.id)}
    for reader in (cast.cleared, cast.observer, cast.low, cast.world.secretariat, cast.world.admin):
        assert find(reader, MEETING_WORD).results == [], reader.username


def test_a_meeting_is_found_by_its_agenda_by_every_content_role(seed, find, cast):
    meeting = seed(lambda s: secret_meeting(s, cast))

    for reader in (cast.low, cast.observer, cast.world.member):
        page = find(reader, AGENDA_WORD)
        assert hits(page) == {("meeting", meeting.id)}
        assert MEETING_WORD not in str(page.results[0].snippet)
    assert find(cast.world.admin, AGENDA_WORD).results == []  # an admin's role is accounts
