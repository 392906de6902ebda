"""The same number of SQL statements whatever the number of rows (CONVENTIONS.md rule 5)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

from crm.accounts.models import Role, User
from crm.engagements import services
from crm.organisations.queries import list_organisations
from crm.storage import StoredFile
from tests.conftest import sign_in
from tests.engagements.factories import engagement_input, log, make_contact
from tests.factories import make_user


def measure(client, path, statements) -> int:
    client.get(path)  # warm: the first request of a session loads things once
    statements.clear()
    response = client.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)
    return len(statements)


def add_engagements(in_app, world, n):
    def make(session):
        focal = session.get(User, world.focal.id)
        for i in range(n):
            log(session, focal, world.company.id, subject=f"S{i}", thread_id=world.thread.id,
                occurred_at=datetime.now(UTC) - timedelta(hours=i + 1))  # fmt: skip

    in_app(make)


def test_the_list_page_and_the_api_list_take_the_same_queries_for_1_or_30_rows(
    client, web_world, in_app, bearer, count_queries
):
    headers = bearer(web_world.member)
    sign_in(client, web_world.member.username)
    add_engagements(in_app, web_world, 1)
    one = (measure(client, "/engagements", count_queries), measure_api(client, headers, count_queries))

    add_engagements(in_app, web_world, 29)
    thirty = (measure(client, "/engagements", count_queries), measure_api(client, headers, count_queries))

    assert one == thirty


def measure_api(client, headers, statements) -> int:
    statements.clear()
    response = client.get("/api/v1/engagements", headers=headers)
    assert len(response.get_json()["items"]) >= 1
    return len(statements)


def rich_engagement(session, world, n: int) -> int:
    """An engagement with n participants, contacts, organisations, files and corrections."""
    focal = session.get(User, world.focal.id)
    people = [make_user(session, role=Role.MEMBER) for _ in range(n)]
    company = session.get(type(world.company), world.company.id)
    contacts = [make_contact(session, company) for _ in range(n)]
    organisations = [o.id for o in list_organisations(session)][:n]
    data = engagement_input(company.id, participant_ids=[p.id for p in people],
                            contact_ids=[c.id for c in contacts], organisation_ids=organisations)  # fmt: skip
    engagement = services.log_engagement(session, actor=focal, data=data)
    for i in range(n):
        stored = StoredFile(f"{i:064x}", 10, "application/pdf", f"file{i}.pdf")
        services.add_attachment(session, actor=focal, engagement_id=engagement.id, stored=stored)
        services.correct_engagement(
            session, actor=focal, engagement_id=engagement.id, version=engagement.version, reason=f"R{i}",
            data=dataclasses.replace(data, subject=f"Subject {i}"),
        )  # fmt: skip
    return engagement.id


def test_the_detail_page_takes_the_same_queries_for_1_or_30_of_everything(client, web_world, in_app, count_queries):
    small = in_app(lambda session: rich_engagement(session, web_world, 1))
    large = in_app(lambda session: rich_engagement(session, web_world, 30))
    sign_in(client, web_world.focal.username)

    assert measure(client, f"/engagements/{small}", count_queries) == measure(
        client, f"/engagements/{large}", count_queries
    )


def test_the_api_detail_takes_the_same_queries_for_1_or_30_participants(
    client, web_world, in_app, bearer, count_queries
):
    small = in_app(lambda session: rich_engagement(session, web_world, 1))
    large = in_app(lambda session: rich_engagement(session, web_world, 30))
    headers = bearer(web_world.focal)

    counts = []
    for engagement_id in (small, large):
        count_queries.clear()
        assert client.get(f"/api/v1/engagements/{engagement_id}", headers=headers).status_code == 200
        counts.append(len(count_queries))

    assert counts[0] == counts[1]
