"""Notes requests (R5, R6) in a real browser, through the real pages.

A member at MoIB opens a confidential meeting the focal person recorded with Alphabet: the
minutes are withheld, with a way to request them. She asks, with a justification. The focal
person (MoIT) finds the request awaiting a decision and approves a 30-day grant. The member
then reads the minutes, rendered under the classification marking, from her request's page.
The people, the designation, the company and the meeting are arranged through the services.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from crm.accounts import services as accounts
from crm.accounts.models import Clearance, Role, User
from crm.companies.services import CompanyInput, create_company
from crm.db import get_session, utcnow
from crm.designations.models import DesignationKind
from crm.designations.services import designate
from crm.engagements.models import Direction, EngagementKind
from crm.engagements.services import EngagementInput, log_engagement
from crm.organisations.queries import get_by_short_name
from tests.browser.conftest import LiveSite
from tests.browser.test_sign_in_flow import _origin, sign_in, sign_out, watch

CHAIR = ("n.qureshi", "Nadia Qureshi", "amber meadow quiver tundra")
MEMBER = ("s.hussain", "Sana Hussain", "velvet harbour saffron kite")
FOCAL = ("f.rehman", "Faisal Rehman", "granite willow ember cobalt")
SUBJECT = "Resident compliance officer"
MINUTES = "## Outcome\n- Alphabet **agreed** to name a resident compliance officer"
WHY = "MoIB drafts the reply to the PTA and needs the company's exact commitment."


def arrange(site: LiveSite) -> None:
    """Chair (NSD), member (MoIB, Confidential), focal person (MoIT), Alphabet, and a
    confidential outbound meeting logged by the focal person: committed."""
    with site.app.app_context():
        session = get_session()
        admin = session.query(User).filter_by(username=site.server.admin_username).one()

        def person(who: tuple[str, str, str], role: Role, organisation: str, clearance: Clearance) -> User:
            org = get_by_short_name(session, organisation)
            assert org is not None
            user, _ = accounts.create_user(
                session, actor=admin, username=who[0], full_name=who[1], role=role, organisation_id=org.id,
                clearance=clearance, password=who[2],
            )  # fmt: skip
            return user

        chair = person(CHAIR, Role.CHAIR, "NSD", Clearance.SECRET)
        person(MEMBER, Role.MEMBER, "MoIB", Clearance.CONFIDENTIAL)
        focal = person(FOCAL, Role.MEMBER, "MoIT", Clearance.SECRET)
        designate(session, actor=chair, kind=DesignationKind.FOCAL_PERSON, user_id=focal.id,
                  approval_ref="PMO letter No. 1(2)/2021-NSMCWG")  # fmt: skip
        company = create_company(session, actor=chair, data=CompanyInput(name="Alphabet", legal_name="Alphabet Inc."))
        log_engagement(session, actor=focal, data=EngagementInput(
            kind=EngagementKind.MEETING, direction=Direction.OUTBOUND, occurred_at=utcnow() - timedelta(days=2),
            company_id=company.id, subject=SUBJECT, summary="Compliance officer discussed.", minutes=MINUTES,
            classification=Clearance.CONFIDENTIAL,
        ))  # fmt: skip
        session.commit()


def member_requests_the_minutes(page: Page) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Engagements").click()
    page.get_by_role("link", name=SUBJECT).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(SUBJECT)
    expect(page.get_by_test_id("minutes-withheld")).to_contain_text("The minutes are not shown to you.")
    expect(page.get_by_test_id("minutes")).to_have_count(0)

    page.get_by_role("link", name="Request the minutes", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Request the minutes")
    expect(page.get_by_text(f"“{SUBJECT}”")).to_be_visible()
    page.get_by_label("Why do you need to read these minutes?", exact=True).fill(WHY)
    page.get_by_role("button", name="Request the minutes").click()

    expect(page.get_by_role("status")).to_contain_text("Your request is filed.")
    expect(page.get_by_role("definition").filter(has_text="Pending")).to_have_count(1)


def focal_person_approves(page: Page) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Notes requests").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Notes requests")
    expect(page.get_by_role("link", name="Awaiting decision")).to_have_attribute("aria-current", "page")
    row = page.get_by_role("row").filter(has_text=MEMBER[1])
    expect(row).to_contain_text("Pending")
    row.get_by_role("link").click()
    expect(page.get_by_role("definition").filter(has_text=WHY)).to_have_count(1)
    expect(page.get_by_label("Grant for how many days?", exact=True)).to_have_value("30")
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("status")).to_contain_text("Approved")
    expect(page.get_by_role("definition").filter(has_text="Granted")).to_have_count(1)


def member_reads_the_minutes(page: Page) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Notes requests").click()
    # A member's only list is their own requests (no tabs).
    row = page.get_by_role("row").filter(has_text=SUBJECT)
    expect(row).to_contain_text("Granted")
    row.get_by_role("link").click()
    covered = page.get_by_role("table", name="Engagements whose minutes this grant covers, newest first")
    expect(covered.get_by_role("link", name=f"PDF copy of the minutes of {SUBJECT}")).to_be_visible()
    covered.get_by_role("link", name=SUBJECT, exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(SUBJECT)
    minutes = page.get_by_test_id("minutes")
    expect(minutes.get_by_role("heading", name="Outcome")).to_be_visible()
    expect(minutes.locator("strong")).to_have_text("agreed")
    expect(page.get_by_role("note", name="Classification: CONFIDENTIAL")).to_have_count(2)
    expect(page.get_by_role("link", name="Download a PDF copy of the minutes")).to_be_visible()
    expect(page.get_by_role("link", name="Correct the record")).to_have_count(0)


@pytest.mark.browser
def test_a_member_requests_notes_the_focal_person_approves_and_the_member_reads_them(
    page: Page, live_site: LiveSite
) -> None:
    base = live_site.server.url
    arrange(live_site)
    traffic = watch(page)

    page.goto(f"{base}/")
    sign_in(page, MEMBER[0], MEMBER[2])
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Welcome, {MEMBER[1]}")
    member_requests_the_minutes(page)
    sign_out(page)

    sign_in(page, FOCAL[0], FOCAL[2])
    focal_person_approves(page)
    sign_out(page)

    sign_in(page, MEMBER[0], MEMBER[2])
    member_reads_the_minutes(page)

    assert traffic.foreign_requests(_origin(base)) == []
    assert traffic.csp_violations() == []
    assert traffic.page_errors == []
