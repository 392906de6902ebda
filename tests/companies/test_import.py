"""CSV import of companies and contacts: a preview that writes nothing, then one confirmed step."""

from __future__ import annotations

import io
import re

import pytest

from crm.accounts.models import Role
from crm.audit.models import AuditEvent
from crm.companies.models import Company, Health, Priority
from crm.contacts.models import Contact
from crm.organisations.queries import get_by_short_name
from tests.companies.conftest import page_csrf
from tests.companies.factories import make_company, make_contact, make_keeper

TOKEN = re.compile(r'name="token" value="([^"]+)"')


def upload(client, register: str, text: str | bytes):
    data = text.encode("utf-8") if isinstance(text, str) else text
    path = f"/{register}/import"
    form = {"file": (io.BytesIO(data), f"{register}.csv"), "csrf_token": page_csrf(client, path)}
    return client.post(path, data=form, content_type="multipart/form-data")


def confirm(client, register: str, token: str):
    path = f"/{register}/import"
    return client.post(f"{path}/confirm", data={"token": token, "csrf_token": page_csrf(client, path)})


def outcomes(page: str) -> dict[str, list[str]]:
    """Row key → [outcome, details] from the preview table."""
    found = {}
    for action, row in re.findall(r'<tr class="import-row import-row--(\w+)">(.*?)</tr>', page, re.DOTALL):
        key = re.search(r'<th scope="row">(.*?)</th>', row).group(1)
        details = re.findall(r"<td>(.*?)</td>", row, re.DOTALL)[-1]
        found.setdefault(key, [action, " ".join(re.sub(r"<[^>]+>", " ", details).split())])
    return found


COMPANIES_CSV = (
    "name,priority,health,health_reason,presence,presence_city\n"
    "TikTok,high,red,Slow on takedowns,none,\n"
    "meta,high,amber,,,\n"
    "X Corp,,,,,\n"
    "Snap,urgent,green,,,\n"
    ",low,green,,,\n"
    f"{'L' * 121},low,green,,,\n"
    "tiktok,low,green,,,\n"
    "Telegram,low,green,,branch,\n"
)


@pytest.fixture
def register(db):
    def seed(s):
        keeper = make_keeper(s)
        make_company(s, actor=keeper, name="Meta", priority=Priority.MEDIUM, health=Health.AMBER)
        make_company(s, actor=keeper, name="X Corp")

    db(seed)


def test_the_preview_classifies_every_row_and_writes_nothing(signed_in, register, snapshot_counts):
    client, _ = signed_in()
    before = snapshot_counts(Company)

    response = upload(client, "companies", COMPANIES_CSV)

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "1 to add, 1 to update, 1 unchanged, 5 rejected" in page
    rows = outcomes(page)
    assert rows["TikTok"] == ["new", ""]
    assert rows["meta"] == ["update", "Changes: priority"]
    assert rows["X Corp"] == ["unchanged", ""]
    assert rows["Snap"][0] == "rejected"
    assert "priority: use one of low, medium, high" in rows["Snap"][1]
    assert rows["(no name)"][0] == "rejected"
    assert "name is missing" in rows["(no name)"][1]
    assert rows["L" * 121][0] == "rejected"
    assert "at most 120 characters" in rows["L" * 121][1]
    assert rows["tiktok"][0] == "rejected"
    assert "repeats row 2" in rows["tiktok"][1]
    assert rows["Telegram"][0] == "rejected"
    assert "presence_city" in rows["Telegram"][1]
    assert "Confirm import" in page
    assert snapshot_counts(Company) == before


