"""Company pages: the register, the profile, real form submissions, conflicts and garbage."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from crm.accounts.models import Role
from crm.companies.models import Company, Health, Priority, Service, ServiceAccessPeriod
from crm.companies.services import today
from tests.companies.conftest import page_csrf
from tests.companies.factories import make_company, make_engagement, make_keeper, make_service, make_thread

HUGE = "x" * 200_000


def company_form(client, path: str, **overrides) -> dict[str, str]:
    form = {
        "name": "TikTok",
        "legal_name": "TikTok Pte. Ltd.",
        "parent": "ByteDance",
        "hq_jurisdiction": "Singapore",
        "website": "https://www.tiktok.com",
        "priority": "high",
        "health": "amber",
        "health_reason": "Slow replies",
        "presence": "none",
        "presence_city": "",
        "presence_evidence": "",
        "presence_verified_on": "",
        "pta_registration": "applied",
        "pta_evidence": "PTA letter 12/2024",
        "pta_verified_on": today().isoformat(),
        "officer_status": "not_named",
        "officer_name": "",
        "officer_evidence": "",
        "officer_verified_on": "",
        "tax_status": "registered",
        "tax_evidence": "NTN 1234",
        "tax_verified_on": "",
        "notes": "",
        "csrf_token": page_csrf(client, path),
    }
    form.update(overrides)
    return form


@pytest.fixture
def meta(db):
    """A company made by a keeper: (id, version)."""
    return db(
        lambda s: make_company(
            s,
            actor=make_keeper(s),
            name="Meta",
            priority=Priority.HIGH,
            health=Health.RED,
            health_reason="Ignores takedown requests",
        )
    )


def test_a_keeper_adds_a_company_through_the_form(signed_in, snapshot_counts):
    client, _ = signed_in(Role.SECRETARIAT)
    before = snapshot_counts(Company)

    response = client.post("/companies/new", data=company_form(client, "/companies/new"))

    assert response.status_code == 302
    profile = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "<h1>TikTok</h1>" in profile
    assert "TikTok is added to the register." in profile
    assert "PTA letter 12/2024" in profile
    assert today().strftime("%d-%m-%Y") in profile
    assert snapshot_counts(Company) == (before[0] + 1, before[1] + 1)


@pytest.mark.parametrize(
    ("overrides", "message", "kept"),
    [
        ({"name": ""}, "Give the company&#39;s name.", 'value="TikTok Pte. Ltd."'),
        ({"presence": "branch"}, "Say in which city", 'value="TikTok Pte. Ltd."'),
        ({"officer_status": "named"}, "named compliance officer", 'value="TikTok"'),
        ({"pta_verified_on": "31-31-2024"}, "Not a valid date", 'value="TikTok"'),
        ({"pta_verified_on": (today() + timedelta(days=3)).isoformat()}, "in the future", 'value="TikTok"'),
        ({"priority": "urgent"}, "Not a valid choice", 'value="TikTok"'),
        ({"name": "x" * 121}, "longer than 120", "x" * 121),
        ({"website": "ftp://x"}, "https://", 'value="ftp://x"'),
    ],
)
def test_an_invalid_company_form_is_shown_again_with_the_input_and_writes_nothing(
    signed_in, snapshot_counts, overrides, message, kept
):
    client, _ = signed_in(Role.CHAIR)
    before = snapshot_counts(Company)

    response = client.post("/companies/new", data=company_form(client, "/companies/new", **overrides))

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is a problem" in page
    assert message in page
    assert kept in page
    assert snapshot_counts(Company) == before


def test_a_duplicate_name_is_refused_beside_the_field(signed_in, meta):
    client, _ = signed_in()

    page = client.post("/companies/new", data=company_form(client, "/companies/new", name="meta")).get_data(
        as_text=True
    )

    assert "already in the register" in page
    assert 'aria-invalid="true"' in page


@pytest.mark.parametrize("role", [Role.MEMBER, Role.OBSERVER])
def test_readers_see_the_register_but_no_forms(signed_in, meta, snapshot_counts, role):
    client, _ = signed_in(role)
    before = snapshot_counts(Company)

    listing = client.get("/companies").get_data(as_text=True)
    profile = client.get(f"/companies/{meta.id}").get_data(as_text=True)

    assert "Meta" in listing
    assert "Add a company" not in listing
    assert "Edit company" not in profile
    assert client.get("/companies/new").status_code == 403
    assert client.get(f"/companies/{meta.id}/edit").status_code == 403
    token = page_csrf(client, "/companies")  # the sign-out form carries one
    assert client.post("/companies/new", data={"name": "X", "csrf_token": token}).status_code == 403
    assert snapshot_counts(Company) == before


def test_an_admin_has_no_business_with_the_register_forms(signed_in, meta):
    client, _ = signed_in(Role.ADMIN)

    assert client.get("/companies/new").status_code == 403


def test_the_list_filters_and_sorts(signed_in, db):
    def seed(s):
        keeper = make_keeper(s)
        make_company(s, actor=keeper, name="Alpha", priority=Priority.LOW, health=Health.GREEN)
        make_company(s, actor=keeper, name="Bravo", priority=Priority.HIGH, health=Health.AMBER)
        make_company(s, actor=keeper, name="Charlie", priority=Priority.HIGH, health=Health.RED, health_reason="Why")

    db(seed)
    client, _ = signed_in(Role.OBSERVER, org="PMO")

    high = client.get("/companies?priority=high").get_data(as_text=True)
    by_health = client.get("/companies?sort=health").get_data(as_text=True)
    garbage = client.get("/companies?priority=urgent&health=%00&sort=drop").status_code

    assert "Alpha" not in high
    assert "Bravo" in high
    assert "Charlie" in high
    order = [by_health.index(name) for name in ("Charlie", "Bravo", "Alpha")]
    assert order == sorted(order)
    assert ">Red</span>" in by_health
    assert garbage in (200, 400)


def test_the_list_exports_as_csv_with_its_filters_and_defused_formulas(signed_in, db, snapshot_counts):
    db(
        lambda s: make_company(
            s, actor=make_keeper(s), name="Evil", priority=Priority.HIGH, legal_name="=cmd|' /C calc'!A0"
        )
    )
    db(lambda s: make_company(s, actor=make_keeper(s), name="Calm", priority=Priority.LOW))
    client, _ = signed_in(Role.MEMBER)
    before = snapshot_counts(Company)

    response = client.get("/companies.csv?priority=high")

    text = response.get_data(as_text=True)
    assert response.mimetype == "text/csv"
    assert text.lstrip("\ufeff").startswith("Classification: UNCLASSIFIED\r\nname,legal_name,parent")
    assert "Evil,'=cmd|' /C calc'!A0" in text or "\"'=cmd|' /C calc'!A0\"" in text
    assert "Calm" not in text
    assert snapshot_counts(Company) == (before[0], before[1] + 1)  # the export is audited


def edit_path(company_id: int) -> str:
    return f"/companies/{company_id}/edit"


def test_a_keeper_edits_a_company(signed_in, meta, db):
    client, _ = signed_in()
    form = company_form(
        client,
        edit_path(meta.id),
        name="Meta",
        health="green",
        health_reason="Now responsive",
        version=str(meta.version),
    )

    response = client.post(edit_path(meta.id), data=form)

    assert response.status_code == 302
    company = db(lambda s: s.get(Company, meta.id))
    assert (company.health, company.health_reason, company.version) == (Health.GREEN, "Now responsive", 2)


def test_a_stale_edit_gets_the_conflict_page_with_the_input_kept(signed_in, meta, db):
    client, _ = signed_in()
    mine = company_form(client, edit_path(meta.id), name="Meta", health_reason="My careful words", version="1")
    theirs = company_form(client, edit_path(meta.id), name="Meta", health_reason="Their words", version="1")
    assert client.post(edit_path(meta.id), data=theirs).status_code == 302

    response = client.post(edit_path(meta.id), data=mine)

    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Someone else changed this record" in page
    assert "My careful words" in page
    assert db(lambda s: s.get(Company, meta.id)).health_reason == "Their words"
    assert re.search(r'name="version" type="hidden" value="2"|type="hidden" value="2"[^>]*name="version"', page)
    again = client.post(edit_path(meta.id), data={**mine, "version": "2"})
    assert again.status_code == 302
    assert db(lambda s: s.get(Company, meta.id)).health_reason == "My careful words"


def test_services_are_added_and_their_access_changes_are_kept_as_history(signed_in, meta, db):
    client, _ = signed_in()
    path = f"/companies/{meta.id}/services/new"
    since = (today() - timedelta(days=20)).isoformat()
    added = client.post(
        path,
        data={
            "name": "Facebook",
            "estimated_users": "48000000",
            "users_source": "PTA report",
            "users_as_of": today().isoformat(),
            "access_status": "available",
            "status_since": since,
            "csrf_token": page_csrf(client, path),
        },
    )
    assert added.status_code == 302
    service = db(lambda s: s.query(Service).filter_by(company_id=meta.id).one())
    access = f"/companies/{meta.id}/services/{service.id}/access"

    changed = client.post(
        access,
        data={
            "status": "blocked",
            "started_on": (today() - timedelta(days=2)).isoformat(),
            "reason": "PTA order 77",
            "version": str(service.version),
            "csrf_token": page_csrf(client, access),
        },
    )

    assert changed.status_code == 302
    profile = client.get(f"/companies/{meta.id}").get_data(as_text=True)
    assert "48,000,000" in profile
    assert ">Blocked</span>" in profile
    assert "PTA order 77" in profile
    assert f"Available from {(today() - timedelta(days=20)).strftime('%d-%m-%Y')}" in profile
    assert db(lambda s: s.query(ServiceAccessPeriod).filter_by(service_id=service.id).count()) == 2


def test_a_stale_access_change_is_a_409_with_the_reason_kept(signed_in, meta, db):
    service = db(
        lambda s: make_service(
            s,
            actor=make_keeper(s),
            company=s.get(Company, meta.id),
            name="Instagram",
            since=today() - timedelta(days=9),
        )
    )
    client, _ = signed_in()
    access = f"/companies/{meta.id}/services/{service.id}/access"
    form = {
        "status": "throttled",
        "started_on": today().isoformat(),
        "reason": "Bandwidth order",
        "version": "1",
        "csrf_token": page_csrf(client, access),
    }
    assert client.post(access, data=form).status_code == 302

    response = client.post(access, data={**form, "status": "blocked", "reason": "Second order"})

    assert response.status_code == 409
    assert "Second order" in response.get_data(as_text=True)


def test_a_service_of_another_company_is_not_found(signed_in, meta, db):
    other = db(lambda s: make_company(s, actor=make_keeper(s), name="X Corp"))
    service = db(lambda s: make_service(s, actor=make_keeper(s), company=s.get(Company, other.id)))
    client, _ = signed_in()

    assert client.get(f"/companies/{meta.id}/services/{service.id}/edit").status_code == 404
    assert client.get(f"/companies/{meta.id}/services/{service.id}/access").status_code == 404


def test_the_timeline_pages_newest_first_and_never_shows_minutes(signed_in, meta, db):
    def seed(s):
        member = s.get(Company, meta.id)
        logger = make_keeper(s)
        for day in range(25):
            make_engagement(
                s,
                actor=logger,
                company=member,
                subject=f"Meeting day {day:02d}",
                days_ago=day + 1,
                minutes="MINUTES-NEVER-HERE",
                summary=f"Summary {day:02d}",
            )

    db(seed)
    client, _ = signed_in(Role.MEMBER)

    first = client.get(f"/companies/{meta.id}").get_data(as_text=True)
    older_link = re.search(r'href="([^"]*before=[^"]*)"', first).group(1).replace("&amp;", "&")
    second = client.get(older_link).get_data(as_text=True)

    assert "MINUTES-NEVER-HERE" not in first + second
    assert [f"Meeting day {d:02d}" in first for d in (0, 19, 20)] == [True, True, False]
    assert first.index("Meeting day 00") < first.index("Meeting day 01")
    assert "Summary 00" in first
    assert [f"Meeting day {d:02d}" in second for d in (19, 20, 24)] == [False, True, True]
    assert "Older engagements" not in second
    assert "Back to the latest" in second


@pytest.mark.parametrize(
    "before",
    [
        "garbage",
        "x,1",
        "2024-01-01T00:00:00,abc",
        "9999-12-31T23:59:59-05:00,1",
        "2024-01-01T00:00:00,99999999999999999999",
        "2024-01-01T00:00:00,5",
    ],
)
def test_a_garbage_timeline_cursor_never_breaks_the_profile(signed_in, meta, before):
    client, _ = signed_in(Role.MEMBER)

    assert client.get(f"/companies/{meta.id}", query_string={"before": before}).status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/companies/987654",
        "/companies/99999999999999999999",
        "/companies/987654/edit",
        "/companies/987654/services/new",
        "/companies/1/services/987654/access",
    ],
)
def test_unknown_ids_are_a_friendly_404(signed_in, path):
    client, _ = signed_in()

    response = client.get(path)

    assert response.status_code == 404
    assert "Traceback" not in response.get_data(as_text=True)


GARBAGE = [
    {},
    {"name": HUGE, "notes": HUGE, "health_reason": HUGE, "version": HUGE},
    {"name": "' OR 1=1 --", "priority": "high' --", "health": "<script>", "presence": "moon"},
    {"version": "abc", "estimated_users": "lots", "started_on": "yesterday", "status": "gone"},
    {"version": "9" * 5000, "estimated_users": "9" * 5000, "users_as_of": "0000-00-00"},
    {"version": "99999999999999999999", "estimated_users": "-1", "status_since": "31-12-2024"},
    {"version": ["1", "2"], "name": ["a", "b"], "officer_is_resident": "maybe"},
    {"name": "\u202e\ufeff" * 10, "pta_verified_on": "9999-12-31", "version": "-1"},
]


def form_paths(company_id: int, service_id: int) -> list[str]:
    base = f"/companies/{company_id}"
    return [
        "/companies/new",
        f"{base}/edit",
        f"{base}/services/new",
        f"{base}/services/{service_id}/edit",
        f"{base}/services/{service_id}/access",
        "/companies/import",
        "/companies/import/confirm",
    ]


@pytest.mark.parametrize("payload", GARBAGE, ids=range(len(GARBAGE)))
def test_garbage_posted_to_every_company_form_never_causes_a_server_error(signed_in, meta, db, payload):
    service = db(lambda s: make_service(s, actor=make_keeper(s), company=s.get(Company, meta.id)))
    client, _ = signed_in()
    token = page_csrf(client, "/companies/new")

    for path in form_paths(meta.id, service.id):
        response = client.post(path, data={**payload, "csrf_token": token})
        assert response.status_code < 500, f"{path} answered {response.status_code}"


def test_an_anonymous_visitor_is_sent_to_sign_in(client, meta):
    for path in ("/companies", f"/companies/{meta.id}", "/companies.csv", "/contacts", "/companies/import"):
        response = client.get(path)
        assert response.status_code == 302
        assert "/sign-in" in response.headers["Location"]


def test_open_negotiations_link_to_their_page_when_the_threads_pages_exist(app, signed_in, meta, db):
    thread = db(lambda s: make_thread(s, actor=make_keeper(s), company=s.get(Company, meta.id), title="Liaison office"))
    client, _ = signed_in(Role.MEMBER)

    page = client.get(f"/companies/{meta.id}").get_data(as_text=True)

    assert "Liaison office" in page
    linked = f'href="/threads/{thread.id}"' in page
    assert linked is ("threads.detail" in app.view_functions)
