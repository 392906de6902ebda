"""The one write of the briefs: every copy (HTML or PDF) is audited as an export (R8)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from crm.accounts.models import Clearance, User
from crm.audit.services import Target, record
from crm.dashboard import policy
from crm.errors import Forbidden

NOT_PERMITTED = "not_permitted"
NOT_FOR_YOU = "The briefs are for the chair, the secretariat, observers and the focal person."


def record_brief_export(
    session: Session,
    *,
    actor: User,
    brief: str,
    fmt: str,
    marking: Clearance,
    minutes_of: list[int],
    is_focal_person: bool,
) -> None:
    """Audit one copy of a brief: which brief (`weekly`, `company:<id>`), its format, its
    marking, and the engagements whose minutes it quotes (a brief quoting minutes is a read
    of them, R8). Raises Forbidden (`not_permitted`) for readers the briefs are not for.
    """
    if not policy.sees_board(actor, is_focal_person=is_focal_person):
        raise Forbidden(NOT_FOR_YOU, code=NOT_PERMITTED)
    record(session, actor=actor, action="report.export", target=Target("reports", brief),
           after={"format": fmt, "marking": marking.value, "minutes_of": sorted(minutes_of)})  # fmt: skip
