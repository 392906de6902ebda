"""Saved filters: save the current list's filter under a name, see only one's own, delete."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from crm.accounts.models import Role
from crm.audit.models import AuditEvent
from crm.db import get_session
from crm.filters.models import SavedFilter
from crm.filters.policy import MAX_PER_PAGE, PAGES
from crm.filters.queries import clean_query
from crm.filters.services import save_filter
from tests.channel.conftest import page_csrf
from tests.factories import make_user


@pytest.fixture
def people(seed):
    return seed(lambda s: {
        "member": make_user(s, role=Role.MEMBER, org="MoIB", username="moib.saver"),
        "other": make_user(s, role=Role.MEMBER, org="MoC", username="moc.other"),
        "secretariat": make_user(s, role=Role.SECRETARIAT, org="DMW", username="dmw.saver"),
        "chair": make_user(s, role=Role.CHAIR, org="NSD", username="nsd.saver"),
    })  # fmt: skip


def save(client, name, query, page="engagements.index"):
    token = page_csrf(client, "/engagements")
    data = {"saved-name": name, "saved-page": page, "saved-query": query, "saved-csrf_token": token}
    return client.post("/filters", data=data)


def saved(app):
    with app.app_context():
        return [(f.user_id, f.page, f.name, f.query) for f in get_session().scalars(select(SavedFilter))]


def test_the_paging_cursor_is_not_part_of_a_filter():
    assert (
        clean_query("kind=meeting&before=2026-01-01T00:00:00Z,5&direction=&company_id=3") == "kind=meeting&company_id=3"
    )
    assert clean_query("?after=abc&cursor=x") == ""


def test_a_user_saves_the_current_filter_and_finds_it_on_the_list(app, people, login):
    client = login(people["member"])

    response = save(client, "Inbound meetings", "kind=meeting&direction=inbound&before=2026-01-01T00:00:00Z,9")

    assert response.status_code == 303
    assert response.headers["Location"].endswith("/engagements?kind=meeting&direction=inbound")
    assert saved(app) == [
        (people["member"].id, "engagements.index", "Inbound meetings", "kind=meeting&direction=inbound")
    ]
    page = client.get("/engagements").get_data(as_text=True)
    assert "Inbound meetings" in page
    assert 'href="/engagements?kind=meeting&amp;direction=inbound"' in page


def test_a_user_sees_only_their_own_saved_filters(people, login):
    save(login(people["member"]), "Mine only", "kind=visit")

    page = login(people["other"]).get("/engagements").get_data(as_text=True)

    assert "Mine only" not in page
    assert "None yet." in page


def test_a_duplicate_name_is_refused_kindly_and_writes_nothing(app, people, login, rows):
    client = login(people["member"])
    save(client, "Visits", "kind=visit")
    before = rows(SavedFilter)

    response = save(client, "  VISITS ", "kind=meeting")

    assert response.status_code == 303
    assert rows(SavedFilter) == before
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "You already have a filter named" in page
    assert 'value="VISITS"' in page  # the typed name is kept
    assert 'aria-invalid="true"' in page


def test_at_most_fifty_filters_per_page(app, people, login, seed, rows):
    def fill(s):
        for number in range(MAX_PER_PAGE):
            save_filter(s, actor=s.merge(people["member"]), page="engagements.index", name=f"F{number}", query="")

    seed(fill)
    client = login(people["member"])
    before = rows(SavedFilter)

    save(client, "One too many", "kind=visit")

    assert rows(SavedFilter) == before
    assert len(saved(app)) == MAX_PER_PAGE


def test_an_unknown_page_is_refused(people, login, rows):
    client = login(people["member"])
    before = rows(SavedFilter)

    save(client, "Nowhere", "x=1", page="admin.users")

    assert rows(SavedFilter) == before


def test_deleting_ones_own_filter(app, people, login, rows):
    client = login(people["member"])
    save(client, "Temporary", "kind=visit")
    (filter_id,) = [f.id for f in _filters(app)]
    token = page_csrf(client, "/engagements")

    response = client.post(f"/filters/{filter_id}/delete", data={"csrf_token": token})

    assert response.status_code == 303
    assert saved(app) == []
    with app.app_context():
        actions = list(get_session().scalars(select(AuditEvent.action).where(AuditEvent.action.like("saved_filter.%"))))
    assert sorted(actions) == ["saved_filter.create", "saved_filter.delete"]


def test_another_users_filter_cannot_be_deleted_and_nothing_is_written(app, people, login, rows):
    save(login(people["member"]), "Private", "kind=visit")
    (filter_id,) = [f.id for f in _filters(app)]
    intruder = login(people["other"])
    before = rows(SavedFilter)

    response = intruder.post(f"/filters/{filter_id}/delete", data={"csrf_token": page_csrf(intruder, "/engagements")})

    assert response.status_code == 404
    assert rows(SavedFilter) == before


def test_a_save_without_the_csrf_token_writes_nothing(people, login, rows):
    client = login(people["member"])
    before = rows(SavedFilter)

    client.post("/filters", data={"saved-name": "X", "saved-page": "engagements.index"})

    assert rows(SavedFilter) == before


@pytest.mark.parametrize("page", sorted(PAGES))
def test_every_main_list_offers_saved_filters(app, people, login, page):
    user = {"followups.everything": people["secretariat"], "audit.events": people["chair"]}.get(page, people["member"])
    with app.test_request_context():
        from flask import url_for

        path = url_for(page)
    body = login(user).get(path).get_data(as_text=True)

    assert "Saved filters" in body
    assert "Save this filter" in body


def _filters(app):
    with app.app_context():
        return list(get_session().scalars(select(SavedFilter)))
