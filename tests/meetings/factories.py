"""WG meeting test data, through the real services."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from crm.accounts.models import Clearance, User
from crm.meetings.models import WGMeeting
from crm.meetings.services import MeetingInput, record_meeting

HELD_AT = datetime(2021, 10, 13, 6, 0, tzinfo=UTC)  # 11:00 PKT


def meeting_input(**overrides: Any) -> MeetingInput:
    values: dict[str, Any] = {
        "title": "First meeting of the NSMCWG",
        "held_at": HELD_AT,
        "location": "NSD, Islamabad",
        "chaired_by": "National Security Advisor",
        "agenda": "1. Terms of reference\n2. <script>x()</script>",
        "minutes": "The chair **emphasised** data-backed policy.",
        "classification": Clearance.CONFIDENTIAL,
        "invitees": "SBP, FBR (next meeting)",
    }
    values.update(overrides)
    return MeetingInput(**values)


def make_meeting(session: Session, *, by: User, **overrides: Any) -> WGMeeting:
    return record_meeting(session, actor=session.get(User, by.id), data=meeting_input(**overrides))
