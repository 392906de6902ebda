"""Demo WG work: the group's first meeting (from the press release), data requests and draft reviews.

Written through the meeting, data-request and draft-review services (the same rules and audit
events as the pages). The press release does not date the first meeting beyond "on
Wednesday", after the group was notified "last week"; the demo puts it on Wednesday
13-10-2021, after the PMO letter of 04-10-2021, and says so in the record.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select

from crm.accounts.models import Clearance
from crm.datarequests.services import RequestInput, create_data_request, respond_to_data_request
from crm.db import utcnow
from crm.demo import data
from crm.directives.models import Directive
from crm.followups.services import complete_follow_up
from crm.formatting import local
from crm.meetings.services import ActionItemInput, MeetingInput, add_action_item, add_decision, record_meeting
from crm.reviews.models import ReviewStatus
from crm.reviews.services import ReviewInput, add_draft_comment, set_review_status, submit_draft_review

if TYPE_CHECKING:
    from crm.demo.cli import Demo

FIRST_MEETING_AT = datetime(2021, 10, 13, 6, 0, tzinfo=UTC)  # Wednesday 13-10-2021, 11:00 PKT (demo date)
PERMANENT_MEMBERS = ("MoIT", "MoIB", "MoLJ", "MoFA", "MoC", "FPDM", "PTA", "DMW")
AGENDA = """# Agenda

1. Purpose of the group and its terms of reference: coordinate structured engagement with social media companies.
2. Policy and legislative recommendations to encourage investment by social media companies in Pakistan, in
   compliance with government policies.
3. Data-backed policy making, in accordance with international best practices and Pakistani sensitivities.
4. Co-opted members for the next meeting.
"""
MINUTES = """The group held its first meeting under the chairmanship of the National Security Advisor.

- The chair said the main purpose of the group is seamless coordination with all relevant ministries and
  stakeholders, incorporating their input.
- He emphasised data-backed policy making in accordance with international best practices, keeping Pakistani
  sensitivities in mind.
- The spokesperson observed that weak coordination between government stakeholders had caused delays and
  confusion; the group brings them onto one platform.

*Demo record: the date of the meeting is assumed (the press release says "on Wednesday").*
"""
DECISIONS = (
    "Representatives of the State Bank of Pakistan and FBR to be called to the next meeting to give input on "
    "taxation policies regarding social media companies.",
    "The group to report to the Prime Minister on its proceedings regularly.",
)


def _today() -> date:
    return local(utcnow()).date()


def add_first_meeting(demo: Demo) -> None:
    """The first meeting of the NSMCWG, with its decisions and the action item to invite SBP and FBR."""
    secretariat = demo.users[data.SECRETARIAT]
    attendees = [data.CHAIR, data.SECRETARIAT, data.FOCAL_PERSON, "demo.moit", "demo.moib", "demo.molj",
                 "demo.mofa", "demo.pta", data.SPOKESPERSON]  # fmt: skip
    meeting = record_meeting(demo.session, actor=secretariat, data=MeetingInput(
        title="First meeting of the National Social Media Coordination Working Group", held_at=FIRST_MEETING_AT,
        location="National Security Division, Islamabad", chaired_by="National Security Advisor Dr. Moeed Yusuf",
        agenda=AGENDA, minutes=MINUTES, classification=Clearance.RESTRICTED,
        invitees="Next meeting: State Bank of Pakistan and FBR (to be called)",
        attendee_ids=[demo.users[name].id for name in attendees],
        organisation_ids=[demo.organisation_id(short) for short in (*PERMANENT_MEMBERS, "NSD")],
    ))  # fmt: skip
    for text in DECISIONS:
        add_decision(demo.session, actor=secretariat, meeting_id=meeting.id, text=text)
    invite = add_action_item(demo.session, actor=secretariat, meeting_id=meeting.id, data=ActionItemInput(
        title="Invite SBP and FBR representatives to the next meeting", assignee_id=secretariat.id,
        due_date=local(FIRST_MEETING_AT).date() + timedelta(days=7),
    ))  # fmt: skip
    complete_follow_up(demo.session, actor=secretariat, follow_up_id=invite.id, note="Invitations sent (demo).")


def _directive_id(demo: Demo, serial: str) -> int | None:
    """The PM's direction with this serial, when the reference letter is loaded (`setup`)."""
    return demo.session.scalar(select(Directive.id).where(Directive.serial == serial).order_by(Directive.id).limit(1))


