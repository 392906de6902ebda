"""The chair's status board: one row per company, sortable without JavaScript, the panels of
what is overdue or awaits a decision, each shown only to those who may see it."""

from __future__ import annotations

import re

from crm.companies.models import Health
from tests.dashboard.factories import add_exception, add_late_directive, add_notes_request, seed_company
from tests.engagements.factories import log, make_company


def row_names(page: str) -> list[str]:
    """Company names in the order of the board's rows."""
    body = page.split('class="table board-table"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<th scope="row">\s*<a href="/companies/\d+">([^<]+)</a>', body)


def test_the_chairs_home_shows_a_row_per_company_with_its_status(web_world, in_app, login):
    seeded = in_app(lambda s: seed_company(s, web_world, "Alpha", health=Health.RED, days_ago=4))
    page = login(web_world.chair).get("/").get_data(as_text=True)

    assert "Welcome," in page
    assert 'id="board-heading"' in page
    row = page.split(">Alpha</a>", 1)[1].split("</tr>", 1)[0]
    assert 'class="health health--red">Red<' in row  # health as a word, not colour alone
    assert f'href="/threads/{seeded.thread_ids[0]}"' in row  # one click to the negotiation
    assert "Negotiating" in row
    assert "Alpha next step 0" in row
    assert web_world.focal.full_name in row
    assert "4 days ago" in row
    assert row.count('class="overdue-count">1<span class="visually-hidden"> overdue</span>') == 2  # theirs, ours
    assert f'href="/companies/{seeded.company.id}/brief"' in row


def test_a_company_without_negotiations_or_contact_says_so(web_world, in_app, login):
    in_app(lambda s: make_company(s, "Quiet Co"))
    page = login(web_world.chair).get("/").get_data(as_text=True)
    quiet = page.split(">Quiet Co</a>", 1)[1].split("</tr>", 1)[0]
    world_row = page.split(f">{web_world.company.name}</a>", 1)[1].split("</tr>", 1)[0]
    assert "No open negotiation" in quiet
    assert "never" in quiet
    assert "Identified" in world_row
    assert f'href="/threads/{web_world.thread.id}"' in world_row


def test_the_board_sorts_by_any_column_from_the_query_string(web_world, in_app, login):
    in_app(lambda s: seed_company(s, web_world, "Recent", days_ago=1, health=Health.GREEN))
    in_app(lambda s: seed_company(s, web_world, "Stale", days_ago=40, health=Health.RED))
    client = login(web_world.chair)

    stalest_first = row_names(client.get("/?sort=last_contact&dir=desc").get_data(as_text=True))
    freshest_first = row_names(client.get("/?sort=last_contact&dir=asc").get_data(as_text=True))
    by_health = row_names(client.get("/?sort=health").get_data(as_text=True))
    by_name = client.get("/?sort=company&dir=desc").get_data(as_text=True)

    assert freshest_first.index("Recent") < freshest_first.index("Stale")
    assert stalest_first.index("Stale") < stalest_first.index("Recent")
    assert by_health.index("Stale") < by_health.index("Recent")  # red before green
    assert row_names(by_name) == sorted(row_names(by_name), reverse=True)
    assert 'aria-sort="descending"' in by_name
    # The heading's link sorts the other way next.
    assert 'href="/?sort=company&amp;dir=asc#board"' in by_name


def test_an_unknown_sort_falls_back_to_health(web_world, login):
    response = login(web_world.chair).get("/?sort=drop+table&dir=sideways")
    assert response.status_code == 200
    assert 'aria-sort="ascending"' in response.get_data(as_text=True)


def test_members_and_admins_keep_their_own_home_page(web_world, login):
    for user in (web_world.member, web_world.admin):
        page = login(user).get("/").get_data(as_text=True)
        assert "Status board" not in page
        assert 'class="table board-table"' not in page


def test_the_secretariat_observers_and_the_focal_person_see_the_board(web_world, login):
    for user in (web_world.secretariat, web_world.observer, web_world.focal):
        assert 'id="board-heading"' in login(user).get("/").get_data(as_text=True)


def test_overdue_items_and_directives_behind_schedule_are_listed(web_world, in_app, login):
    in_app(lambda s: seed_company(s, web_world, "Beta"))
    in_app(lambda s: add_late_directive(s, web_world, text="Share all drafts with the group"))
    page = login(web_world.chair).get("/").get_data(as_text=True)

    overdue = page.split('id="overdue-heading"', 1)[1].split("</section>", 1)[0]
    assert "Follow-ups: 1 overdue" in overdue
    assert "Beta chase 0" in overdue
    assert "Commitments: 2 overdue" in overdue
    assert "Directives: 1 overdue" in overdue
    behind = page.split('id="behind-heading"', 1)[1].split("</section>", 1)[0]
    assert "Share all drafts with the group" in behind
    assert "(1)" in behind


def test_exceptions_and_notes_panels_follow_each_features_own_rule(web_world, in_app, login):
    def seed(s):
        add_exception(s, web_world, web_world.company, who="Joint Secretary X")
        meeting = log(s, web_world.focal, web_world.company.id, subject="Takedown meeting")
        add_notes_request(s, web_world, meeting.id)

    in_app(seed)
    chair = login(web_world.chair).get("/").get_data(as_text=True)
    observer = login(web_world.observer).get("/").get_data(as_text=True)

    assert "Joint Secretary X" in chair
    assert "Takedown meeting" in chair
    assert 'id="exceptions-heading"' in chair
    assert 'id="notes-heading"' in chair
    # Observers see neither every channel exception nor every notes request.
    assert "Joint Secretary X" not in observer
    assert 'id="exceptions-heading"' not in observer
    assert 'id="notes-heading"' not in observer


def test_the_board_draws_its_charts_with_a_table_beside_each(web_world, in_app, login):
    in_app(lambda s: seed_company(s, web_world, "Gamma"))
    page = login(web_world.chair).get("/").get_data(as_text=True)
    assert page.count('role="img"') == 2
    assert '<title id="chart-commitments-title">Commitments by status</title>' in page
    assert "Open, overdue: 2 commitments" in page  # the figures in words in the chart's <desc>
    assert page.count("the figures as a table</summary>") == 2
