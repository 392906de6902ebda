"""Notes-request test data: engagements through the real services, requests and decisions too."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from crm.accounts.models import Clearance, User
from crm.engagements.models import Engagement
from crm.notes import services
from crm.notes.models import NotesRequest
from tests.engagements.factories import World, log

MINUTES = "Google **agreed** to name a resident compliance officer."
WHY = "MoIB drafts the reply to the PTA on compliance officers and needs the company's exact words."


def confidential_meeting(session: Session, world: World, **overrides) -> Engagement:
    """A confidential meeting in the world's thread, logged by the focal person."""
    values = {"classification": Clearance.CONFIDENTIAL, "minutes": MINUTES, "thread_id": world.thread.id,
              "subject": "Compliance officer", **overrides}  # fmt: skip
    return log(session, world.focal, world.company.id, **values)


def granted(session: Session, *, requester: User, decider: User, engagement: Engagement | None = None,
            thread_id: int | None = None, now: datetime | None = None, days: int = 30) -> NotesRequest:  # fmt: skip
    """A request by `requester`, approved by `decider` at `now` for `days`."""
    request = services.request_notes(
        session, actor=requester, justification=WHY, engagement_id=engagement.id if engagement else None,
        thread_id=thread_id,
    )  # fmt: skip
    return services.approve_request(session, actor=decider, request_id=request.id, days=days, now=now)
