"""The board issues the same number of SQL statements for 2 companies as for 20 (DESIGN.md §7)."""

from __future__ import annotations

from tests.dashboard.factories import add_exception, add_late_directive, seed_company


def statements_for(client, count_queries, path: str) -> list[str]:
    assert client.get(path).status_code == 200  # warm up: first-request work is not the page's
    with count_queries() as statements:
        assert client.get(path).status_code == 200
    return statements


def test_the_board_issues_the_same_queries_for_2_or_20_companies(web_world, in_app, login, count_queries):
    client = login(web_world.chair)
    in_app(lambda s: [seed_company(s, web_world, f"Few {n}") for n in range(1)])
    few = statements_for(client, count_queries, "/?sort=last_contact")

    def grow(s) -> None:
        for n in range(19):
            seeded = seed_company(s, web_world, f"Many {n}", size=3)
            add_exception(s, web_world, seeded.company)
            add_late_directive(s, web_world)

    in_app(grow)
    many = statements_for(client, count_queries, "/?sort=last_contact")

    assert len(few) == len(many), "\n".join(many)
    assert len(many) <= 25
    page = client.get("/").get_data(as_text=True)
    assert page.count('<th scope="row">\n            <a href="/companies/') == 21  # the world's + 20


def test_the_charts_page_issues_the_same_queries_for_few_or_many(web_world, in_app, login, count_queries):
    client = login(web_world.observer)
    in_app(lambda s: seed_company(s, web_world, "One"))
    few = statements_for(client, count_queries, "/charts")
    in_app(lambda s: [seed_company(s, web_world, f"Co {n}", size=2) for n in range(12)])
    many = statements_for(client, count_queries, "/charts")
    assert len(few) == len(many)
