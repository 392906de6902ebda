"""Contact pages: the list (current people by default), real forms, conflicts and garbage."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from crm.accounts.models import Role
from crm.companies.models import Company
from crm.companies.services import today
from crm.contacts.models import Contact
from crm.organisations.queries import get_by_short_name
from tests.companies.conftest import page_csrf
from tests.companies.factories import make_company, make_contact, make_keeper

HUGE = "x" * 200_000


@pytest.fixture
def meta(db):
    def seed(s):
        keeper = make_keeper(s)
        company = make_company(s, actor=keeper, name="Meta")
        make_contact(s, actor=keeper, company=company, name="Sara Ahmed", email="sara@example.com", title="Policy")
        make_contact(
            s,
            actor=keeper,
            company=company,
            name="Old Hand",
            valid_from=today() - timedelta(days=900),
            valid_to=today() - timedelta(days=30),
        )
        other = make_company(s, actor=keeper, name="TikTok")
        make_contact(s, actor=keeper, company=other, name="Tariq Noor")
        return company

    return db(seed)


def contact_form(client, path: str, **overrides) -> dict[str, str]:
    form = {
        "name": "Hamza Ali",
        "title": "Counsel",
        "company_id": "",
        "organisation_id": "",
        "email": "",
        "phone": "+92 51 1234567",
        "valid_from": "",
        "valid_to": "",
        "notes": "",
        "csrf_token": page_csrf(client, path),
    }
    form.update(overrides)
    return form


def test_the_list_shows_current_people_by_default(signed_in, meta):
    client, _ = signed_in(Role.MEMBER)

    current = client.get("/contacts").get_data(as_text=True)
    everyone = client.get("/contacts?all=1").get_data(as_text=True)
    of_meta = client.get(f"/contacts?company_id={meta.id}").get_data(as_text=True)

    assert "Sara Ahmed" in current
    assert "Old Hand" not in current
    assert "Old Hand" in everyone
    assert ">Past</span>" in everyone
    assert "Tariq Noor" not in of_meta
    assert "Add a contact" not in current


@pytest.mark.parametrize("query", ["company_id=abc", "company_id=99999999999999999999", "after=-3", "all=%ff"])
def test_garbage_list_arguments_are_ignored(signed_in, meta, query):
    client, _ = signed_in(Role.MEMBER)

    assert client.get(f"/contacts?{query}").status_code == 200


def test_the_profile_lists_current_contacts_first_and_marks_past_ones(signed_in, meta):
    client, _ = signed_in(Role.OBSERVER, org="PMO")

    page = client.get(f"/companies/{meta.id}").get_data(as_text=True)

    assert page.index("Sara Ahmed") < page.index("Old Hand")
    assert re.search(r"Old Hand</a>.*?Past</span>", page, re.DOTALL)


def test_a_keeper_adds_a_contact_at_a_company(signed_in, meta, snapshot_counts):
    client, _ = signed_in()
    before = snapshot_counts(Contact)
    path = f"/contacts/new?company_id={meta.id}"

    response = client.post(
        "/contacts/new", data=contact_form(client, path, company_id=str(meta.id), email="hamza@example.com")
    )

    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "<h1>Hamza Ali</h1>" in page
    assert "hamza@example.com" in page
    assert snapshot_counts(Contact) == (before[0] + 1, before[1] + 1)


def test_a_keeper_adds_an_official_of_a_government_body(signed_in, db):
    client, _ = signed_in(Role.CHAIR)
    pta = db(lambda s: get_by_short_name(s, "PTA"))

    response = client.post("/contacts/new", data=contact_form(client, "/contacts/new", organisation_id=str(pta.id)))

    assert response.status_code == 302
    assert db(lambda s: s.query(Contact).filter_by(organisation_id=pta.id, name="Hamza Ali").count()) == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({}, "Choose a company or a government body"),
        ({"company_id": "MAKE", "organisation_id": "PTA"}, "Choose a company or a government body"),
        ({"company_id": "987654"}, "Not a valid choice"),
        ({"company_id": "MAKE", "email": "nope"}, "e-mail address"),
        ({"company_id": "MAKE", "valid_from": "2024-05-01", "valid_to": "2024-04-01"}, "before the start date"),
        ({"company_id": "MAKE", "phone": "call me"}, "Use digits"),
        ({"company_id": "MAKE", "name": ""}, "Give the person&#39;s name."),
    ],
)
def test_an_invalid_contact_form_is_shown_again_and_writes_nothing(
    signed_in, meta, db, snapshot_counts, overrides, message
):
    client, _ = signed_in()
    pta = db(lambda s: get_by_short_name(s, "PTA"))
    values = {k: {"MAKE": str(meta.id), "PTA": str(pta.id)}.get(v, v) for k, v in overrides.items()}
    before = snapshot_counts(Contact)

    response = client.post("/contacts/new", data=contact_form(client, "/contacts/new", **values))

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in page
    assert 'value="Counsel"' in page
    assert snapshot_counts(Contact) == before


def test_a_stale_contact_edit_is_a_409_with_the_input_kept(signed_in, meta, db):
    sara = db(lambda s: s.query(Contact).filter_by(name="Sara Ahmed").one())
    client, _ = signed_in()
    path = f"/contacts/{sara.id}/edit"
    theirs = contact_form(client, path, name="Sara Ahmed", company_id=str(meta.id), title="Director", version="1")
    mine = {**theirs, "title": "Head of Public Policy"}
    assert client.post(path, data=theirs).status_code == 302

    response = client.post(path, data=mine)

    assert response.status_code == 409
    assert 'value="Head of Public Policy"' in response.get_data(as_text=True)
    assert db(lambda s: s.get(Contact, sara.id)).title == "Director"


@pytest.mark.parametrize("role", [Role.MEMBER, Role.OBSERVER, Role.ADMIN])
def test_readers_cannot_open_contact_forms(signed_in, meta, db, role):
    sara = db(lambda s: s.query(Contact).filter_by(name="Sara Ahmed").one())
    client, _ = signed_in(role)

    assert client.get(f"/contacts/{sara.id}").status_code == 200
    assert client.get("/contacts/new").status_code == 403
    assert client.get(f"/contacts/{sara.id}/edit").status_code == 403


GARBAGE = [
    {},
    {"name": HUGE, "notes": HUGE, "email": HUGE, "version": HUGE},
    {"company_id": "abc", "organisation_id": "-1", "valid_from": "never", "version": "x"},
    {"company_id": "9" * 5000, "organisation_id": "99999999999999999999", "version": "9" * 5000},
    {"company_id": ["1", "2"], "name": ["a", "b"], "valid_to": "0000-00-00"},
]


@pytest.mark.parametrize("payload", GARBAGE, ids=range(len(GARBAGE)))
def test_garbage_posted_to_every_contact_form_never_causes_a_server_error(signed_in, meta, db, payload):
    sara = db(lambda s: s.query(Contact).filter_by(name="Sara Ahmed").one())
    client, _ = signed_in()
    token = page_csrf(client, "/contacts/new")

    for path in ("/contacts/new", f"/contacts/{sara.id}/edit", "/contacts/import", "/contacts/import/confirm"):
        response = client.post(path, data={**payload, "csrf_token": token})
        assert response.status_code < 500, f"{path} answered {response.status_code}"


def test_an_unknown_contact_is_a_friendly_404(signed_in):
    client, _ = signed_in()

    assert client.get("/contacts/987654").status_code == 404
    assert client.get("/contacts/99999999999999999999/edit").status_code == 404


def test_the_contacts_export_honours_the_filters(signed_in, meta):
    client, _ = signed_in(Role.MEMBER)

    current = client.get(f"/contacts.csv?company_id={meta.id}").get_data(as_text=True)
    everyone = client.get(f"/contacts.csv?company_id={meta.id}&all=1").get_data(as_text=True)

    assert current.lstrip("\ufeff").startswith("Classification: UNCLASSIFIED\r\ncompany,organisation,name,title,email")
    assert "Sara Ahmed" in current
    assert "Old Hand" not in current
    assert "Old Hand" in everyone
    assert "Tariq Noor" not in everyone


def test_company_choices_list_every_company(signed_in, meta, db):
    client, _ = signed_in()

    page = client.get("/contacts/new").get_data(as_text=True)

    for company in db(lambda s: s.query(Company).all()):
        assert f">{company.name}</option>" in page
