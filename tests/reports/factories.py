"""Engagements whose minutes hold a secret word, at each classification."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from crm.accounts.models import Clearance
from crm.db import utcnow
from crm.engagements.models import Engagement
from tests.engagements.factories import World, log

SECRET_WORD = "ZEBRAQUILL"  # in the minutes of a SECRET meeting
CONFIDENTIAL_WORD = "OKAPIMARBLE"  # in the minutes of a CONFIDENTIAL meeting


def secret_meeting(session: Session, world: World, *, at: datetime | None = None) -> Engagement:
    """Logged by the chair (cleared SECRET): only SECRET-cleared readers with need to know see it."""
    return log(session, world.chair, world.company.id, classification=Clearance.SECRET, subject="Liaison office terms",
               summary="Terms of the liaison office were discussed.", thread_id=world.thread.id,
               minutes=f"The company offered {SECRET_WORD} as its final position.",
               occurred_at=at or utcnow() - timedelta(days=1), needs_no_response=True)  # fmt: skip


def confidential_meeting(session: Session, world: World) -> Engagement:
    return log(session, world.focal, world.company.id, classification=Clearance.CONFIDENTIAL,
               subject="Compliance officer", minutes=f"They named {CONFIDENTIAL_WORD} as officer.",
               occurred_at=utcnow() - timedelta(days=2), needs_no_response=True)  # fmt: skip