def test_confirming_applies_new_and_update_rows_in_one_step(signed_in, register, snapshot_counts, db):
    client, _ = signed_in(Role.CHAIR)
    token = TOKEN.search(upload(client, "companies", COMPANIES_CSV).get_data(as_text=True)).group(1)
    before = snapshot_counts(Company)

    response = confirm(client, "companies", token)

    assert response.status_code == 302
    listing = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Import done: 1 added, 1 updated, 1 unchanged, 5 rejected (not imported)." in listing
    assert snapshot_counts(Company) == (before[0] + 1, before[1] + 3)  # create, update, the import itself
    tiktok, meta = db(lambda s: [s.query(Company).filter_by(name=n).one() for n in ("TikTok", "Meta")])
    assert (tiktok.priority, tiktok.health, tiktok.health_reason) == (Priority.HIGH, Health.RED, "Slow on takedowns")
    assert (meta.name, meta.priority, meta.health) == ("Meta", Priority.HIGH, Health.AMBER)
    actions = db(lambda s: [e.action for e in s.query(AuditEvent).order_by(AuditEvent.seq.desc()).limit(3)])
    assert actions == ["companies.import", "company.update", "company.create"]


def test_a_tampered_preview_imports_nothing(signed_in, register, snapshot_counts):
    client, _ = signed_in()
    token = TOKEN.search(upload(client, "companies", COMPANIES_CSV).get_data(as_text=True)).group(1)
    before = snapshot_counts(Company)

    response = confirm(client, "companies", token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB"))

    assert response.status_code == 302
    assert "Nothing was imported" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert snapshot_counts(Company) == before


def test_another_users_preview_cannot_be_confirmed(signed_in, register, snapshot_counts):
    first, _ = signed_in()
    token = TOKEN.search(upload(first, "companies", COMPANIES_CSV).get_data(as_text=True)).group(1)
    second, _ = signed_in()
    before = snapshot_counts(Company)

    assert confirm(second, "companies", token).status_code == 302
    assert snapshot_counts(Company) == before


def test_a_companies_preview_cannot_be_confirmed_as_contacts(signed_in, register, snapshot_counts):
    client, _ = signed_in()
    token = TOKEN.search(upload(client, "companies", COMPANIES_CSV).get_data(as_text=True)).group(1)
    before = snapshot_counts(Company, Contact)

    confirm(client, "contacts", token)

    assert snapshot_counts(Company, Contact) == before


def test_if_the_register_changed_since_the_preview_nothing_is_written_and_it_is_shown_again(
    signed_in, register, snapshot_counts, db
):
    client, _ = signed_in()
    token = TOKEN.search(upload(client, "companies", COMPANIES_CSV).get_data(as_text=True)).group(1)
    db(lambda s: make_company(s, actor=make_keeper(s), name="TikTok"))  # someone adds it meanwhile
    before = snapshot_counts(Company)

    response = confirm(client, "companies", token)

    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "The register changed since your preview" in page
    assert outcomes(page)["TikTok"][0] == "update"
    assert snapshot_counts(Company) == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("name,colour\nMeta,blue\n", "Unknown column(s): colour"),
        ("legal_name\nMeta Inc\n", "needs the column(s): name"),
        ("name,name\nA,B\n", "Repeated column(s): name"),
        ("name\n", "no data rows"),
        ("", "no header row"),
        ("name\nM\xe9ta\n".encode("latin-1"), "not UTF-8"),
        (b"name\nA\x00B\n", "NUL"),
    ],
)
def test_a_file_that_cannot_be_read_is_explained_on_the_upload_page(signed_in, snapshot_counts, content, message):
    client, _ = signed_in()
    before = snapshot_counts(Company)

    response = upload(client, "companies", content)

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in page.replace("&#39;", "'")
    assert snapshot_counts(Company) == before


def test_the_import_page_documents_every_column(signed_in):
    from crm.companies.importing import COMPANY_COLUMNS, CONTACT_COLUMNS

    client, _ = signed_in()

    for register, columns in (("companies", COMPANY_COLUMNS), ("contacts", CONTACT_COLUMNS)):
        page = client.get(f"/{register}/import").get_data(as_text=True)
        assert all(f"<code>{name}</code>" in page for name in columns), register


@pytest.mark.parametrize("role", [Role.MEMBER, Role.OBSERVER, Role.ADMIN])
def test_only_keepers_may_import(signed_in, snapshot_counts, role):
    client, _ = signed_in(role)
    before = snapshot_counts(Company)
    token = page_csrf(client, "/companies")

    assert client.get("/companies/import").status_code == 403
    assert client.post("/companies/import/confirm", data={"token": "x", "csrf_token": token}).status_code == 403
    assert snapshot_counts(Company) == before


