"""The permission matrix: every role (and the focal person) × every guarded action.

One table, read as the rules of DESIGN.md §1 and §3 say them, checked against the policy
predicates the services enforce. A change of rule shows up here as a changed cell.
"""

from __future__ import annotations

import pytest

from crm.accounts.models import Clearance, Role, User
from crm.companies.policy import can_maintain_register
from crm.contacts.policy import can_maintain_contacts
from crm.designations.policy import can_record_designation
from crm.engagements import policy as engagements
from crm.exceptions.policy import can_report, can_review
from crm.requests.policy import is_decider, request_refusal

ACTORS = ("admin", "chair", "secretariat", "member", "observer", "focal_person")
FOCAL_ID = 99

# action → the actors allowed (every other actor is refused)
MATRIX: dict[str, set[str]] = {
    "maintain register (companies, threads)": {"chair", "secretariat", "focal_person"},
    "maintain contacts": {"chair", "secretariat", "focal_person"},
    "log outbound engagement (R2)": {"focal_person"},
    "log inbound engagement (R4)": {"chair", "secretariat", "member", "focal_person"},
    "read confidential minutes (R5, no grant)": {"chair", "secretariat", "focal_person"},
    "record or end a designation (R1)": {"chair"},
    "file an engagement request": {"chair", "secretariat", "member"},
    "decide an engagement request": {"chair", "focal_person"},
    "report a channel exception": {"chair", "secretariat", "member", "focal_person"},
    "review a channel exception": {"chair"},
}


def make_actor(name: str) -> User:
    role = Role.MEMBER if name == "focal_person" else Role(name)
    user = User(username=name, full_name=name, role=role, organisation_id=1, clearance=Clearance.SECRET,
                is_active=True)  # fmt: skip
    user.id = FOCAL_ID if name == "focal_person" else ACTORS.index(name) + 1
    return user


def allowed(action: str, user: User) -> bool:
    focal = user.id == FOCAL_ID
    checks = {
        "maintain register (companies, threads)": lambda: can_maintain_register(user, is_focal_person=focal),
        "maintain contacts": lambda: can_maintain_contacts(user, is_focal_person=focal),
        "log outbound engagement (R2)": lambda: engagements.outbound_refusal(user, FOCAL_ID) is None,
        "log inbound engagement (R4)": lambda: engagements.inbound_refusal(user) is None,
        "read confidential minutes (R5, no grant)": lambda: (
            engagements.minutes_refusal(user, Clearance.CONFIDENTIAL, is_focal_person=focal, has_grant=False) is None
        ),
        "record or end a designation (R1)": lambda: can_record_designation(user),
        "file an engagement request": lambda: request_refusal(user, is_focal_person=focal) is None,
        "decide an engagement request": lambda: is_decider(user, is_focal_person=focal),
        "report a channel exception": lambda: can_report(user),
        "review a channel exception": lambda: can_review(user),
    }
    return checks[action]()


@pytest.mark.parametrize("action", list(MATRIX))
@pytest.mark.parametrize("name", ACTORS)
def test_permission_matrix(action, name):
    assert allowed(action, make_actor(name)) == (name in MATRIX[action])


@pytest.mark.parametrize("name", ACTORS)
def test_a_deactivated_account_is_refused_everything(name):
    user = make_actor(name)
    user.is_active = False
    assert not any(allowed(action, user) for action in MATRIX)


def test_without_a_focal_person_nobody_logs_outbound():
    for name in ACTORS:
        assert engagements.outbound_refusal(make_actor(name), None) == engagements.NO_FOCAL_PERSON
