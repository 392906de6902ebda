"""Data for the job tests: people, follow-ups and commitments through the real services.

Companies come from the channel factories (added directly: the architecture rule is about
crm/). Statuses and e-mail addresses are set directly where no service exists for a test's
shortcut (an address on a factory user, a follow-up closed long ago).
"""

from __future__ import annotations

import itertools
from datetime import date

from sqlalchemy import update
from sqlalchemy.orm import Session

from crm.accounts.models import Role, User
from crm.commitments.models import Commitment, CommitmentDirection
from crm.commitments.services import CommitmentInput, record_commitment
from crm.companies.models import Company
from crm.followups.models import FollowUp, FollowUpStatus
from crm.organisations.queries import get_by_short_name
from tests.channel.factories import make_follow_up
from tests.factories import make_user

_counter = itertools.count(1)


def person(session: Session, *, role: Role = Role.MEMBER, org: str = "MoIT", email: bool = True, **kwargs) -> User:
    """A user, with an e-mail address unless `email=False`."""
    user = make_user(session, role=role, org=org, **kwargs)
    if email:
        user.email = f"{user.username}@example.gov.pk"
        session.flush()
    return user


def deactivate(session: Session, user: User) -> None:
    session.execute(update(User).where(User.id == user.id).values(is_active=False))


def organisation_id(session: Session, short_name: str) -> int:
    organisation = get_by_short_name(session, short_name)
    assert organisation is not None
    return organisation.id


def follow_up(session: Session, *, due: date, assignee: User | None = None, org: str | None = None) -> FollowUp:
    return make_follow_up(
        session, assignee=assignee, organisation_id=organisation_id(session, org) if org else None, due=due,
        title=f"Send the draft rules to the company ({next(_counter)})",
    )  # fmt: skip


def close_follow_up(session: Session, item: FollowUp) -> None:
    session.execute(update(FollowUp).where(FollowUp.id == item.id).values(status=FollowUpStatus.DONE))


def commitment(
    session: Session,
    *,
    keeper: User,
    company: Company,
    due: date,
    direction: CommitmentDirection = CommitmentDirection.COMPANY_TO_GOVERNMENT,
    org: str | None = None,
    text: str = "Open a liaison office in Islamabad (SECRET detail that must never leave Rabta).",
) -> Commitment:
    data = CommitmentInput(
        direction=direction, company_id=company.id, text=text, due_date=due,
        organisation_id=organisation_id(session, org) if org else None,
    )  # fmt: skip
    return record_commitment(session, actor=keeper, data=data)
