"""Reading nominations and recommendations (a handful of rows each: the group's decisions)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, raiseload

from crm.accounts.models import User
from crm.governance.models import Nomination, Recommendation
from crm.http import MAX_ID
from crm.meetings.models import WGMeeting


def list_nominations(session: Session, *, after_id: int | None = None, limit: int = 200) -> list[Nomination]:
    """Nominations by id, each with its nominee and the nominee's organisation."""
    query = select(Nomination).options(joinedload(Nomination.nominee).joinedload(User.organisation), raiseload("*"))
    if after_id is not None:
        query = query.where(Nomination.id > after_id)
    return list(session.scalars(query.order_by(Nomination.id).limit(limit)))


def get_nomination(session: Session, nomination_id: int) -> Nomination | None:
    """One nomination with its nominee (None when unknown or out of range)."""
    if not 0 < nomination_id <= MAX_ID:
        return None
    query = select(Nomination).options(joinedload(Nomination.nominee).joinedload(User.organisation))
    return session.scalar(query.where(Nomination.id == nomination_id))


def nominations_by_designation(session: Session, designation_ids: list[int]) -> dict[int, int]:
    """Designation id -> the nomination that led to it, for the designation history page."""
    if not designation_ids:
        return {}
    query = select(Nomination.designation_id, Nomination.id).where(Nomination.designation_id.in_(designation_ids))
    return {row[0]: row[1] for row in session.execute(query) if row[0] is not None}


def list_recommendations(session: Session, *, after_id: int | None = None, limit: int = 200) -> list[Recommendation]:
    """Recommendations by id."""
    query = select(Recommendation).options(raiseload("*"))
    if after_id is not None:
        query = query.where(Recommendation.id > after_id)
    return list(session.scalars(query.order_by(Recommendation.id).limit(limit)))


def get_recommendation(session: Session, recommendation_id: int) -> Recommendation | None:
    """One recommendation (None when unknown or out of range)."""
    return session.get(Recommendation, recommendation_id) if 0 < recommendation_id <= MAX_ID else None


def meeting_choices(session: Session) -> list[tuple[int, str]]:
    """(id, title) of the WG meetings, newest first."""
    query = select(WGMeeting.id, WGMeeting.title).order_by(WGMeeting.held_at.desc(), WGMeeting.id.desc())
    return [(row[0], row[1]) for row in session.execute(query)]


def meeting_titles(session: Session, ids: set[int]) -> dict[int, str]:
    """Titles of these WG meetings, by id."""
    if not ids:
        return {}
    return {
        row[0]: row[1] for row in session.execute(select(WGMeeting.id, WGMeeting.title).where(WGMeeting.id.in_(ids)))
    }
