"""Reading calendar feeds and what goes in them. Every item list is one query returning plain
rows (no ORM objects to lazy-load), capped, so a fetch costs the same few statements."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.accounts.models import Clearance, User
from crm.commitments.models import Commitment, CommitmentStatus
from crm.companies.models import Company
from crm.engagements.models import Engagement, engagement_users
from crm.feeds.models import CalendarFeed
from crm.followups.models import FollowUp, FollowUpStatus
from crm.followups.queries import owned_by

# A calendar is for what is coming: at most this many items of each kind, nearest first.
ITEM_LIMIT = 1000


def live_feed(session: Session, digest: str) -> tuple[CalendarFeed, User] | None:
    """The unrevoked feed with this token digest and its user, if that user is active."""
    row = session.execute(
        select(CalendarFeed, User)
        .join(User, User.id == CalendarFeed.user_id)
        .where(CalendarFeed.token_digest == digest, CalendarFeed.revoked_at.is_(None), User.is_active)
    ).first()
    return (row[0], row[1]) if row else None


def current_feed(session: Session, user_id: int) -> CalendarFeed | None:
    """The user's live feed (there is at most one), or None."""
    return session.scalar(
        select(CalendarFeed)
        .where(CalendarFeed.user_id == user_id, CalendarFeed.revoked_at.is_(None))
        .order_by(CalendarFeed.id.desc())
        .limit(1)
    )


@dataclass(frozen=True)
class DueItem:
    """A follow-up or commitment in a feed: its number, due date and (commitments) company."""

    id: int
    due_date: date
    company: str = ""


@dataclass(frozen=True)
class Meeting:
    """An engagement in a feed. The subject is for unclassified engagements only (the feed
    decides); minutes and summary are never read."""

    id: int
    occurred_at: datetime
    company: str
    subject: str
    classification: Clearance


def follow_ups_due(session: Session, *, user: User, since: date) -> list[DueItem]:
    """The user's open follow-ups (theirs and their organisation's queue) due on or after `since`."""
    query = (
        select(FollowUp.id, FollowUp.due_date)
        .where(owned_by(user), FollowUp.status == FollowUpStatus.OPEN, FollowUp.due_date >= since)
        .order_by(FollowUp.due_date, FollowUp.id)
        .limit(ITEM_LIMIT)
    )
    return [DueItem(row.id, row.due_date) for row in session.execute(query)]


def commitments_due(session: Session, *, organisation_id: int | None, since: date) -> list[DueItem]:
    """Open commitments due on or after `since`: all of them, or (given an organisation) those
    that organisation must deliver."""
    query = (
        select(Commitment.id, Commitment.due_date, Company.name)
        .join(Company, Company.id == Commitment.company_id)
        .where(Commitment.status == CommitmentStatus.OPEN, Commitment.due_date >= since)
        .order_by(Commitment.due_date, Commitment.id)
        .limit(ITEM_LIMIT)
    )
    if organisation_id is not None:
        query = query.where(Commitment.organisation_id == organisation_id)
    return [DueItem(row.id, row.due_date, row.name) for row in session.execute(query)]


def meetings_of(session: Session, *, user_id: int, since: datetime, until: datetime) -> list[Meeting]:
    """Engagements between `since` and `until` in which the user was a government participant."""
    query = (
        select(Engagement.id, Engagement.occurred_at, Company.name, Engagement.subject, Engagement.classification)
        .join(engagement_users, engagement_users.c.engagement_id == Engagement.id)
        .join(Company, Company.id == Engagement.company_id)
        .where(engagement_users.c.user_id == user_id, Engagement.occurred_at >= since, Engagement.occurred_at < until)
        .order_by(Engagement.occurred_at, Engagement.id)
        .limit(ITEM_LIMIT)
    )
    return [Meeting(*row) for row in session.execute(query)]
