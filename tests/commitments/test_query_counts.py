"""The register and the pages that list commitments issue the same number of SQL queries
whatever the number of rows (DESIGN.md §7): loading is decided in queries.py."""

from __future__ import annotations

import pytest

from crm.commitments.models import CommitmentDirection, CommitmentStatus
from crm.organisations.queries import get_by_short_name
from tests.commitments.factories import close, days, make_commitment
from tests.engagements.factories import log, make_company, make_thread


def seed(session, world, size: int) -> dict[str, int]:
    """`size` commitments of every kind on a new company, its thread and one engagement."""
    company = make_company(session)
    thread = make_thread(session, company, world.chair)
    meeting = log(session, world.chair, company.id, thread_id=thread.id)
    moit = get_by_short_name(session, "MoIT")
    for n in range(size):
        make_commitment(session, actor=world.chair, company_id=company.id, thread_id=thread.id, due_date=days(n - 2),
                        engagement_id=meeting.id)  # fmt: skip
        make_commitment(session, actor=world.chair, company_id=company.id, thread_id=thread.id, due_date=None,
                        direction=CommitmentDirection.GOVERNMENT_TO_COMPANY, organisation_id=moit.id)  # fmt: skip
        kept = make_commitment(session, actor=world.chair, company_id=company.id, engagement_id=meeting.id)
        close(session, actor=world.chair, commitment=kept, status=CommitmentStatus.FULFILLED)
    return {"company": company.id, "thread": thread.id, "engagement": meeting.id}


def measure(client, count_queries, path: str) -> list[str]:
    assert client.get(path).status_code == 200  # warm up: first-request work is not the page's
    count_queries.clear()
    assert client.get(path).status_code == 200
    return list(count_queries)


@pytest.mark.parametrize(
    "page",
    [
        "/commitments?company_id={company}",
        "/commitments?company_id={company}&status=overdue",
        "/companies/{company}",
        "/threads/{thread}",
        "/engagements/{engagement}",
    ],
)
def test_pages_issue_the_same_queries_for_1_or_25_of_each(login, web_world, in_app, count_queries, page):
    small = in_app(lambda s: seed(s, web_world, 1))
    large = in_app(lambda s: seed(s, web_world, 25))
    client = login(web_world.chair)

    few = measure(client, count_queries, page.format(**small))
    many = measure(client, count_queries, page.format(**large))

    assert len(few) == len(many), "\n".join(many)
    assert len(many) <= 25


def test_the_commitment_page_issues_a_fixed_number_of_queries(login, web_world, in_app, count_queries):
    ids = in_app(lambda s: [make_commitment(s, actor=web_world.chair, company_id=web_world.company.id).id])
    client = login(web_world.member)

    statements = measure(client, count_queries, f"/commitments/{ids[0]}")

    assert len(statements) <= 12, "\n".join(statements)