def test_an_exported_list_imports_back_unchanged_formulas_included(signed_in, db):
    db(
        lambda s: make_company(
            s, actor=make_keeper(s), name="Evil", legal_name='=HYPERLINK("http://x")', health_reason="+1 -2 @3"
        )
    )
    client, _ = signed_in()
    exported = client.get("/companies.csv").get_data()
    assert b"'=HYPERLINK" in exported

    page = upload(client, "companies", exported).get_data(as_text=True)

    assert outcomes(page)["Evil"] == ["unchanged", ""]
    assert "There is nothing to add or update in this file." in page


CONTACTS_CSV = (
    "company,organisation,name,title,email,valid_from\n"
    "Meta,,Sara Ahmed,Head of Policy,SARA@example.com,01-07-2024\n"
    "Meta,,Omar Sheikh,Director,omar@example.com,2024-01-15\n"
    "meta,,Bilal Raza,Counsel,,\n"
    "Nowhere Inc,,Ghost,,ghost@example.com,\n"
    "Meta,,Omar Again,,omar@example.com,\n"
    ",PTA,Asim Khan,Director Enforcement,asim@pta.gov.pk,\n"
    "Meta,PTA,Both Sides,,,\n"
    "Meta,,Bad Date,,,31-02-2024\n"
    "Meta,,Bad Mail,,not-an-email,\n"
)


def test_contacts_import_matches_by_email_or_name_and_reports_rejections(signed_in, db, snapshot_counts):
    def seed(s):
        keeper = make_keeper(s)
        meta = make_company(s, actor=keeper, name="Meta")
        make_contact(s, actor=keeper, company=meta, name="Sara A.", email="sara@example.com", title="Manager")
        make_contact(s, actor=keeper, company=meta, name="Bilal Raza", email="bilal@example.com", title="Counsel")

    db(seed)
    client, _ = signed_in()
    before = snapshot_counts(Contact)

    page = upload(client, "contacts", CONTACTS_CSV).get_data(as_text=True)

    rows = outcomes(page)
    assert rows["Meta / SARA@example.com"] == ["update", "Changes: name, title, valid_from"]
    assert rows["Meta / omar@example.com"][0] == "new"
    assert rows["Meta / Bilal Raza"] == ["unchanged", ""]
    assert "unknown company" in rows["? / ghost@example.com"][1]
    assert "PTA / asim@pta.gov.pk" in rows
    assert "not both" in rows["? / Both Sides"][1]
    assert "valid_from" in rows["Meta / Bad Date"][1]
    assert "email" in rows["Meta / not-an-email"][1]
    assert "repeats row 3" in page
    assert snapshot_counts(Contact) == before

    response = confirm(client, "contacts", TOKEN.search(page).group(1))

    assert response.status_code == 302
    assert "2 added, 1 updated, 1 unchanged, 5 rejected" in client.get(response.headers["Location"]).get_data(
        as_text=True
    )
    sara = db(lambda s: s.query(Contact).filter_by(email="sara@example.com").one())
    assert (sara.name, sara.title) == ("Sara Ahmed", "Head of Policy")
    pta = db(lambda s: get_by_short_name(s, "PTA"))
    assert db(lambda s: s.query(Contact).filter_by(organisation_id=pta.id, name="Asim Khan").count()) == 1


def test_contacts_export_defuses_formulas_and_is_audited(signed_in, db, snapshot_counts):
    db(
        lambda s: make_contact(
            s,
            actor=make_keeper(s),
            company=make_company(s, actor=make_keeper(s), name="Meta"),
            name="@SUM(1+1)*cmd",
            phone="+92 51 1234567",
        )
    )
    client, _ = signed_in(Role.MEMBER)
    before = snapshot_counts(Contact)

    text = client.get("/contacts.csv").get_data(as_text=True)

    assert "'@SUM(1+1)*cmd" in text
    assert "'+92 51 1234567" in text
    assert snapshot_counts(Contact) == (before[0], before[1] + 1)
