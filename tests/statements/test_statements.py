"""Statements register (direction 5): drafting, R3 on issuing and withdrawing, through the
services, the pages and the API; refusals write nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from crm.accounts.models import Clearance, Role, User
from crm.audit.models import AuditEvent
from crm.designations.models import DesignationKind
from crm.designations.services import designate, end_designation
from crm.errors import Conflict, Forbidden, Invalid
from crm.statements import services
from crm.statements.models import Statement, StatementChannel, StatementStatus
from crm.statements.services import StatementInput
from tests.channel.conftest import assert_error, page_csrf
from tests.factories import make_user

TEXT = "The Government of Pakistan welcomes Google's decision to open a liaison office in Islamabad."


def draft(session, actor, **overrides) -> Statement:
    values = {"text": TEXT, "channel": StatementChannel.PRESS_RELEASE, **overrides}
    return services.draft_statement(session, actor=actor, data=StatementInput(**values))


@pytest.fixture
def people(session, world):
    """MoIT member (lead ministry, not focal), MoIB member, the spokesperson (FPDM), an MoIT observer."""
    moit = make_user(session, role=Role.MEMBER, org="MoIT", clearance=Clearance.RESTRICTED)
    moib = world.member
    spokesperson = make_user(session, role=Role.MEMBER, org="FPDM")
    designation = designate(session, actor=world.chair, kind=DesignationKind.SPOKESPERSON, user_id=spokesperson.id,
                            approval_ref="PM approval 2")  # fmt: skip
    observer = make_user(session, role=Role.OBSERVER, org="MoIT")
    return {"moit": moit, "moib": moib, "spokesperson": spokesperson, "observer": observer, "designation": designation}


def events(session) -> int:
    return len(session.scalars(select(AuditEvent.id)).all())


# Services


def test_a_member_outside_moit_drafts_but_cannot_issue_and_nothing_is_written(session, world, people):
    statement = draft(session, people["moib"], company_id=world.company.id, thread_id=world.thread.id)
    before = events(session)

    with pytest.raises(Forbidden) as refused:
        services.issue_statement(session, actor=people["moib"], statement_id=statement.id, version=statement.version)

    assert refused.value.code == "not_authorized_spokesperson"
    session.refresh(statement)
    assert (statement.status, statement.issued_by_id, statement.issued_at) == (StatementStatus.DRAFT, None, None)
    assert events(session) == before


@pytest.mark.parametrize("who", ["moit", "spokesperson"])
def test_the_lead_ministry_and_the_spokesperson_issue(session, people, who):
    statement = draft(session, people["moib"])
    issuer = people[who]

    issued = services.issue_statement(session, actor=issuer, statement_id=statement.id, version=statement.version)

    assert (issued.status, issued.issued_by_id) == (StatementStatus.ISSUED, issuer.id)
    assert issued.issued_at is not None
    last = session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
    assert (last.action, last.actor_id) == ("statement.issue", issuer.id)


def test_the_chair_outside_moit_and_a_former_spokesperson_are_refused(session, world, people):
    statement = draft(session, people["moib"])
    end_designation(session, actor=world.chair, designation_id=people["designation"].id)

    for actor in (world.chair, people["spokesperson"], people["observer"]):
        with pytest.raises(Forbidden) as refused:
            services.issue_statement(session, actor=actor, statement_id=statement.id)
        assert refused.value.code == "not_authorized_spokesperson"


def test_observers_and_admins_do_not_draft(session, world, people):
    for actor in (people["observer"], world.admin):
        with pytest.raises(Forbidden) as refused:
            draft(session, actor)
        assert refused.value.code == "not_permitted"
    assert session.scalars(select(Statement.id)).all() == []


def test_a_draft_needs_text_and_consistent_links(session, world, people):
    other = type(world.company)(name="Other platform", legal_name="")
    session.add(other)
    session.flush()
    with pytest.raises(Invalid) as invalid:
        draft(session, people["moib"], text="  ", company_id=other.id, thread_id=world.thread.id)
    assert set(invalid.value.fields) == {"text", "thread_id"}


def test_a_stale_edit_is_a_conflict_and_an_issued_statement_is_not_edited(session, people):
    statement = draft(session, people["moib"])
    version = statement.version
    services.update_draft(session, actor=people["moib"], statement_id=statement.id, version=version,
                          data=StatementInput(text="Edited", channel=StatementChannel.SOCIAL_MEDIA))  # fmt: skip

    with pytest.raises(Conflict):
        services.update_draft(session, actor=people["moit"], statement_id=statement.id, version=version,
                              data=StatementInput(text="Lost", channel=StatementChannel.INTERVIEW))  # fmt: skip
    services.issue_statement(session, actor=people["moit"], statement_id=statement.id)
    with pytest.raises(Conflict):
        services.update_draft(session, actor=people["moib"], statement_id=statement.id, version=None,
                              data=StatementInput(text="After issue", channel=StatementChannel.INTERVIEW))  # fmt: skip
    assert statement.text == "Edited"


def test_withdrawal_needs_the_same_authority_and_a_reason(session, people):
    statement = draft(session, people["moib"])
    services.issue_statement(session, actor=people["spokesperson"], statement_id=statement.id)

    with pytest.raises(Forbidden):
        services.withdraw_statement(session, actor=people["moib"], statement_id=statement.id, reason="Wrong")
    with pytest.raises(Invalid):
        services.withdraw_statement(session, actor=people["moit"], statement_id=statement.id, reason=" ")
    services.withdraw_statement(session, actor=people["moit"], statement_id=statement.id, reason="Superseded")

    assert statement.status is StatementStatus.WITHDRAWN
    last = session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
    assert (last.action, last.after["reason"]) == ("statement.withdraw", "Superseded")


# Pages and API: the committed world


@pytest.fixture
def web_people(in_app, web_world):
    def build(session):
        chair = session.get(User, web_world.chair.id)
        moit = make_user(session, role=Role.MEMBER, org="MoIT")
        spokesperson = make_user(session, role=Role.MEMBER, org="FPDM")
        designate(session, actor=chair, kind=DesignationKind.SPOKESPERSON, user_id=spokesperson.id,
                  approval_ref="PM approval 2")  # fmt: skip
        return {"moit": moit, "moib": web_world.member, "spokesperson": spokesperson}

    return in_app(build)


def drafted(in_app, author) -> Statement:
    return in_app(lambda session: draft(session, session.get(User, author.id)))


def test_the_page_refuses_a_member_outside_moit_and_writes_nothing(login, in_app, counts, web_people):
    statement = drafted(in_app, web_people["moib"])
    client = login(web_people["moib"])
    page = client.get(f"/statements/{statement.id}").get_data(as_text=True)
    assert "Issue the statement" not in page
    before = counts(Statement)

    token = page_csrf(client, "/statements")
    data = {"version": statement.version, "csrf_token": token}
    response = client.post(f"/statements/{statement.id}/issue", data=data)

    assert response.status_code == 403
    assert "Only the lead ministry (MoIT) or the designated spokesperson" in response.get_data(as_text=True)
    assert counts(Statement) == before
    assert in_app(lambda s: s.get(Statement, statement.id).status) is StatementStatus.DRAFT


@pytest.mark.parametrize("who", ["moit", "spokesperson"])
def test_the_page_lets_moit_and_the_spokesperson_issue(login, in_app, web_people, who):
    statement = drafted(in_app, web_people["moib"])
    client = login(web_people[who])
    page = client.get(f"/statements/{statement.id}").get_data(as_text=True)
    assert "Issue the statement" in page

    token = page_csrf(client, "/statements")
    data = {"version": statement.version, "csrf_token": token}
    response = client.post(f"/statements/{statement.id}/issue", data=data)

    assert response.status_code == 302
    issued = in_app(lambda s: s.get(Statement, statement.id))
    assert (issued.status, issued.issued_by_id) == (StatementStatus.ISSUED, web_people[who].id)


def test_the_draft_form_keeps_input_on_errors_then_saves(login, counts, web_people):
    client = login(web_people["moib"])
    token = page_csrf(client, "/statements/new")
    before = counts(Statement)

    shown = client.post("/statements/new", data={"text": "", "channel": "interview", "csrf_token": token})
    assert shown.status_code == 200
    assert "Write the statement" in shown.get_data(as_text=True)
    assert counts(Statement) == before

    saved = client.post("/statements/new", data={"text": TEXT, "channel": "interview", "csrf_token": token})
    assert saved.status_code == 302
    assert counts(Statement)[0] == before[0] + 1


def test_the_register_lists_filters_and_exports_with_an_audit(login, in_app, counts, web_people):
    drafted(in_app, web_people["moib"])
    client = login(web_people["moib"])
    assert TEXT[:40] in client.get("/statements").get_data(as_text=True)
    assert TEXT[:40] not in client.get("/statements?status=issued").get_data(as_text=True)
    events_before = counts()[0]

    export = client.get("/statements.csv")

    assert export.status_code == 200
    assert export.mimetype == "text/csv"
    assert TEXT in export.get_data(as_text=True)
    assert counts()[0] == events_before + 1


def test_the_api_refuses_a_member_outside_moit_and_writes_nothing(client, bearer, counts, web_people):
    headers = bearer(web_people["moib"])
    created = client.post("/api/v1/statements", json={"text": TEXT, "channel": "press_release"}, headers=headers)
    assert created.status_code == 201, created.get_data(as_text=True)
    body = created.get_json()
    before = counts(Statement)

    refused = client.post(f"/api/v1/statements/{body['id']}/issue", json={"version": body["version"]}, headers=headers)

    assert_error(refused, 403, "not_authorized_spokesperson")
    assert counts(Statement) == before
    assert client.get(f"/api/v1/statements/{body['id']}", headers=headers).get_json()["status"] == "draft"


@pytest.mark.parametrize("who", ["moit", "spokesperson"])
def test_the_api_lets_moit_and_the_spokesperson_issue(client, bearer, in_app, web_people, who):
    statement = drafted(in_app, web_people["moib"])

    issued = client.post(f"/api/v1/statements/{statement.id}/issue", json={}, headers=bearer(web_people[who]))

    assert issued.status_code == 200, issued.get_data(as_text=True)
    assert issued.get_json()["status"] == "issued"
    assert issued.get_json()["issued_by_id"] == web_people[who].id


def test_the_api_detects_stale_edits_and_bad_input(client, bearer, in_app, web_people):
    statement = drafted(in_app, web_people["moib"])
    headers = bearer(web_people["moib"])
    url = f"/api/v1/statements/{statement.id}"

    assert client.patch(url, json={"version": statement.version, "text": "New"}, headers=headers).status_code == 200
    assert_error(client.patch(url, json={"version": statement.version, "text": "Old"}, headers=headers), 409,
                 "version_conflict")  # fmt: skip
    assert_error(client.post("/api/v1/statements", json={"text": TEXT, "channel": "tv"}, headers=headers), 422,
                 "validation_failed")  # fmt: skip
    error = assert_error(client.post("/api/v1/statements", json={"text": " ", "channel": "interview"},
                                     headers=headers), 422, "validation_failed")  # fmt: skip
    assert "text" in error["fields"]
    assert client.get("/api/v1/statements?status=draft", headers=headers).get_json()["items"][0]["text"] == "New"
