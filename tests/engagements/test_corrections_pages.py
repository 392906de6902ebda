"""The correction form: prefilled, a reason required, version conflicts kept with the input (R7)."""

from __future__ import annotations

import re

import pytest

from crm.accounts.models import Clearance
from crm.engagements.models import EngagementRevision
from tests.conftest import sign_in
from tests.engagements.factories import log

UNESCAPE = {"&#34;": '"', "&#39;": "'", "&lt;": "<", "&gt;": ">", "&amp;": "&"}


def unescape(text):
    return re.sub("|".join(UNESCAPE), lambda m: UNESCAPE[m.group(0)], text)


def current_form(client, path):
    """The form's current values, as a browser would submit them."""
    page = client.get(path).get_data(as_text=True)
    data = {}
    form = page[page.find('<form method="post" action="/engagements/') :]
    for tag in re.findall(r"<input[^>]*>", form):
        name, value = re.search(r'name="([^"]+)"', tag), re.search(r'value="([^"]*)"', tag)
        if name and value and ('type="checkbox"' not in tag or "checked" in tag):
            data.setdefault(name.group(1), unescape(value.group(1)))
    for name, text in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>\r?\n?(.*?)</textarea>', form, re.S):
        data[name] = unescape(text)
    for name, options in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.findall(r'<option selected value="([^"]*)"|<option value="([^"]*)" selected', options)
        data[name] = [a or b for a, b in chosen] if "_ids" in name else next((a or b for a, b in chosen), "")
    return page, data


@pytest.fixture
def meeting(in_app, web_world):
    return in_app(
        lambda s: log(s, s.merge(web_world.member), web_world.company.id, classification=Clearance.CONFIDENTIAL).id
    )


def test_the_correction_form_is_prefilled_and_saves_a_revision(client, web_world, meeting, rows):
    sign_in(client, web_world.focal.username)
    page, data = current_form(client, f"/engagements/{meeting}/correct")
    assert 'value="Data localisation"' in page
    assert "Google **agreed** to revert in two weeks." in page

    data.update(subject="Data localisation and takedowns", reason="Subject was incomplete")
    response = client.post(f"/engagements/{meeting}/correct", data=data)

    assert response.status_code == 302, response.get_data(as_text=True)
    detail = client.get(f"/engagements/{meeting}").get_data(as_text=True)
    assert "Correction 1" in detail
    assert "Subject was incomplete" in detail
    assert "Changed: Subject." in detail
    assert rows(EngagementRevision) == 1


def test_a_correction_without_a_reason_is_reshown(client, web_world, meeting, rows):
    sign_in(client, web_world.focal.username)
    _, data = current_form(client, f"/engagements/{meeting}/correct")

    response = client.post(f"/engagements/{meeting}/correct", data={**data, "subject": "Kept text", "reason": ""})

    assert response.status_code == 200
    assert "Say why the record is corrected." in response.get_data(as_text=True)
    assert 'value="Kept text"' in response.get_data(as_text=True)
    assert rows(EngagementRevision) == 0


def test_a_stale_version_is_a_409_with_the_users_text_kept(app, client, web_world, meeting, rows):
    sign_in(client, web_world.focal.username)
    _, stale = current_form(client, f"/engagements/{meeting}/correct")
    other = app.test_client()
    sign_in(other, web_world.secretariat.username)
    _, fresh = current_form(other, f"/engagements/{meeting}/correct")
    assert other.post(f"/engagements/{meeting}/correct", data={**fresh, "reason": "First"}).status_code == 302

    response = client.post(
        f"/engagements/{meeting}/correct", data={**stale, "subject": "My careful wording", "reason": "Second"}
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Someone else changed this record since you opened it" in page
    assert 'value="My careful wording"' in page
    assert rows(EngagementRevision) == 1


def test_the_history_never_shows_previous_minutes_to_someone_who_may_not_read_them(client, web_world, meeting):
    sign_in(client, web_world.focal.username)
    _, data = current_form(client, f"/engagements/{meeting}/correct")
    client.post(f"/engagements/{meeting}/correct", data={**data, "minutes": "Rewritten", "reason": "Typos"})
    focal_view = client.get(f"/engagements/{meeting}").get_data(as_text=True)
    member = client.application.test_client()
    sign_in(member, web_world.member.username)

    member_view = member.get(f"/engagements/{meeting}").get_data(as_text=True)

    assert "Minutes before this correction" in focal_view
    assert "Google **agreed**" in focal_view
    assert "Changed: Minutes." in member_view
    assert "agreed" not in member_view
    assert "Rewritten" not in member_view


@pytest.mark.parametrize("who", ["member", "observer", "admin"])
def test_those_who_may_not_read_the_minutes_cannot_open_the_correction_form(client, web_world, meeting, who):
    sign_in(client, getattr(web_world, who).username)

    assert client.get(f"/engagements/{meeting}/correct").status_code == 403
    assert "Correct the record" not in client.get(f"/engagements/{meeting}").get_data(as_text=True)
