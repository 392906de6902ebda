"""Opening, editing and moving threads through the real forms; conflicts (R7) and refusals."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from crm.accounts.models import Role, User
from crm.db import get_session
from crm.threads.models import Stage, StageChange, Thread
from crm.threads.services import change_stage
from tests.threads.conftest import html, load_thread, page_csrf, thread_form
from tests.threads.factories import make_focal_person


def test_chair_opens_a_thread_through_the_form(app, chair_client, world, totals):
    before = totals()

    response = chair_client.post(
        "/threads/new",
        data=thread_form(chair_client, "/threads/new", world, company_ids=[str(world.meta.id), str(world.google.id)]),
    )

    assert response.status_code == 302
    thread_id = int(response.headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        session = get_session()
        thread = session.get(Thread, thread_id)
        assert thread.title == "Meta data localisation"
        assert thread.target_date == date(2026, 9, 30)
        history = session.scalars(select(StageChange).where(StageChange.thread_id == thread_id)).all()
        assert [(h.from_stage, h.to_stage) for h in history] == [(None, Stage.IDENTIFIED)]
    assert totals() == (before[0] + 1, before[1] + 1, before[2] + 1)
    assert "is open at the stage Identified" in html(chair_client.get(response.headers["Location"]))


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": ""}, "Give the thread a title."),
        ({"company_ids": []}, "Choose at least one company."),
        ({"company_ids": ["987654"]}, "not a valid choice"),
        ({"company_ids": ["abc"]}, "could not be coerced"),
        ({"company_ids": ["99999999999999999999"]}, "not a valid choice"),
        ({"target_date": "31-02-2026"}, "Not a valid date value."),
        ({"priority": "urgent"}, "Not a valid choice."),
        ({"lead_organisation_id": "987654"}, "Not a valid choice."),
        ({"lead_organisation_id": "abc"}, "could not coerce"),
        ({"next_step_owner_id": "-3"}, "Not a valid choice."),
        ({"next_step": "x" * 501}, "500 characters"),
        ({"title": "x" * 201}, "200 characters"),
    ],
)
def test_invalid_new_thread_is_reshown_with_input_and_writes_nothing(chair_client, world, totals, overrides, message):
    form = thread_form(chair_client, "/threads/new", world, objective="Kept objective text", **overrides)
    before = totals()

    response = chair_client.post("/threads/new", data=form)

    page = html(response)
    assert response.status_code == 200
    assert "There is a problem" in page
    assert message in page
    assert "Kept objective text" in page
    assert totals() == before


def test_the_new_thread_form_is_labelled(chair_client, world):
    page = html(chair_client.get("/threads/new"))

    assert '<legend class="field__label">Companies</legend>' in page
    assert '<label for="company_ids-0">Google</label>' in page
    for name in (
        "title",
        "objective",
        "our_ask",
        "their_position",
        "priority",
        "lead_organisation_id",
        "target_date",
        "next_step",
        "next_step_owner_id",
    ):
        assert f'for="{name}"' in page
    assert 'type="date"' in page


# Editing, with conflicts (R7)


def test_chair_edits_a_thread_through_the_form(app, chair_client, world):
    path = f"/threads/{world.thread.id}/edit"
    form = thread_form(chair_client, path, world, version=str(world.thread.version), title="Google office, renamed")

    response = chair_client.post(path, data=form)

    assert response.status_code == 302
    thread = load_thread(app, world.thread.id)
    assert thread.title == "Google office, renamed"
    assert thread.version == world.thread.version + 1
    assert thread.stage is Stage.IDENTIFIED


def test_the_edit_form_is_filled_with_the_current_values(chair_client, world):
    page = html(chair_client.get(f"/threads/{world.thread.id}/edit"))

    assert 'value="Google liaison office in Pakistan"' in page
    assert f'name="version" type="hidden" value="{world.thread.version}"' in page
    assert re.search(rf'checked[^>]*value="{world.google.id}"|value="{world.google.id}"[^>]*checked', page)


def test_a_stale_edit_gets_a_409_page_that_keeps_the_input(app, chair_client, world, seed, totals):
    path = f"/threads/{world.thread.id}/edit"
    form = thread_form(
        chair_client, path, world, version=str(world.thread.version), objective="My carefully written objective"
    )
    seed(
        lambda s: change_stage(
            s,
            actor=s.get(User, world.chair.id),
            thread_id=world.thread.id,
            stage=Stage.OUTREACH,
            version=world.thread.version,
        )
    )
    before = totals()

    response = chair_client.post(path, data=form)

    page = html(response)
    assert response.status_code == 409
    assert "Someone else changed this record since you opened it" in page
    assert "My carefully written objective" in page
    assert f'name="version" type="hidden" value="{world.thread.version + 1}"' in page
    assert totals() == before
    assert load_thread(app, world.thread.id).objective == "A liaison office in Islamabad."
    form["version"] = str(world.thread.version + 1)
    assert chair_client.post(path, data=form).status_code == 302
    assert load_thread(app, world.thread.id).objective == "My carefully written objective"


@pytest.mark.parametrize("version", ["", "abc", "1.5"])
def test_an_edit_without_a_usable_version_is_reshown(app, chair_client, world, totals, version):
    path = f"/threads/{world.thread.id}/edit"
    before = totals()

    response = chair_client.post(path, data=thread_form(chair_client, path, world, version=version))

    assert response.status_code == 200
    assert "There is a problem" in html(response)
    assert totals() == before


# Stages


def test_chair_moves_the_stage_through_the_form_on_the_thread_page(app, chair_client, world):
    path = f"/threads/{world.thread.id}"
    token = page_csrf(chair_client, path)

    response = chair_client.post(
        f"{path}/stage",
        data={
            "csrf_token": token,
            "stage": "negotiating",
            "note": "Met in Singapore",
            "version": str(world.thread.version),
        },
    )

    assert response.status_code == 302
    assert load_thread(app, world.thread.id).stage is Stage.NEGOTIATING
    page = html(chair_client.get(path))
    assert "Identified → Negotiating" in page
    assert "Met in Singapore" in page


def test_the_stage_form_suggests_the_next_stage(chair_client, world):
    page = html(chair_client.get(f"/threads/{world.thread.id}"))

    assert '<option selected value="outreach">Outreach</option>' in page


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        ({"stage": "closed", "note": ""}, 200, "a note is required"),
        ({"stage": "identified"}, 200, "already at the stage"),
        ({"stage": "bogus"}, 200, "Not a valid choice"),
        ({"stage": "outreach", "version": "abc"}, 200, "Not a valid integer value"),
        ({"stage": "outreach", "version": ""}, 200, "There is a problem"),
        ({"stage": "outreach", "note": "x" * 501}, 200, "500 characters"),
        ({"stage": "outreach", "version": "0"}, 409, "Someone else changed this record"),
    ],
)
def test_bad_stage_changes_are_reshown_and_write_nothing(app, chair_client, world, totals, data, status, message):
    path = f"/threads/{world.thread.id}/stage"
    form = {"csrf_token": page_csrf(chair_client, path), "version": str(world.thread.version), "note": "Kept note"}
    before = totals()

    response = chair_client.post(path, data=form | data)

    assert response.status_code == status
    assert message in html(response)
    assert totals() == before
    assert load_thread(app, world.thread.id).stage is Stage.IDENTIFIED


def test_garbage_never_gives_a_server_error(chair_client, world, totals):
    garbage = {
        "title": ["a", "b"],
        "company_ids": ["\u202e", "1e9"],
        "target_date": "9999-99-99",
        "priority": "",
        "version": "-99999999999999999999",
        "stage": "",
        "note": "\ud7ff" * 3,
    }
    before = totals()
    for path in ("/threads/new", f"/threads/{world.thread.id}/edit", f"/threads/{world.thread.id}/stage"):
        token = page_csrf(chair_client, path)
        for data in ({}, {"csrf_token": token}, garbage | {"csrf_token": token}, garbage):
            response = chair_client.post(path, data=data)
            assert response.status_code < 500, (path, data)
    assert chair_client.post("/threads/new", data={"title": "nul\x00"}).status_code == 400
    assert totals() == before


# Who may edit


@pytest.mark.parametrize("role", [Role.MEMBER, Role.OBSERVER])
def test_members_and_observers_see_threads_without_edit_controls(signed_in, world, role):
    client, _ = signed_in(role)

    board = html(client.get("/threads"))
    detail = html(client.get(f"/threads/{world.thread.id}"))

    assert "Google liaison office in Pakistan" in board
    assert "Open a thread" not in board
    assert "Google liaison office in Pakistan" in detail
    assert "Edit thread" not in detail
    assert "Change the stage" not in detail
    assert f"/threads/{world.thread.id}/stage" not in detail


@pytest.mark.parametrize("role", [Role.MEMBER, Role.OBSERVER, Role.ADMIN])
def test_members_observers_and_admins_are_refused_every_write(signed_in, world, totals, role):
    client, _ = signed_in(role)
    token = page_csrf(client, "/threads")
    base = f"/threads/{world.thread.id}"
    before = totals()

    for path in ("/threads/new", f"{base}/edit", f"{base}/stage"):
        assert client.get(path).status_code == 403
    created = client.post("/threads/new", data=thread_form(client, "/threads", world) | {"csrf_token": token})
    edited = client.post(f"{base}/edit", data=thread_form(client, "/threads", world, version="1"))
    moved = client.post(f"{base}/stage", data={"csrf_token": token, "stage": "outreach", "version": "1"})

    assert [r.status_code for r in (created, edited, moved)] == [403, 403, 403]
    assert totals() == before


def test_a_member_who_is_focal_person_gets_the_edit_controls(app, signed_in, world, seed):
    focal = seed(lambda s: make_focal_person(s))
    client, _ = signed_in(user=focal)

    detail = html(client.get(f"/threads/{world.thread.id}"))

    assert "Edit thread" in detail
    assert "Change the stage" in detail
    assert "Open a thread" in html(client.get("/threads"))
