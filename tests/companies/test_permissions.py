"""Who keeps the register: the chair, the secretariat and the focal person; everyone else reads.

The matrix runs each write of the companies and contacts services for each kind of user.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from crm.accounts.models import Role
from crm.audit.models import AuditEvent
from crm.companies.models import AccessStatus
from crm.companies.policy import can_maintain_register, can_read_register
from crm.companies.services import (
    CompanyInput,
    ServiceInput,
    add_service,
    change_access_status,
    create_company,
    today,
    update_company,
    update_service,
)
from crm.contacts.services import ContactInput, create_contact, update_contact
from crm.designations.models import Designation
from crm.designations.services import end_designation
from crm.errors import Forbidden
from tests.companies.factories import appoint_focal_person, make_company, make_contact, make_keeper, make_service
from tests.factories import make_user

ACTIONS = {
    "create_company": lambda s, a, w: create_company(s, actor=a, data=CompanyInput(name="New Co")),
    "update_company": lambda s, a, w: update_company(
        s, actor=a, company_id=w["company"].id, version=None, data=CompanyInput(name="Meta", parent="Meta Inc.")
    ),
    "add_service": lambda s, a, w: add_service(
        s, actor=a, company_id=w["company"].id, data=ServiceInput(name="Threads")
    ),
    "update_service": lambda s, a, w: update_service(
        s, actor=a, service_id=w["service"].id, version=None, data=ServiceInput(name="Facebook Lite")
    ),
    "change_access": lambda s, a, w: change_access_status(
        s,
        actor=a,
        service_id=w["service"].id,
        version=None,
        status=AccessStatus.THROTTLED,
        started_on=today(),
        reason="PTA order",
    ),
    "create_contact": lambda s, a, w: create_contact(
        s, actor=a, data=ContactInput(name="Ali", company_id=w["company"].id)
    ),
    "update_contact": lambda s, a, w: update_contact(
        s,
        actor=a,
        contact_id=w["contact"].id,
        version=None,
        data=ContactInput(name="Sara", company_id=w["company"].id, title="Director"),
    ),
}


def events(session) -> int:
    return session.scalar(select(func.count()).select_from(AuditEvent))


@pytest.fixture
def world(session):
    keeper = make_keeper(session)
    company = make_company(session, actor=keeper, name="Meta")
    service = make_service(session, actor=keeper, company=company, name="Facebook")
    contact = make_contact(session, actor=keeper, company=company, name="Sara")
    return {"company": company, "service": service, "contact": contact}


def user_of(session, kind: str):
    if kind == "focal_person":
        member = make_user(session, role=Role.MEMBER)
        appoint_focal_person(session, member)
        return member
    role = Role(kind)
    return make_user(session, role=role, org="NSD" if role is Role.CHAIR else "MoIT")


@pytest.mark.parametrize("action", sorted(ACTIONS))
@pytest.mark.parametrize("kind", ["chair", "secretariat", "focal_person"])
def test_register_keepers_may_write(session, world, kind, action):
    actor = user_of(session, kind)
    before = events(session)

    ACTIONS[action](session, actor, world)

    assert events(session) > before


@pytest.mark.parametrize("action", sorted(ACTIONS))
@pytest.mark.parametrize("kind", ["member", "observer", "admin"])
def test_everyone_else_is_refused_and_nothing_is_written(session, world, kind, action):
    actor = user_of(session, kind)
    before = events(session)

    with pytest.raises(Forbidden) as refused:
        ACTIONS[action](session, actor, world)

    assert refused.value.code == "not_permitted"
    assert events(session) == before


def test_a_former_focal_person_loses_the_right_to_write(session, world):
    member = user_of(session, "focal_person")
    chair = make_user(session, role=Role.CHAIR, org="NSD")
    designation = session.scalar(select(Designation).where(Designation.user_id == member.id))
    end_designation(session, actor=chair, designation_id=designation.id)

    with pytest.raises(Forbidden):
        ACTIONS["create_company"](session, member, world)


@pytest.mark.parametrize("role", list(Role))
def test_everyone_active_reads_the_register(session, role):
    user = make_user(session, role=role, org="NSD" if role is Role.CHAIR else "MoIT")

    assert can_read_register(user)
    assert can_maintain_register(user, is_focal_person=False) is (role in (Role.CHAIR, Role.SECRETARIAT))
