"""The pipeline board, its list view and the CSV export: columns, cards, filters, paging."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta

import pytest

from crm.accounts.models import User
from crm.audit.models import AuditEvent
from crm.companies.models import Company, Priority
from crm.threads.models import Stage
from crm.threads.queries import today
from crm.threads.services import change_stage
from tests.threads.conftest import html
from tests.threads.factories import make_thread


def test_the_board_shows_every_stage_as_a_section_with_a_heading(chair_client, world):
    page = html(chair_client.get("/threads"))

    for stage in Stage:
        assert f'<section class="thread-board__column" aria-labelledby="stage-{stage.value}">' in page
        assert f'<h2 id="stage-{stage.value}" class="thread-board__heading">{stage.label}' in page
    assert page.index("stage-identified") < page.index("stage-closed") < page.index("stage-stalled")
    assert page.index("stage-stalled") < page.index("stage-abandoned")
    assert page.count("No threads at this stage.") == len(Stage) - 1


def test_a_card_shows_title_companies_priority_next_step_and_overdue_target(chair_client, world):
    page = html(chair_client.get("/threads"))

    column = page[page.index('aria-labelledby="stage-identified"') : page.index('aria-labelledby="stage-outreach"')]
    assert f'href="/threads/{world.thread.id}">Google liaison office in Pakistan</a>' in column
    assert "Google" in column
    assert "<dt>Priority</dt><dd>High</dd>" in column
    assert "Send the draft MoU" in column
    assert (today() - timedelta(days=3)).strftime("%d-%m-%Y") in column
    assert "overdue" in column


def test_a_thread_appears_in_the_column_of_its_stage(app, chair_client, world, seed):
    seed(
        lambda s: change_stage(
            s,
            actor=s.get(User, world.chair.id),
            thread_id=world.thread.id,
            stage=Stage.STALLED,
            version=world.thread.version,
        )
    )

    page = html(chair_client.get("/threads"))

    stalled = page[page.index('aria-labelledby="stage-stalled"') : page.index('aria-labelledby="stage-abandoned"')]
    assert "Google liaison office in Pakistan" in stalled
    assert "overdue" in stalled


def test_a_closed_thread_is_never_overdue(chair_client, world, seed):
    seed(
        lambda s: make_thread(
            s,
            actor=s.get(User, world.chair.id),
            companies=[s.get(Company, world.meta.id)],
            stage=Stage.CLOSED,
            title="Old matter",
            target_date=date(2020, 1, 1),
        )
    )

    page = html(chair_client.get("/threads"))

    closed = page[page.index('aria-labelledby="stage-closed"') : page.index('aria-labelledby="stage-stalled"')]
    assert "Old matter" in closed
    assert "overdue" not in closed


def test_the_board_filters_by_company_and_priority(chair_client, world, seed):
    seed(
        lambda s: make_thread(
            s,
            actor=s.get(User, world.chair.id),
            companies=[s.get(Company, world.meta.id)],
            title="Meta data localisation",
            priority=Priority.LOW,
        )
    )

    by_company = html(chair_client.get(f"/threads?company_id={world.meta.id}"))
    by_priority = html(chair_client.get("/threads?priority=high"))

    assert "Meta data localisation" in by_company
    assert "Google liaison office" not in by_company
    assert "Google liaison office" in by_priority
    assert "Meta data localisation" not in by_priority
    assert f'<option value="{world.meta.id}" selected>Meta</option>' in by_company


@pytest.mark.parametrize(
    "query",
    [
        "company_id=abc",
        "company_id=-1",
        "company_id=99999999999999999999",
        "priority=urgent",
        "stage=x",
        "view=weird",
        "view=list&stage=bogus&before=abc",
        "view=list&before=99999999999999999999",
    ],
)
def test_garbage_filters_are_ignored_not_errors(chair_client, world, query):
    response = chair_client.get(f"/threads?{query}")

    assert response.status_code == 200
    assert "Google liaison office in Pakistan" in html(response)


def test_the_list_view_is_a_table_with_the_same_filters(chair_client, world):
    page = html(chair_client.get(f"/threads?view=list&company_id={world.google.id}&stage=identified"))

    assert '<th scope="col">Stage</th>' in page
    assert f'<th scope="row"><a href="/threads/{world.thread.id}">Google liaison office in Pakistan</a></th>' in page
    assert 'aria-current="page">List</a>' in page
    assert "overdue" in page
    assert "No threads match." in html(chair_client.get("/threads?view=list&stage=closed"))


def test_the_list_view_pages_by_keyset(chair_client, world, seed):
    def build(session):
        chair, meta = session.get(User, world.chair.id), session.get(Company, world.meta.id)
        for n in range(52):
            make_thread(session, actor=chair, companies=[meta], title=f"Bulk matter {n:02d}")

    seed(build)
    first = html(chair_client.get("/threads?view=list"))
    older = re.search(r'href="(/threads\?[^"]*before=\d+[^"]*)">Older threads', first)
    assert older
    second = html(chair_client.get(older.group(1).replace("&amp;", "&")))

    assert "Bulk matter 51" in first
    assert "Bulk matter 01" not in first
    assert "Bulk matter 01" in second
    assert "Google liaison office in Pakistan" in second
    assert "Older threads" not in second


def test_the_csv_export_is_filtered_defused_and_audited(chair_client, world, seed, count):
    seed(
        lambda s: make_thread(
            s,
            actor=s.get(User, world.chair.id),
            companies=[s.get(Company, world.meta.id)],
            title="=HYPERLINK(1)",
            priority=Priority.LOW,
        )
    )
    events = count(AuditEvent)

    response = chair_client.get("/threads.csv?priority=high")

    assert response.mimetype == "text/csv"
    assert '-UNCLASSIFIED.csv"' in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(html(response).lstrip("\ufeff").split("\n", 1)[1])))  # after the marking
    assert [(r["title"], r["companies"], r["stage"], r["priority"], r["overdue"]) for r in rows] == [
        ("Google liaison office in Pakistan", "Google", "identified", "high", "yes")
    ]
    assert rows[0]["next_step_owner"] == world.chair.full_name
    assert count(AuditEvent) == events + 1
    everything = html(chair_client.get("/threads.csv"))
    assert "'=HYPERLINK(1)" in everything
