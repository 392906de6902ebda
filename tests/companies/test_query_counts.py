"""Pages issue the same number of SQL queries whatever the data size (DESIGN.md §7)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from crm.accounts.models import Role
from crm.companies.models import AccessStatus, Company
from crm.companies.services import change_access_status, today
from tests.companies.factories import (
    make_company,
    make_contact,
    make_engagement,
    make_follow_up,
    make_keeper,
    make_service,
    make_thread,
)


@pytest.fixture
def count_queries(app):
    """A context manager collecting every statement the app's engine sends."""
    engine = app.extensions["rabta.db"].engine

    @contextmanager
    def counting() -> Iterator[list[str]]:
        statements: list[str] = []

        def before_cursor_execute(conn, cursor, statement, parameters, context, executemany):
            statements.append(statement)

        event.listen(engine, "before_cursor_execute", before_cursor_execute)
        try:
            yield statements
        finally:
            event.remove(engine, "before_cursor_execute", before_cursor_execute)

    return counting


def seed_company(session, name: str, size: int) -> int:
    keeper = make_keeper(session)
    company = make_company(session, actor=keeper, name=name, health_reason="why")
    for n in range(size):
        service = make_service(session, actor=keeper, company=company, name=f"{name} service {n}")
        change_access_status(
            session,
            actor=keeper,
            service_id=service.id,
            version=service.version,
            status=AccessStatus.BLOCKED,
            started_on=today(),
            reason="order",
        )
        make_contact(session, actor=keeper, company=company, name=f"{name} person {n}", email=f"p{n}@example.com")
        make_engagement(session, actor=keeper, company=company, subject=f"{name} meeting {n}", days_ago=n + 1)
        make_thread(session, actor=keeper, company=company, title=f"{name} thread {n}")
        make_follow_up(session, actor=keeper, company=company, assignee=keeper, title=f"{name} follow-up {n}")
    return company.id


def queries_for(client, count_queries, path: str) -> list[str]:
    assert client.get(path).status_code == 200  # warm up: first-request work is not the page's
    with count_queries() as statements:
        assert client.get(path).status_code == 200
    return statements


def test_the_profile_page_issues_the_same_queries_for_1_or_30_of_everything(signed_in, db, count_queries):
    small = db(lambda s: seed_company(s, "Small", 1))
    large = db(lambda s: seed_company(s, "Large", 30))
    client, _ = signed_in(Role.MEMBER)

    few = queries_for(client, count_queries, f"/companies/{small}")
    many = queries_for(client, count_queries, f"/companies/{large}")

    assert len(few) == len(many), "\n".join(many)
    assert len(many) <= 15


def test_the_company_list_issues_the_same_queries_for_1_or_30_companies(signed_in, db, count_queries):
    client, _ = signed_in(Role.OBSERVER, org="PMO")
    db(lambda s: make_company(s, actor=make_keeper(s), name="Only one"))
    few = queries_for(client, count_queries, "/companies?sort=priority")

    db(lambda s: [make_company(s, actor=make_keeper(s), name=f"Co {n}") for n in range(29)])
    many = queries_for(client, count_queries, "/companies?sort=priority")

    assert len(few) == len(many)
    assert db(lambda s: s.query(Company).count()) >= 30


def test_the_contact_list_issues_the_same_queries_for_1_or_30_contacts(signed_in, db, count_queries):
    def seed(s, size: int) -> None:
        keeper = make_keeper(s)
        company = make_company(s, actor=keeper)
        for n in range(size):
            make_contact(s, actor=keeper, company=company, name=f"Person {n}")

    client, _ = signed_in(Role.MEMBER)
    db(lambda s: seed(s, 1))
    few = queries_for(client, count_queries, "/contacts?all=1")
    db(lambda s: seed(s, 30))
    many = queries_for(client, count_queries, "/contacts?all=1")

    assert len(few) == len(many)