def add_data_requests(demo: Demo) -> None:
    """Three requests under direction 4: one answered by MoIT, one due soon from PTA, one late from FBR."""
    secretariat, today = demo.users[data.SECRETARIAT], _today()
    direction_4 = _directive_id(demo, "4")
    answered = create_data_request(demo.session, actor=secretariat, data=RequestInput(
        requested_from_id=demo.organisation_id("MoIT"), title="Estimated users of each platform in Pakistan",
        details="Latest estimates of Pakistani users per service (YouTube, Facebook, TikTok...), with sources.",
        purpose="To weigh each company's market in the negotiations (direction 4).",
        due_date=today - timedelta(days=10), directive_id=direction_4,
    ))  # fmt: skip
    respond_to_data_request(
        demo.session, actor=demo.users["demo.moit"], request_id=answered.id,
        text="YouTube 71 million, Facebook 46 million, TikTok 18 million (demo figures, invented).",
    )  # fmt: skip
    create_data_request(demo.session, actor=secretariat, data=RequestInput(
        requested_from_id=demo.organisation_id("PTA"),
        title="Blocking and content-removal requests sent to each platform, last 12 months",
        details="Per platform and month: requests sent, complied with, pending.",
        purpose="Evidence for the compliance discussions with the companies (direction 4).",
        due_date=today + timedelta(days=3), directive_id=direction_4,
    ))  # fmt: skip
    create_data_request(demo.session, actor=secretariat, data=RequestInput(
        requested_from_id=demo.organisation_id("FBR"), title="Tax status of social media companies' Pakistan revenue",
        purpose="Input on taxation policies regarding social media companies (first meeting's decision).",
        due_date=today - timedelta(days=2),
    ))  # fmt: skip


def add_draft_reviews(demo: Demo) -> None:
    """The Law Division's draft defamation amendments (direction B) under review, and PTA-related
    rules that went forward without the group's input."""
    secretariat, today = demo.users[data.SECRETARIAT], _today()
    defamation = submit_draft_review(demo.session, actor=demo.users["demo.molj"], data=ReviewInput(
        title="Draft amendments to strengthen the defamation laws (PM's direction B)",
        originating_organisation_id=demo.organisation_id("MoLJ"),
        committee="Law Division committee on defamation laws (with a study of the UK Defamation Act)",
        version_label="Draft 1 (demo)", received_on=today - timedelta(days=12), input_due=today + timedelta(days=2),
        reviewer_ids=[demo.users[name].id for name in ("demo.moit", "demo.moib", "demo.mofa")],
    ))  # fmt: skip
    for name, text in (("demo.moib", "Align the definitions with the PEMRA framework (demo comment)."),
                       ("demo.moit", "Consider the intermediaries' liability separately (demo comment).")):  # fmt: skip
        add_draft_comment(demo.session, actor=demo.users[name], review_id=defamation.id, text=text)
    rules = submit_draft_review(demo.session, actor=secretariat, data=ReviewInput(
        title="Draft rules on removal and blocking of unlawful online content",
        originating_organisation_id=demo.organisation_id("MoIT"), committee="Rules committee (with PTA)",
        version_label="Final draft (demo)", received_on=today - timedelta(days=60),
        input_due=today - timedelta(days=45),
    ))  # fmt: skip
    set_review_status(demo.session, actor=secretariat, review_id=rules.id, version=None,
                      status=ReviewStatus.WENT_FORWARD_WITHOUT_INPUT)  # fmt: skip


def add_wg_work(demo: Demo) -> None:
    """Everything above, in order (called by `crm.demo.cli.build`)."""
    add_first_meeting(demo)
    add_data_requests(demo)
    add_draft_reviews(demo)
