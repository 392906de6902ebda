"""The index follows every write: each kind is found by the words of its searchable fields,
corrections and renames re-index, a rolled-back write leaves nothing behind, and
`flask search reindex` rebuilds everything (audited)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import delete, func, select

from crm.accounts.models import Clearance, User
from crm.audit.models import AuditEvent
from crm.commitments.models import CommitmentDirection
from crm.commitments.services import CommitmentInput, record_commitment
from crm.companies.models import Company
from crm.companies.services import CompanyInput, create_company, update_company
from crm.contacts.services import ContactInput, create_contact
from crm.datarequests.services import RequestInput, create_data_request
from crm.db import get_session
from crm.directives.services import DirectiveInput, create_directive
from crm.engagements.services import correct_engagement
from crm.organisations.queries import get_by_short_name
from crm.reviews.services import ReviewInput, save_consolidated_input, submit_draft_review
from crm.search.models import SearchDocument
from crm.statements.services import StatementInput, update_draft
from crm.threads.models import Thread
from tests.engagements.factories import engagement_input
from tests.search.conftest import hits
from tests.search.factories import SECRET_WORD, build_cast, draft, secret_engagement, secret_meeting


@pytest.fixture
def cast(seed):
    return seed(build_cast)


def _chair(session, cast) -> User:
    return session.get(User, cast.world.chair.id)


def _records(session, cast) -> dict[str, int]:
    """One record of every searchable kind, each with its own word in a searchable field."""
    chair, moit = _chair(session, cast), get_by_short_name(session, "MoIT")
    company = create_company(session, actor=chair, data=CompanyInput(name="Borealis Networks", notes="numbat notes"))
    thread = Thread(title="Liaison talks", objective="A capybara objective", created_by_id=chair.id,
                    companies=[company])  # fmt: skip
    session.add(thread)
    session.flush()
    review = submit_draft_review(session, actor=chair, data=ReviewInput(
        title="Social media rules", originating_organisation_id=moit.id, received_on=date(2021, 10, 1),
        committee="Okapi committee"))  # fmt: skip
    save_consolidated_input(session, actor=chair, review_id=review.id, version=None,
                            consolidated_input="The group asks for a wallaby clause.")  # fmt: skip
    return {
        "company": company.id,
        "contact": create_contact(
            session,
            actor=chair,
            data=ContactInput(name="Wombat Khan", company_id=company.id, title="Head of axolotl policy"),
        ).id,  # fmt: skip
        "thread": thread.id,
        "commitment": record_commitment(
            session,
            actor=chair,
            data=CommitmentInput(
                direction=CommitmentDirection.COMPANY_TO_GOVERNMENT,
                company_id=company.id,
                text="Appoint a kinkajou officer",
                party="Regional counsel",
            ),
        ).id,  # fmt: skip
        "directive": create_directive(
            session,
            actor=chair,
            data=DirectiveInput(
                source_ref="No. 9/2021",
                source_date=date(2021, 10, 4),
                serial="Z9",
                text="Set up a tapir desk",
                action_by_text="MoIT and PTA",
            ),
        ).id,  # fmt: skip
        "draft_review": review.id,
        "data_request": create_data_request(
            session,
            actor=chair,
            data=RequestInput(
                requested_from_id=moit.id, title="Platform statistics", details="Monthly pangolin counts"
            ),
        ).id,  # fmt: skip
        "statement": draft(session, chair, "Serval statement on compliance").id,
        "meeting": secret_meeting(session, cast).id,
    }


WORDS = {
    "company": ["borealis", "numbat"],
    "contact": ["wombat", "axolotl", "borealis networks"],
    "thread": ["capybara"],
    "commitment": ["kinkajou", "regional counsel"],
    "directive": ["tapir", "z9", "pta"],
    "draft_review": ["okapi", "wallaby", "social media rules"],
    "data_request": ["pangolin"],
    "statement": ["serval"],
    "meeting": ["marmalade"],
}


def test_every_kind_is_found_by_the_words_of_its_searchable_fields(seed, find, cast):
    ids = seed(lambda s: _records(s, cast))

    for kind, words in WORDS.items():
        for word in words:
            assert (kind, ids[kind]) in hits(find(cast.world.chair, word)), (kind, word)


def test_content_kinds_are_hidden_from_an_admin_who_still_sees_the_register(seed, find, cast):
    seed(lambda s: _records(s, cast))
    admin = cast.world.admin

    assert {kind for kind, _ in hits(find(admin, "borealis"))} == {"company", "contact"}
    for word in ("kinkajou", "tapir", "okapi", "pangolin", "serval", "marmalade"):
        assert find(admin, word).results == [], word


def test_draft_statements_are_found_by_every_content_role(seed, find, cast):
    statement = seed(lambda s: draft(s, cast.world.member, "Draft about the caracal rules"))

    for reader in (cast.world.observer, cast.low, cast.world.chair):
        assert hits(find(reader, "caracal")) == {("statement", statement.id)}


def test_editing_a_draft_statement_reindexes_it(seed, find, cast):
    statement = seed(lambda s: draft(s, cast.world.member, "Draft about the caracal rules"))
    seed(lambda s: update_draft(s, actor=_chair(s, cast), statement_id=statement.id, version=None,
                                data=StatementInput(text="Draft about the gerenuk rules",
                                                    channel=statement.channel)))  # fmt: skip

    assert find(cast.world.member, "caracal").results == []
    assert hits(find(cast.world.member, "gerenuk")) == {("statement", statement.id)}


def _correct(session, cast, engagement, **changes):
    values = {"classification": engagement.classification, "subject": engagement.subject,
              "summary": engagement.summary, "minutes": engagement.minutes, "thread_id": engagement.thread_id,
              "occurred_at": engagement.occurred_at, **changes}  # fmt: skip
    data = engagement_input(engagement.company_id, **values)
    return correct_engagement(session, actor=_chair(session, cast), engagement_id=engagement.id, version=None,
                              reason="Typing mistake.", data=data)  # fmt: skip


def test_correcting_minutes_replaces_their_words(seed, find, cast):
    secret = seed(lambda s: secret_engagement(s, cast))
    seed(lambda s: _correct(s, cast, secret, minutes="The company conceded nothing of note: marimba."))

    assert find(cast.world.chair, SECRET_WORD).results == []
    assert hits(find(cast.world.chair, "marimba")) == {("engagement_minutes", secret.id)}


def test_raising_the_classification_closes_the_minutes_to_those_below_it(seed, find, cast):
    engagement = seed(lambda s: secret_engagement(s, cast, classification=Clearance.CONFIDENTIAL))
    assert hits(find(cast.world.focal, SECRET_WORD)) == {("engagement_minutes", engagement.id)}

    seed(lambda s: _correct(s, cast, engagement, classification=Clearance.SECRET))

    assert find(cast.world.focal, SECRET_WORD).results == []


def test_removing_the_minutes_removes_their_document(seed, find, cast, count):
    secret = seed(lambda s: secret_engagement(s, cast))
    seed(lambda s: _correct(s, cast, secret, minutes=""))

    assert find(cast.world.chair, SECRET_WORD).results == []
    assert hits(find(cast.world.chair, "liaison")) == {("engagement", secret.id)}


def test_renaming_a_company_reindexes_its_contacts(seed, find, cast):
    ids = seed(lambda s: _records(s, cast))
    seed(lambda s: update_company(s, actor=_chair(s, cast), company_id=ids["company"], version=None,
                                  data=CompanyInput(name="Aurora Systems", notes="numbat notes")))  # fmt: skip

    assert hits(find(cast.world.member, "aurora")) == {("company", ids["company"]), ("contact", ids["contact"])}
    assert find(cast.world.member, "borealis").results == []


def test_a_rolled_back_write_leaves_nothing_in_the_index(app, connection, find, cast):
    with app.app_context():
        session = get_session()
        create_company(session, actor=_chair(session, cast), data=CompanyInput(name="Ephemeral Zorilla"))
        written = select(func.count()).select_from(SearchDocument).where(SearchDocument.title == "Ephemeral Zorilla")
        assert session.scalar(written) == 1
        session.rollback()

    assert find(cast.world.chair, "zorilla").results == []


def test_reindex_rebuilds_the_index_and_is_audited(seed, find, cast, runner, rows):
    ids = seed(lambda s: _records(s, cast))
    seed(lambda s: secret_engagement(s, cast))
    before = seed(lambda s: s.scalar(select(func.count()).select_from(SearchDocument)))
    seed(lambda s: s.execute(delete(SearchDocument)))
    assert find(cast.world.chair, "numbat").results == []

    result = runner.invoke(args=["search", "reindex"])

    assert result.exit_code == 0, result.output
    assert "Search index rebuilt" in result.output
    assert seed(lambda s: s.scalar(select(func.count()).select_from(SearchDocument))) == before
    assert hits(find(cast.world.chair, "numbat")) == {("company", ids["company"])}
    assert find(cast.world.chair, SECRET_WORD).results
    event = seed(lambda s: s.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).one())
    assert (event.action, event.actor_label) == ("search.reindex", "system")


def test_a_company_row_added_without_a_service_is_indexed_too(seed, find, cast):
    company = seed(lambda s: _add_company(s, "Direct Quetzal"))

    assert hits(find(cast.world.member, "quetzal")) == {("company", company.id)}


def _add_company(session, name: str) -> Company:
    company = Company(name=name)
    session.add(company)
    session.flush()
    return company


def test_the_demo_data_is_searchable_as_it_is_loaded(runner, find, seed):
    from crm.accounts.queries import get_by_username
    from crm.demo import data

    assert runner.invoke(args=["demo"]).exit_code == 0
    chair = seed(lambda s: get_by_username(s, data.CHAIR))

    for kind, word in (("thread", "Google"), ("engagement", data.SENTINEL_COMPANY), ("commitment", "Google"),
                       ("meeting", "coordination"), ("draft_review", "defamation"),
                       ("data_request", "platform")):  # fmt: skip
        assert find(chair, word, families=[kind]).results, kind
    assert {r.kind.value for r in find(chair, "demo minutes").results} == {"engagement_minutes"}
    assert {r.kind.value for r in find(chair, data.SENTINEL_COMPANY).results} >= {"company"}
