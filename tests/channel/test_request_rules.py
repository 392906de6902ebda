"""Engagement requests: filing, accepting into a follow-up for the focal person, declining with
a reason, no self-approval, and the vacancy."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from crm.accounts.models import Role
from crm.audit.models import AuditEvent
from crm.db import utcnow
from crm.designations.models import DesignationKind
from crm.designations.queries import active_designation
from crm.designations.services import end_designation
from crm.errors import Conflict, Forbidden, Invalid, NotFound
from crm.followups.models import FollowUp, FollowUpStatus
from crm.formatting import local
from crm.requests.models import EngagementRequest, RequestStatus, Urgency
from crm.requests.queries import Scope, list_requests
from crm.requests.services import accept_request, decline_request, follow_up_title, request_engagement
from tests.channel.factories import appoint, make_chair, make_company, make_request, make_thread
from tests.factories import make_user


def counts(session) -> tuple[int, int, int]:
    return tuple(
        session.scalar(select(func.count()).select_from(model)) for model in (EngagementRequest, FollowUp, AuditEvent)
    )


@pytest.fixture
def chair(session):
    return make_chair(session)


@pytest.fixture
def focal(session, chair):
    person = make_user(session, org="MoIT", username="focal.person")
    appoint(session, chair=chair, user=person)
    return person


@pytest.fixture
def member(session):
    return make_user(session, org="MoFA")


@pytest.fixture
def company(session):
    return make_company(session, "Alphabet (Google)")


def test_a_member_files_a_pending_request_for_their_organisation(session, member, company, focal):
    request = make_request(session, by=member, company=company, urgency=Urgency.SOON)

    assert request.status is RequestStatus.PENDING
    assert (request.requested_by_id, request.organisation_id) == (member.id, member.organisation_id)
    [event] = session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1))
    assert (event.action, event.target_id) == ("engagement_request.create", str(request.id))


def test_a_request_may_name_a_thread_of_that_company_only(session, member, company, chair):
    thread = make_thread(session, company=company, created_by=chair)
    other = make_thread(session, company=make_company(session), created_by=chair)

    filed = request_engagement(session, actor=member, company_id=company.id, thread_id=thread.id, purpose="Next step")
    with pytest.raises(Invalid) as refused:
        request_engagement(session, actor=member, company_id=company.id, thread_id=other.id, purpose="Next step")

    assert filed.thread_id == thread.id
    assert list(refused.value.fields) == ["thread_id"]


@pytest.mark.parametrize(
    ("company_id", "purpose", "fields"),
    [(999_999, "x", {"company_id"}), (None, "   ", {"purpose"}), (None, "x" * 4001, {"purpose"})],
)
def test_bad_requests_are_invalid_and_write_nothing(session, member, company, company_id, purpose, fields):
    before = counts(session)

    with pytest.raises(Invalid) as refused:
        request_engagement(session, actor=member, company_id=company_id or company.id, purpose=purpose)

    assert set(refused.value.fields) == fields
    assert counts(session) == before


@pytest.mark.parametrize("role", [Role.OBSERVER, Role.ADMIN])
def test_observers_and_admins_cannot_file_requests(session, company, role):
    user = make_user(session, role=role)
    before = counts(session)
    with pytest.raises(Forbidden) as refused:
        make_request(session, by=user, company=company)
    assert refused.value.code == "not_permitted"
    assert counts(session) == before


def test_the_focal_person_engages_directly_instead_of_asking(session, focal, company):
    with pytest.raises(Forbidden) as refused:
        make_request(session, by=focal, company=company)
    assert refused.value.code == "is_focal_person"


@pytest.mark.parametrize(("urgency", "days"), [(Urgency.URGENT, 2), (Urgency.SOON, 7), (Urgency.ROUTINE, 14)])
def test_accepting_creates_an_outbound_follow_up_for_the_focal_person(session, member, company, focal, urgency, days):
    request = make_request(session, by=member, company=company, urgency=urgency, purpose="Ask for a liaison office.")

    accept_request(session, actor=focal, request_id=request.id, version=request.version)

    follow_up = session.get(FollowUp, request.follow_up_id)
    assert request.status is RequestStatus.ACCEPTED
    assert (request.decided_by_id, request.decided_at is not None) == (focal.id, True)
    assert follow_up.assignee_id == focal.id
    assert follow_up.is_outbound_action is True
    assert follow_up.status is FollowUpStatus.OPEN
    assert follow_up.title == "Raise with Alphabet (Google): Ask for a liaison office."
    assert follow_up.due_date == local(utcnow()).date() + timedelta(days=days)
    assert (follow_up.company_id, follow_up.details) == (company.id, "Ask for a liaison office.")


def test_the_chair_may_accept_and_the_follow_up_still_goes_to_the_focal_person(session, member, company, focal, chair):
    request = make_request(session, by=member, company=company)

    accept_request(session, actor=chair, request_id=request.id, version=request.version)

    assert session.get(FollowUp, request.follow_up_id).assignee_id == focal.id
    assert request.decided_by_id == chair.id


def test_an_accepted_request_follows_the_designation_to_a_new_focal_person(session, member, company, focal, chair):
    request = make_request(session, by=member, company=company)
    accept_request(session, actor=focal, request_id=request.id)
    successor = make_user(session)

    appoint(session, chair=chair, user=successor)

    assert session.get(FollowUp, request.follow_up_id).assignee_id == successor.id


def test_the_follow_up_title_is_shortened_to_fit(session):
    title = follow_up_title("Meta", "word " * 200)
    assert len(title) == 300
    assert title.startswith("Raise with Meta: word word")
    assert title.endswith("…")


def test_declining_needs_a_reason_and_the_requester_sees_it(session, member, company, focal):
    request = make_request(session, by=member, company=company)
    before = counts(session)

    with pytest.raises(Invalid) as refused:
        decline_request(session, actor=focal, request_id=request.id, reason="  ", version=request.version)
    assert list(refused.value.fields) == ["reason"]
    assert counts(session) == before
    assert request.status is RequestStatus.PENDING

    decline_request(session, actor=focal, request_id=request.id, reason="Already raised on 12-09.")
    assert (request.status, request.decline_reason, request.follow_up_id) == (
        RequestStatus.DECLINED, "Already raised on 12-09.", None,
    )  # fmt: skip


def test_a_reason_longer_than_the_column_is_invalid(session, member, company, focal):
    request = make_request(session, by=member, company=company)
    with pytest.raises(Invalid) as refused:
        decline_request(session, actor=focal, request_id=request.id, reason="x" * 1001)
    assert list(refused.value.fields) == ["reason"]


@pytest.mark.parametrize("decision", ["accept", "decline"])
def test_no_one_decides_their_own_request_and_nothing_is_written(session, company, focal, chair, decision):
    request = make_request(session, by=chair, company=company)  # the chair may ask the focal person too
    before = counts(session)

    def decide():
        if decision == "accept":
            return accept_request(session, actor=chair, request_id=request.id, version=request.version)
        return decline_request(session, actor=chair, request_id=request.id, reason="mine", version=request.version)

    with pytest.raises(Forbidden) as refused:
        decide()

    assert refused.value.code == "self_approval"
    assert counts(session) == before
    assert request.status is RequestStatus.PENDING


def test_a_member_who_becomes_focal_person_still_cannot_decide_their_own_request(session, member, company, chair):
    request = make_request(session, by=member, company=company)
    appoint(session, chair=chair, user=member)

    with pytest.raises(Forbidden) as refused:
        accept_request(session, actor=member, request_id=request.id)

    assert refused.value.code == "self_approval"


@pytest.mark.parametrize("role", [Role.MEMBER, Role.SECRETARIAT, Role.OBSERVER, Role.ADMIN])
def test_only_the_focal_person_or_the_chair_decides(session, member, company, focal, role):
    request = make_request(session, by=member, company=company)
    other = make_user(session, role=role)
    before = counts(session)

    # Those who see every request (secretariat, observers) are told why; others get a 404.
    expected = Forbidden if role in (Role.SECRETARIAT, Role.OBSERVER) else NotFound
    with pytest.raises(expected) as refused:
        accept_request(session, actor=other, request_id=request.id)

    assert refused.value.code == ("not_decider" if expected is Forbidden else "not_found")
    assert counts(session) == before


def test_without_a_focal_person_accepting_is_refused_and_writes_nothing(session, member, company, focal, chair):
    request = make_request(session, by=member, company=company)
    current = active_designation(session, DesignationKind.FOCAL_PERSON)
    end_designation(session, actor=chair, designation_id=current.id)
    before = counts(session)

    with pytest.raises(Forbidden) as refused:
        accept_request(session, actor=chair, request_id=request.id, version=request.version)

    assert refused.value.code == "no_focal_person"
    assert "No focal person is designated" in refused.value.message
    assert counts(session) == before
    assert request.status is RequestStatus.PENDING


def test_without_a_focal_person_the_chair_may_still_decline(session, member, company, chair):
    request = make_request(session, by=member, company=company)

    decline_request(session, actor=chair, request_id=request.id, reason="No focal person yet; refile later.")

    assert request.status is RequestStatus.DECLINED


def test_a_decided_request_cannot_be_decided_again(session, member, company, focal, chair):
    request = make_request(session, by=member, company=company)
    accept_request(session, actor=focal, request_id=request.id)
    before = counts(session)

    with pytest.raises(Conflict):
        decline_request(session, actor=chair, request_id=request.id, reason="Too late")

    assert counts(session) == before
    assert request.status is RequestStatus.ACCEPTED


def test_a_stale_version_is_a_conflict(session, member, company, focal):
    request = make_request(session, by=member, company=company)
    with pytest.raises(Conflict):
        accept_request(session, actor=focal, request_id=request.id, version=request.version + 1)
    assert request.status is RequestStatus.PENDING


def test_an_unknown_request_is_not_found(session, focal):
    with pytest.raises(NotFound):
        accept_request(session, actor=focal, request_id=987_654)


def test_lists_by_scope(session, member, company, focal, chair):
    mine = make_request(session, by=member, company=company)
    theirs = make_request(session, by=make_user(session), company=company)
    accept_request(session, actor=focal, request_id=theirs.id)
    by_chair = make_request(session, by=chair, company=company)

    def ids(scope, viewer):
        return [r.id for r in list_requests(session, scope=scope, viewer_id=viewer.id, newest_first=True)]

    assert ids(Scope.MINE, member) == [mine.id]
    assert ids(Scope.TO_DECIDE, chair) == [mine.id]  # not the chair's own, not the decided one
    assert ids(Scope.TO_DECIDE, focal) == [by_chair.id, mine.id]
    assert ids(Scope.ALL, chair) == [by_chair.id, theirs.id, mine.id]
