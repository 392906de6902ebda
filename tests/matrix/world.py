"""One rich data set for the access matrix and the API fuzzer, built once per test module.

The demo data (users of every role, both designations, companies, threads, engagements,
commitments, follow-ups, the first WG meeting, data requests, draft reviews) plus what the demo
does not make: an administrator, files on every kind of record, and private records
(follow-up, engagement request, channel exception, notes request, notification, calendar feed)
owned by one member, `OWNER`, so that another member's guesses at their ids can be checked.

Engagement minutes carry `SECRET_MARKER`: it must never appear in a response to a reader R5
refuses.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from crm.accounts.models import Clearance, Role, User
from crm.accounts.services import issue_api_token
from crm.accounts.sessions.services import start_session
from crm.commitments.models import Commitment
from crm.commitments.services import attach_evidence
from crm.companies.models import Company, Service
from crm.contacts.models import Contact
from crm.datarequests.models import DataRequest
from crm.datarequests.services import attach_response_file, respond_to_data_request
from crm.db import Database, get_session, utcnow
from crm.demo import data as demo_data
from crm.demo.cli import build
from crm.designations.models import Designation, DesignationKind
from crm.directives.models import Directive, ProgressReport
from crm.directives.services import add_progress_report, load_reference_directives
from crm.engagements.models import Attachment, Direction, Engagement, EngagementKind
from crm.engagements.services import EngagementInput, add_attachment, log_engagement
from crm.exceptions.services import report_exception
from crm.feeds.services import create_calendar_feed
from crm.filters.services import save_filter
from crm.followups.services import create_follow_up
from crm.governance.services import draft_recommendation, propose_nomination
from crm.meetings.models import WGDecision, WGMeeting
from crm.notes.services import request_notes
from crm.notifications.models import NotificationKind
from crm.notifications.services import notify
from crm.requests.services import request_engagement
from crm.reviews.models import DraftReview
from crm.reviews.services import attach_draft_file
from crm.statements.models import StatementChannel
from crm.statements.services import StatementInput, draft_statement
from crm.threads.models import Thread
from tests.factories import PASSWORD, make_user

SECRET_MARKER = "ZEBRAQUARTZ"
FILTER_PAGE = "engagements.index"
OWNER = "demo.pta"  # owns the private records
# The actors of the matrix and the fuzzer: every role and both designations.
ACTORS = {
    "admin": "matrix.admin",
    "chair": demo_data.CHAIR,
    "secretariat": demo_data.SECRETARIAT,
    "member": "demo.moib",
    "observer": "demo.observer",
    "focal": demo_data.FOCAL_PERSON,
    "spokesperson": demo_data.SPOKESPERSON,
}
DEMO_ENGAGEMENTS = 12


@dataclass
class World:
    """Ids of one record of every kind, users by actor name, and their API tokens."""

    users: dict[str, User] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    ids: dict[str, int] = field(default_factory=dict)
    feed_token: str = ""

    def bearer(self, actor: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[actor]}"}


def _pdf(session: Session, name: str) -> Any:
    from crm.http import storage

    return storage().save(io.BytesIO(b"%PDF-1.4\n" + name.encode() + b"\n%%EOF\n"), name + ".pdf")


def _first(session: Session, model: Any, *conditions: Any) -> int:
    found = session.scalar(select(model.id).where(*conditions).order_by(model.id).limit(1))
    assert found is not None, f"the world has no {model.__name__}"
    return int(found)


def _secret_engagement(session: Session, users: dict[str, User], company_id: int) -> Engagement:
    data = EngagementInput(
        direction=Direction.OUTBOUND, kind=EngagementKind.MEETING, occurred_at=utcnow() - timedelta(days=2),
        company_id=company_id, subject="Liaison office terms", summary="Discussed the liaison office.",
        minutes=f"The company offered {SECRET_MARKER} terms.", classification=Clearance.CONFIDENTIAL,
    )  # fmt: skip
    return log_engagement(session, actor=users["focal"], data=data)


def _owner_records(session: Session, world: World, owner: User) -> None:
    ids = world.ids
    ids["follow_up"] = create_follow_up(
        session, actor=owner, title="Owner's own item", assignee_id=owner.id, assignee_organisation_id=None,
        due_date=None, is_outbound_action=False,
    ).id  # fmt: skip
    ids["engagement_request"] = request_engagement(
        session, actor=owner, company_id=ids["company"], purpose="Raise the takedown backlog."
    ).id
    ids["channel_exception"] = report_exception(
        session, actor=owner, company_id=ids["company"], who="A director", occurred_on=date(2021, 9, 1),
        what="Met the company outside the channel.",
    ).id  # fmt: skip
    ids["notes_request"] = request_notes(
        session, actor=owner, justification="Preparing the brief.", engagement_id=ids["engagement"]
    ).id
    ids["notification"] = (
        notify(session, user=owner, key="matrix:1", kind=NotificationKind.ALERT, title="For the owner only") or 0
    )
    feed, world.feed_token = create_calendar_feed(session, actor=owner)
    ids["calendar_feed"] = feed.id
    ids["user_session"] = start_session(session, user=owner, ip="127.0.0.1", user_agent="matrix",
                                        lifetime=timedelta(hours=8))[0].id  # fmt: skip
    ids["saved_filter"] = save_filter(session, actor=owner, page=FILTER_PAGE, name="Mine", query="status=open").id


def _files(session: Session, world: World) -> None:
    ids, users = world.ids, world.users
    ids["engagement_file"] = add_attachment(
        session, actor=users["focal"], engagement_id=ids["engagement"], stored=_pdf(session, "minutes-annex")
    ).id
    ids["evidence_file"] = attach_evidence(
        session, actor=users["chair"], commitment_id=ids["commitment"], stored=_pdf(session, "evidence")
    ).id
    ids["review_file"] = attach_draft_file(
        session, actor=users["secretariat"], review_id=ids["draft_review"], stored=_pdf(session, "draft")
    ).id
    request = session.get(DataRequest, ids["data_request"])
    assert request is not None
    responder = make_user(session, role=Role.MEMBER, org=_org_short(session, request.requested_from_id))
    response = respond_to_data_request(session, actor=responder, request_id=request.id, text="Figures attached.")
    ids["data_response_file"] = attach_response_file(
        session, actor=responder, response_id=response.id, stored=_pdf(session, "figures")
    ).id
    directive = session.get(Directive, ids["directive"])
    assert directive is not None
    report = add_progress_report(
        session, actor=users["chair"], directive_id=directive.id, organisation_id=users["chair"].organisation_id,
        text="Progress.", files=[_pdf(session, "progress")],
    )  # fmt: skip
    ids["progress_file"] = _first(session, Attachment, Attachment.progress_report_id == report.id)


def _org_short(session: Session, organisation_id: int) -> str:
    from crm.organisations.models import Organisation

    organisation = session.get(Organisation, organisation_id)
    assert organisation is not None
    return organisation.short_name


def _record_ids(session: Session, world: World) -> None:
    ids = world.ids
    ids.update(
        company=_first(session, Company), service=_first(session, Service), contact=_first(session, Contact),
        thread=_first(session, Thread), commitment=_first(session, Commitment),
        data_request=_first(session, DataRequest), draft_review=_first(session, DraftReview),
        meeting=_first(session, WGMeeting), decision=_first(session, WGDecision), directive=_first(session, Directive),
        designation=_first(session, Designation), user=world.users["member"].id,
    )  # fmt: skip
    ids["service_company"] = session.get(Service, ids["service"]).company_id  # type: ignore[union-attr]
    ids["decision_meeting"] = session.get(WGDecision, ids["decision"]).meeting_id  # type: ignore[union-attr]


def build_world(session: Session) -> World:
    """Everything above, through the real services, in the caller's transaction."""
    if not session.scalar(select(Directive.id).limit(1)):
        load_reference_directives(session)
    demo = build(session, password=PASSWORD, engagements=DEMO_ENGAGEMENTS)
    world = World()
    make_user(session, role=Role.ADMIN, org="MoIT", clearance=Clearance.SECRET, username=ACTORS["admin"])
    for actor, username in ACTORS.items():
        world.users[actor] = session.scalar(select(User).where(User.username == username))  # type: ignore[assignment]
    owner = demo.users[OWNER]
    world.users["owner"] = owner
    _record_ids(session, world)
    ids = world.ids
    ids["engagement"] = _secret_engagement(session, world.users, ids["company"]).id
    _owner_records(session, world, owner)
    _files(session, world)
    ids["statement"] = draft_statement(
        session, actor=world.users["secretariat"],
        data=StatementInput(text="Draft statement.", channel=StatementChannel.PRESS_RELEASE),
    ).id  # fmt: skip
    ids["nomination"] = propose_nomination(
        session,
        actor=world.users["secretariat"],
        kind=DesignationKind.SPOKESPERSON,
        nominee_id=world.users["member"].id,
    ).id
    ids["recommendation"] = draft_recommendation(
        session, actor=world.users["secretariat"], title="Recommendation", text="Recommend a code of conduct."
    ).id
    ids["progress_report"] = _first(session, ProgressReport)
    for actor, user in world.users.items():
        world.tokens[actor] = issue_api_token(session, actor=None, user=user, name="matrix")
    return world


@pytest.fixture(scope="module")
def module_connection(app: Flask) -> Iterator[Connection]:
    """One outer transaction for the whole module, rolled back at its end (as `connection`)."""
    db: Database = app.extensions["rabta.db"]
    connection = db.engine.connect()
    transaction = connection.begin()
    db.sessionmaker.configure(bind=connection, join_transaction_mode="create_savepoint")
    yield connection
    db.sessionmaker.configure(bind=db.engine, join_transaction_mode="conservative_savepoint")
    transaction.rollback()
    connection.close()


@pytest.fixture(scope="module")
def world(app: Flask, module_connection: Connection) -> World:
    with app.test_request_context():
        session = get_session()
        built = build_world(session)
        session.commit()
    return built


@pytest.fixture
def rolled_back(module_connection: Connection) -> Iterator[None]:
    """Whatever one test writes is undone after it, leaving the module's world as built."""
    savepoint = module_connection.begin_nested()
    yield
    if savepoint.is_active:
        savepoint.rollback()
