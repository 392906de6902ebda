"""Commitment test data: the people, companies and threads of the engagement tests' world,
and commitments recorded through the real service."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from crm.accounts.models import User
from crm.commitments.models import Commitment, CommitmentDirection, CommitmentStatus
from crm.commitments.queries import today
from crm.commitments.services import CommitmentInput, record_commitment, set_commitment_status

_counter = itertools.count(1)


def commitment_input(company_id: int, **overrides: Any) -> CommitmentInput:
    values: dict[str, Any] = {
        "direction": CommitmentDirection.COMPANY_TO_GOVERNMENT,
        "company_id": company_id,
        "text": f"Name a resident compliance officer ({next(_counter)}).",
        "due_date": today() + timedelta(days=10),
        "party": "Platform LLC",
    }
    values.update(overrides)
    return CommitmentInput(**values)


def make_commitment(session: Session, *, actor: User, company_id: int, **overrides: Any) -> Commitment:
    return record_commitment(session, actor=actor, data=commitment_input(company_id, **overrides))


def close(session: Session, *, actor: User, commitment: Commitment, status: CommitmentStatus) -> Commitment:
    return set_commitment_status(
        session, actor=actor, commitment_id=commitment.id, status=status, note="Letter no. 7", version=None
    )


def days(n: int) -> date:
    """Pakistan's today plus n days (negative: in the past)."""
    return today() + timedelta(days=n)
