"""Search test data: a cast with every standing and clearance that matters to R5, and records
whose guarded texts hold words found nowhere else. Everything goes through the real services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import Session

from crm.accounts.models import Clearance, Role, User
from crm.db import utcnow
from crm.engagements.models import Engagement
from crm.meetings.models import WGMeeting
from crm.statements.models import Statement, StatementChannel
from crm.statements.services import StatementInput, draft_statement
from tests.engagements.factories import World, build_world, log
from tests.factories import make_user
from tests.meetings.factories import make_meeting
from tests.notes.factories import granted

SECRET_WORD = "xylophonic"  # only in the minutes of the SECRET engagement
MEETING_WORD = "quokkarian"  # only in the minutes of the SECRET WG meeting
AGENDA_WORD = "marmalade"  # in the meeting's agenda (every content role reads it)
SUBJECT = "Liaison office timetable"
MINUTES = f"Liaison office: the company **conceded** {SECRET_WORD} terms on the timetable."


@dataclass
class Cast:
    world: World  # chair (secret), focal (confidential), member, secretariat, observer, admin (confidential)
    low: User  # a member cleared to Restricted
    cleared: User  # a member cleared to Secret, without a grant
    holder: User  # a member cleared to Secret, who will hold a live grant
    lapsed: User  # a member cleared to Secret whose grant has expired
    observer: User  # an observer cleared to Secret (reads, holds no standing)
    keeper: User  # a secretariat officer cleared to Secret


def build_cast(session: Session) -> Cast:
    secret = Clearance.SECRET
    return Cast(
        world=build_world(session),
        low=make_user(session, role=Role.MEMBER, org="MoIB", clearance=Clearance.RESTRICTED),
        cleared=make_user(session, role=Role.MEMBER, org="MoLJ", clearance=secret),
        holder=make_user(session, role=Role.MEMBER, org="MoFA", clearance=secret),
        lapsed=make_user(session, role=Role.MEMBER, org="MoC", clearance=secret),
        observer=make_user(session, role=Role.OBSERVER, org="PMO", clearance=secret),
        keeper=make_user(session, role=Role.SECRETARIAT, org="DMW", clearance=secret),
    )


def secret_engagement(session: Session, cast: Cast, **overrides) -> Engagement:
    """A SECRET inbound meeting logged by the chair, its secret word only in the minutes."""
    values = {"classification": Clearance.SECRET, "subject": SUBJECT, "summary": "Discussed the timetable.",
              "minutes": MINUTES, "thread_id": cast.world.thread.id, **overrides}  # fmt: skip
    return log(session, session.get(User, cast.world.chair.id), cast.world.company.id, **values)


def grant(session: Session, cast: Cast, requester: User, engagement: Engagement | None = None,
          *, thread: bool = False, expired: bool = False) -> None:  # fmt: skip
    """An approved notes request (by the chair): live, or approved 31 days ago for 30."""
    now = utcnow() - timedelta(days=31) if expired else utcnow()
    granted(session, requester=session.get(User, requester.id), decider=session.get(User, cast.world.chair.id),
            engagement=None if thread else engagement, thread_id=cast.world.thread.id if thread else None,
            now=now, days=30)  # fmt: skip


def secret_meeting(session: Session, cast: Cast) -> WGMeeting:
    return make_meeting(session, by=cast.world.chair, title="Second meeting of the NSMCWG",
                        agenda=f"1. The {AGENDA_WORD} question", minutes=f"Members agreed the {MEETING_WORD} plan.",
                        classification=Clearance.SECRET)  # fmt: skip


def draft(session: Session, author: User, text: str) -> Statement:
    data = StatementInput(text=text, channel=StatementChannel.PRESS_RELEASE)
    return draft_statement(session, actor=session.get(User, author.id), data=data)
