"""The single outbound channel (issue 3), in a real browser, through the real pages.

A member at MoIB tries to log an outbound meeting with Alphabet and is refused: only the
designated focal person engages the companies. The refusal keeps what they typed and links
to an engagement request, which they file. The focal person (MoIT) accepts it, which gives
them a follow-up, logs the outbound meeting with Confidential Markdown minutes and reads them
rendered under the classification marking; from Home the company's profile, with the latest
engagement, is two clicks away. The people, the designation and the company are arranged
through the services, as `setup` and the chair would have left them.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Locator, Page, expect

from crm.accounts import services as accounts
from crm.accounts.models import Clearance, Role, User
from crm.companies.services import CompanyInput, create_company
from crm.db import get_session
from crm.designations.models import DesignationKind
from crm.designations.services import designate
from crm.organisations.queries import get_by_short_name
from tests.browser.conftest import LiveSite
from tests.browser.test_sign_in_flow import _origin, sign_in, sign_out, watch

CHAIR = ("n.qureshi", "Nadia Qureshi", "amber meadow quiver tundra")
MEMBER = ("a.malik", "Ayesha Malik", "velvet harbour saffron kite")
FOCAL = ("f.rehman", "Faisal Rehman", "granite willow ember cobalt")
COMPANY = "Alphabet"
REFUSED_SUBJECT = "Local representative for YouTube"
PURPOSE = "Ask Alphabet when it will open its liaison office in Islamabad, as the working group agreed."
MEETING_SUBJECT = "Liaison office in Islamabad"
MINUTES = "## Points\n- **liaison office** timeline"


def arrange(site: LiveSite) -> None:
    """A chair at NSD, a member at MoIB, the focal person at MoIT, and Alphabet: committed."""
    with site.app.app_context():
        session = get_session()
        admin = session.query(User).filter_by(username=site.server.admin_username).one()

        def person(who: tuple[str, str, str], role: Role, organisation: str, clearance: Clearance) -> User:
            org = get_by_short_name(session, organisation)
            assert org is not None, f"reference organisation {organisation} is missing"
            username, full_name, password = who
            user, _ = accounts.create_user(
                session, actor=admin, username=username, full_name=full_name, role=role,
                organisation_id=org.id, clearance=clearance, password=password,
            )  # fmt: skip
            return user

        chair = person(CHAIR, Role.CHAIR, "NSD", Clearance.SECRET)
        person(MEMBER, Role.MEMBER, "MoIB", Clearance.RESTRICTED)
        focal = person(FOCAL, Role.MEMBER, "MoIT", Clearance.SECRET)
        designate(
            session, actor=chair, kind=DesignationKind.FOCAL_PERSON, user_id=focal.id,
            approval_ref="PMO letter No. 1(2)/2021-NSMCWG",
        )  # fmt: skip
        create_company(session, actor=chair, data=CompanyInput(name=COMPANY, legal_name="Alphabet Inc.",
                                                               hq_jurisdiction="United States"))  # fmt: skip
        session.commit()


def _top(locator: Locator) -> float:
    """Where an element starts on the rendered page (to check the order things appear in)."""
    box = locator.bounding_box()
    assert box is not None, f"{locator} is not rendered"
    return box["y"]


def open_new_engagement(page: Page) -> None:
    """Engagements → Log an engagement → choose Alphabet: the form for that company."""
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Engagements").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Engagements")
    page.get_by_role("link", name="Log an engagement").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log an engagement")
    page.get_by_label("Company", exact=True).select_option(label=COMPANY)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_label("Subject", exact=True)).to_be_visible()


def member_is_refused_and_files_a_request(page: Page, screenshot: Callable[[Page, str], None]) -> None:
    open_new_engagement(page)
    page.get_by_label("Direction", exact=True).select_option(label="Outbound — we contacted the company")
    page.get_by_label("Kind", exact=True).select_option(label="Meeting")
    page.get_by_label("Location", exact=True).fill("MoIB, Islamabad")
    page.get_by_label("Subject", exact=True).fill(REFUSED_SUBJECT)
    page.get_by_label("Summary (unclassified)", exact=True).fill("We would ask who represents YouTube here.")
    page.get_by_role("button", name="Record the engagement").click()

    refusal = page.get_by_role("alert").filter(has_text="This outbound engagement was not recorded")
    expect(refusal).to_contain_text("Only the designated focal person can record an outbound engagement.")
    expect(refusal).to_contain_text("file an engagement request to the focal person")
    expect(page.get_by_label("Subject", exact=True)).to_have_value(REFUSED_SUBJECT)
    expect(page.get_by_label("Location", exact=True)).to_have_value("MoIB, Islamabad")
    screenshot(page, "channel-refusal")

    refusal.get_by_role("link", name="File an engagement request").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ask the focal person to raise a matter")
    company = page.get_by_label("Company", exact=True)
    expect(company.locator("option:checked")).to_have_text(COMPANY)  # carried over from the refused form
    page.get_by_label("What should the focal person raise?", exact=True).fill(PURPOSE)
    page.get_by_label("Urgency", exact=True).select_option(label="Soon — within a week")
    page.get_by_role("button", name="File the request").click()

    expect(page.get_by_role("status")).to_contain_text("Your request is filed.")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Request to raise a matter with {COMPANY}")
    facts = page.get_by_role("definition")
    expect(facts.filter(has_text="Pending")).to_have_count(1)
    expect(facts.filter(has_text=PURPOSE)).to_have_count(1)
    expect(facts.filter(has_text="Soon")).to_have_count(1)
    screenshot(page, "request-pending")


def focal_person_accepts_the_request(page: Page) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Requests", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Engagement requests")
    row = page.get_by_role("row").filter(has_text=PURPOSE)
    expect(row).to_contain_text(MEMBER[1])
    expect(row).to_contain_text("Pending")
    row.get_by_role("link").click()
    page.get_by_role("button", name="Accept").click()
    expect(page.get_by_role("status")).to_contain_text("Accepted: it is now a follow-up for the focal person.")
    expect(page.get_by_role("definition").filter(has_text="Accepted")).to_have_count(1)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Follow-ups").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My follow-ups")
    follow_up = page.get_by_role("row").filter(has_text=f"Raise with {COMPANY}:")
    expect(follow_up).to_have_count(1)
    expect(follow_up).to_contain_text("Due in")
    expect(follow_up).to_contain_text("You")


def focal_person_logs_the_meeting(page: Page, screenshot: Callable[[Page, str], None]) -> None:
    open_new_engagement(page)
    page.get_by_label("Direction", exact=True).select_option(label="Outbound — we contacted the company")
    page.get_by_label("Kind", exact=True).select_option(label="Meeting")
    page.get_by_label("Location", exact=True).fill("MoIT, Islamabad")
    page.get_by_label("Subject", exact=True).fill(MEETING_SUBJECT)
    page.get_by_label("Summary (unclassified)", exact=True).fill("Alphabet gave a timeline for its office.")
    page.get_by_label("Minutes", exact=True).fill(MINUTES)
    page.get_by_label("Classification of the minutes and files", exact=True).select_option(label="Confidential")
    page.get_by_role("button", name="Record the engagement").click()

    expect(page.get_by_role("status")).to_contain_text(f"The engagement “{MEETING_SUBJECT}” is recorded.")
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(MEETING_SUBJECT)
    minutes = page.get_by_test_id("minutes")
    expect(minutes.get_by_role("heading", name="Points")).to_be_visible()
    item = minutes.get_by_role("listitem")
    expect(item).to_have_text("liaison office timeline")
    expect(item.locator("strong")).to_have_text("liaison office")
    expect(minutes).not_to_contain_text("**")  # rendered, not shown as source

    markings = page.get_by_role("note", name="Classification: CONFIDENTIAL")
    expect(markings).to_have_count(2)
    expect(markings.first).to_have_text("CONFIDENTIAL")
    expect(markings.last).to_have_text("CONFIDENTIAL")
    corrections = page.get_by_role("heading", name="Corrections")
    assert _top(markings.first) < _top(heading), "the top marking must come before the title"
    assert _top(markings.last) > _top(corrections), "the bottom marking must come after the last section"
    screenshot(page, "engagement-confidential")


def company_profile_is_two_clicks_from_home(page: Page, screenshot: Callable[[Page, str], None]) -> None:
    main_nav = page.get_by_role("navigation", name="Main")
    main_nav.get_by_role("link", name="Home").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Welcome, {FOCAL[1]}")

    main_nav.get_by_role("link", name="Companies").click()  # click 1
    page.get_by_role("link", name=COMPANY, exact=True).click()  # click 2
    expect(page.get_by_role("heading", level=1)).to_have_text(COMPANY)
    last_contact = page.get_by_role("definition").filter(has_text=MEETING_SUBJECT)
    expect(last_contact).to_contain_text("meeting, outbound")
    timeline = page.get_by_role("table", name=f"Engagements with {COMPANY}, newest first")
    latest = timeline.get_by_role("row").nth(1)  # the header is row 0
    expect(latest).to_contain_text(MEETING_SUBJECT)
    expect(latest).to_contain_text("Outbound")
    expect(latest).to_contain_text("Confidential")
    screenshot(page, "company-profile")


@pytest.mark.browser
def test_member_is_refused_outbound_and_the_focal_person_takes_the_request(
    page: Page, live_site: LiveSite, screenshot: Callable[[Page, str], None]
) -> None:
    base = live_site.server.url
    arrange(live_site)
    traffic = watch(page)

    page.goto(f"{base}/")
    sign_in(page, MEMBER[0], MEMBER[2])
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Welcome, {MEMBER[1]}")
    member_is_refused_and_files_a_request(page, screenshot)
    sign_out(page)

    sign_in(page, FOCAL[0], FOCAL[2])
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Welcome, {FOCAL[1]}")
    expect(page.get_by_text("You hold the designation of")).to_contain_text("Focal person")
    focal_person_accepts_the_request(page)
    focal_person_logs_the_meeting(page, screenshot)
    company_profile_is_two_clicks_from_home(page, screenshot)

    assert traffic.requests, "the request listener saw nothing; the origin check would be vacuous"
    assert traffic.foreign_requests(_origin(base)) == []
    assert traffic.csp_violations() == []
    assert traffic.page_errors == []
