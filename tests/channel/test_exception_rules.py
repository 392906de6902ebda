"""Channel exceptions: anyone who records may report; only the chair reviews, with a note."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from crm.accounts.models import Role
from crm.audit.models import AuditEvent
from crm.db import utcnow
from crm.errors import Conflict, Forbidden, Invalid, NotFound
from crm.exceptions.models import ChannelException, ExceptionStatus
from crm.exceptions.queries import list_exceptions
from crm.exceptions.services import report_exception, review_exception
from crm.formatting import local
from crm.organisations.queries import get_by_short_name
from tests.channel.factories import make_chair, make_company, make_exception
from tests.factories import make_user


def counts(session) -> tuple[int, int]:
    return tuple(session.scalar(select(func.count()).select_from(m)) for m in (ChannelException, AuditEvent))


@pytest.fixture
def chair(session):
    return make_chair(session)


@pytest.fixture
def company(session):
    return make_company(session, "ByteDance (TikTok)")


@pytest.mark.parametrize("role", [Role.MEMBER, Role.SECRETARIAT, Role.CHAIR])
def test_anyone_who_records_reports_an_exception(session, company, role):
    reporter = make_user(session, role=role)
    organisation = get_by_short_name(session, "PTA")

    report = report_exception(
        session, actor=reporter, company_id=company.id, who="  Chairman's office  ", organisation_id=organisation.id,
        occurred_on=date(2021, 9, 3), what="Wrote to the company directly.",
    )  # fmt: skip

    assert (report.status, report.who, report.reported_by_id) == (
        ExceptionStatus.OPEN,
        "Chairman's office",
        reporter.id,
    )
    [event] = session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1))
    assert event.action == "channel_exception.report"


@pytest.mark.parametrize("role", [Role.OBSERVER, Role.ADMIN])
def test_observers_and_admins_cannot_report_and_nothing_is_written(session, company, role):
    reporter = make_user(session, role=role)
    before = counts(session)

    with pytest.raises(Forbidden) as refused:
        make_exception(session, by=reporter, company=company)

    assert refused.value.code == "not_permitted"
    assert counts(session) == before


def test_a_report_needs_who_what_a_known_company_and_a_past_date(session):
    reporter = make_user(session)
    tomorrow_but_one = local(utcnow()).date() + timedelta(days=2)
    before = counts(session)

    with pytest.raises(Invalid) as refused:
        report_exception(session, actor=reporter, company_id=999_999, who=" ", occurred_on=tomorrow_but_one,
                         what="", organisation_id=999_999)  # fmt: skip

    assert set(refused.value.fields) == {"company_id", "who", "what", "occurred_on", "organisation_id"}
    assert counts(session) == before


def test_who_is_limited_to_its_column(session, company):
    with pytest.raises(Invalid) as refused:
        report_exception(session, actor=make_user(session), company_id=company.id, who="x" * 301,
                         occurred_on=date(2021, 9, 1), what="y")  # fmt: skip
    assert list(refused.value.fields) == ["who"]


def test_the_chair_reviews_with_a_note(session, chair, company):
    report = make_exception(session, by=make_user(session), company=company)

    review_exception(
        session, actor=chair, exception_id=report.id, note="Reminded the ministry.", version=report.version
    )

    assert report.status is ExceptionStatus.REVIEWED
    assert (report.reviewed_by_id, report.review_note) == (chair.id, "Reminded the ministry.")
    assert report.reviewed_at is not None


@pytest.mark.parametrize("role", [Role.MEMBER, Role.SECRETARIAT, Role.OBSERVER, Role.ADMIN])
def test_only_the_chair_reviews_and_a_refusal_writes_nothing(session, company, role):
    reporter = make_user(session, role=Role.MEMBER)
    report = make_exception(session, by=reporter, company=company)
    other = make_user(session, role=role)
    before = counts(session)

    with pytest.raises(Forbidden) as refused:
        review_exception(session, actor=other, exception_id=report.id, note="ok")

    assert refused.value.code == "not_chair"
    assert counts(session) == before
    assert report.status is ExceptionStatus.OPEN


def test_a_review_needs_a_note(session, chair, company):
    report = make_exception(session, by=make_user(session), company=company)
    before = counts(session)
    with pytest.raises(Invalid) as refused:
        review_exception(session, actor=chair, exception_id=report.id, note="   ")
    assert list(refused.value.fields) == ["note"]
    assert counts(session) == before


def test_a_report_is_reviewed_once_and_stale_versions_conflict(session, chair, company):
    report = make_exception(session, by=make_user(session), company=company)
    with pytest.raises(Conflict):
        review_exception(session, actor=chair, exception_id=report.id, note="x", version=report.version + 1)
    review_exception(session, actor=chair, exception_id=report.id, note="Seen.")
    with pytest.raises(Conflict):
        review_exception(session, actor=chair, exception_id=report.id, note="Again.")
    assert report.review_note == "Seen."


def test_an_unknown_report_is_not_found(session, chair):
    with pytest.raises(NotFound):
        review_exception(session, actor=chair, exception_id=987_654, note="x")


def test_reporters_list_their_own_and_filters_work(session, chair, company):
    alice, bilal = make_user(session), make_user(session)
    first = make_exception(session, by=alice, company=company)
    second = make_exception(session, by=bilal, company=company)
    review_exception(session, actor=chair, exception_id=second.id, note="Seen.")

    assert [r.id for r in list_exceptions(session, reported_by_id=alice.id)] == [first.id]
    assert [r.id for r in list_exceptions(session, status=ExceptionStatus.OPEN) if r.id in (first.id, second.id)] == [
        first.id
    ]
    assert [r.id for r in list_exceptions(session, newest_first=True)][:2] == [second.id, first.id]
