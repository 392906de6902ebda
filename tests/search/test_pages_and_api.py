"""The search page and GET /api/v1/search: what a reader sees, escaping, garbage input,
ranking, pagination, the audit of minutes shown, and a constant number of queries."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from sqlalchemy import select

from crm.audit.models import AuditEvent
from crm.companies.models import Company
from crm.search.queries import highlighted, parse
from tests.engagements.factories import log
from tests.search.conftest import hits
from tests.search.factories import MINUTES, SECRET_WORD, build_cast, secret_engagement

TAG = re.compile(r"</?[a-zA-Z][^>]*>")


@pytest.fixture
def cast(seed):
    return seed(build_cast)


@pytest.fixture
def secret(seed, cast):
    return seed(lambda s: secret_engagement(s, cast))


def _add_company(session, name: str, notes: str = "") -> Company:
    company = Company(name=name, notes=notes)
    session.add(company)
    session.flush()
    return company


def _results_section(html: str) -> str:
    return html.split('id="search-found"', 1)[1] if 'id="search-found"' in html else ""


def test_the_chair_sees_a_marked_minutes_snippet_linking_to_the_minutes(login, cast, secret):
    html = login(cast.world.chair).get(f"/search?q={SECRET_WORD}").get_data(as_text=True)

    assert f"<mark>{SECRET_WORD}</mark>" in html
    assert f'href="/engagements/{secret.id}#minutes-title"' in html
    assert "Engagement minutes" in html
    assert "Secret" in _results_section(html)  # the classification marking of the result


def test_a_member_finds_the_engagement_by_subject_and_the_page_holds_no_minutes_text(login, cast, secret):
    html = login(cast.cleared).get("/search?q=liaison").get_data(as_text=True)

    assert f'href="/engagements/{secret.id}"' in html
    assert "#minutes-title" not in html
    for word in (SECRET_WORD, "conceded"):
        assert word not in html


def test_the_member_searching_the_secret_word_gets_the_no_results_state(login, cast, secret):
    response = login(cast.cleared).get(f"/search?q={SECRET_WORD}")

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "No results" in html
    assert f"/engagements/{secret.id}" not in html


def test_an_empty_query_shows_what_to_do(login, cast):
    html = login(cast.world.member).get("/search?q=+").get_data(as_text=True)

    assert "Type what you are looking for" in html
    assert 'role="search"' in html


GARBAGE = ['"', '""', "'", "NEAR(", "NEAR(a b", "*", "a*", "OR", "AND NOT", "-x", "title:x", "^x", "(", ")",
           "{x}", "\\", "%", "_", "___", "'; DROP TABLE users; --", "&|!", ":*", "a:*", "<script>alert(1)</script>",
           "Ωμέγα", "اسلام آباد", "🙂", "e\u0301", "\u0301", "x" * 5000, "a b " * 2000, "\u200b", "\ufeff",
           "\x01\x02\x03", "\x02liaison\x03"]  # fmt: skip


@pytest.mark.parametrize("text", GARBAGE)
def test_no_query_text_breaks_the_page_or_the_api(login, bearer, cast, secret, text):
    client, headers = login(cast.world.chair), bearer(cast.world.chair)

    assert client.get("/search", query_string={"q": text}).status_code == 200
    response = client.get("/api/v1/search", query_string={"q": text}, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)


def test_a_nul_in_the_query_is_refused_cleanly(login, client, bearer, cast):
    assert login(cast.world.member).get("/search?q=a%00b").status_code == 400
    response = client.get("/api/v1/search?q=a%00b", headers=bearer(cast.world.member))
    assert response.status_code == 400


def test_the_parser_never_passes_syntax_through():
    terms = parse('NEAR("a" OR b*) title:c -d ^e')

    assert terms.words == ("near", "a", "or", "b", "title", "c", "d", "e")
    assert all(re.fullmatch(r"\w+", word) for word in terms.words)
    assert not parse("   ")
    assert not parse("!!! *** ---")
    assert len(parse("word " * 100).words) == 1
    assert len(parse(" ".join(f"w{i}" for i in range(50))).words) == 8


def test_stored_text_is_escaped_and_only_mark_tags_are_added(seed, login, cast):
    seed(lambda s: _add_company(s, "<b>Bold</b> & Co", notes='<img src=x onerror="alert(1)"> bold claims'))

    html = _results_section(login(cast.world.member).get("/search?q=bold").get_data(as_text=True))

    assert "<b>" not in html
    assert "<img" not in html
    assert "&lt;b&gt;<mark>Bold</mark>&lt;/b&gt; &amp; Co" in html
    listing = html[html.index("<ol") : html.index("</ol>")]
    assert {tag for tag in TAG.findall(listing) if "mark" not in tag} <= {
        '<ol class="search-results" start="1">', '<li class="panel search-result">', "</li>",
        '<p class="search-result__kind muted">', "</p>", '<h3 class="search-result__title">', "</h3>", "</a>",
        '<p class="search-result__context muted">', '<p class="search-result__snippet">'} | {
        tag for tag in TAG.findall(html) if tag.startswith('<a href="/companies/')}  # fmt: skip


def test_highlighting_escapes_first_and_balances_marks():
    assert str(highlighted("<i>\x02x\x03</i> \x02open")) == "&lt;i&gt;<mark>x</mark>&lt;/i&gt; <mark>open</mark>"
    assert str(highlighted("\x03stray \x02\x02twice\x03")) == "stray <mark>twice</mark>"
    assert {tag for tag in TAG.findall(str(highlighted("a **b** `c` <script>")))} == set()


def test_a_title_match_ranks_above_a_body_match(seed, find, cast):
    in_notes = seed(lambda s: _add_company(s, "Northwind Ltd", notes="Talks about the jacaranda office and more."))
    in_name = seed(lambda s: _add_company(s, "Jacaranda Media"))
    in_summary = seed(lambda s: log(s, s.get(type(cast.world.chair), cast.world.chair.id), cast.world.company.id,
                                    subject="Quarterly call", summary="The jacaranda office came up."))  # fmt: skip

    order = [(r.kind.value, r.record_id) for r in find(cast.world.member, "jacaranda").results]

    assert order[0] == ("company", in_name.id)
    assert set(order[1:]) == {("company", in_notes.id), ("engagement", in_summary.id)}


def test_the_last_word_matches_as_a_prefix(seed, find, cast):
    company = seed(lambda s: _add_company(s, "Tamarind Holdings"))

    assert hits(find(cast.world.member, "tamar")) == {("company", company.id)}
    assert find(cast.world.member, "tamar ").results == []  # a finished word is matched whole


def test_results_page_by_offset_and_filter_by_kind(seed, login, find, cast):
    seed(lambda s: [_add_company(s, f"Pelican {n}") for n in range(25)])
    seed(lambda s: log(s, s.get(type(cast.world.chair), cast.world.chair.id), cast.world.company.id,
                       subject="Pelican briefing"))  # fmt: skip

    first = find(cast.world.member, "pelican")
    second = find(cast.world.member, "pelican", offset=first.next_offset)
    assert (len(first.results), first.next_offset, len(second.results), second.next_offset) == (20, 20, 6, None)
    assert not hits(first) & hits(second)
    only = find(cast.world.member, "pelican", families=["engagement"])
    assert {kind for kind, _ in hits(only)} == {"engagement"}
    html = login(cast.world.member).get("/search?q=pelican&kind=engagement&kind=bogus").get_data(as_text=True)
    assert "<mark>Pelican</mark> briefing" in html
    assert "<mark>Pelican</mark> 1" not in html


def test_the_api_returns_kind_id_title_snippet_and_url_with_cursor_pages(seed, client, bearer, cast, secret):
    seed(lambda s: [_add_company(s, f"Heron {n}") for n in range(3)])
    headers = bearer(cast.world.chair)

    body = client.get(f"/api/v1/search?q={SECRET_WORD}", headers=headers).get_json()
    assert body["next_cursor"] is None
    [item] = body["items"]
    assert {key: item[key] for key in ("kind", "id", "title", "url", "classification")} == {
        "kind": "engagement_minutes", "id": secret.id, "title": "Liaison office timetable",
        "url": f"/engagements/{secret.id}#minutes-title", "classification": "secret"}  # fmt: skip
    assert f"<mark>{SECRET_WORD}</mark>" in item["snippet"]

    page = client.get("/api/v1/search?q=heron&limit=2", headers=headers).get_json()
    rest = client.get(f"/api/v1/search?q=heron&limit=2&cursor={page['next_cursor']}", headers=headers).get_json()
    assert (len(page["items"]), len(rest["items"]), rest["next_cursor"]) == (2, 1, None)


def test_the_api_never_gives_minutes_to_a_member_without_standing(client, bearer, cast, secret):
    headers = bearer(cast.cleared)

    empty = {"items": [], "next_cursor": None}
    assert client.get(f"/api/v1/search?q={SECRET_WORD}", headers=headers).get_json() == empty
    body = client.get("/api/v1/search?q=liaison", headers=headers).get_data(as_text=True)
    for text in (SECRET_WORD, "conceded", "engagement_minutes"):
        assert text not in body


def test_the_api_refuses_bad_arguments_and_anonymous_callers(client, bearer, cast):
    headers = bearer(cast.world.member)

    assert client.get("/api/v1/search?q=x").status_code == 401
    for query in ("cursor=bogus", f"cursor={quote('!!')}", "limit=0", "limit=500", "kind=minutes"):
        response = client.get(f"/api/v1/search?q=x&{query}", headers=headers)
        assert response.status_code == 422, query
        assert response.get_json()["error"]["code"] == "validation_failed"


def test_showing_minutes_snippets_is_audited_once_per_page_and_other_searches_write_nothing(
    seed, login, cast, secret, rows
):
    member, chair = login(cast.cleared), login(cast.world.chair)  # signing in is audited: before counting
    before = rows()
    member.get("/search?q=liaison")
    assert rows() == before  # no minutes shown: a pure read

    chair.get("/search?q=liaison")

    event = seed(lambda s: s.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).one())
    assert rows()[0] == before[0] + 1
    assert (event.action, event.actor_id, event.after) == (
        "search.read_minutes",
        cast.world.chair.id,
        {"engagement_ids": [secret.id], "meeting_ids": []},
    )
    assert MINUTES not in str(event.after)


def test_the_number_of_queries_does_not_grow_with_the_results(seed, login, cast, count_queries):
    from tests.reviews.conftest import measure

    client = login(cast.world.member)
    seed(lambda s: [_add_company(s, f"Ibis {n}", notes="ibis") for n in range(2)])
    few = measure(client, count_queries, "/search?q=ibis")
    seed(lambda s: [_add_company(s, f"Ibis more {n}", notes="ibis") for n in range(30)])
    many = measure(client, count_queries, "/search?q=ibis")

    assert len(many) == len(few)
