"""Calendar feed writes: making a feed (the token shown once, only its SHA-256 kept),
revoking it, and noting when it was last fetched."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from crm.accounts.models import User
from crm.accounts.services import token_digest
from crm.audit.services import Target, record
from crm.db import utcnow
from crm.errors import Conflict, Forbidden, NotFound
from crm.feeds import policy
from crm.feeds.models import CalendarFeed
from crm.http import MAX_ID

# Calendar clients poll every few minutes: note the use (and audit it) at most once an hour.
USE_RECORD_INTERVAL = timedelta(hours=1)


def create_calendar_feed(session: Session, *, actor: User) -> tuple[CalendarFeed, str]:
    """A new feed for the actor, and its token (256 bits, URL-safe) to show once: only the
    digest is stored. One live feed per user: the previous one is revoked in the same
    transaction. Raises Forbidden (not_permitted) for users without a content role."""
    if not policy.can_have_feed(actor):
        raise Forbidden("Calendar feeds are for the people who work with the record.", code=policy.NOT_PERMITTED)
    now = utcnow()
    revoked = (
        session.execute(
            update(CalendarFeed)
            .where(CalendarFeed.user_id == actor.id, CalendarFeed.revoked_at.is_(None))
            .values(revoked_at=now)
            .returning(CalendarFeed.id)
            .execution_options(synchronize_session=False)
        )
        .scalars()
        .all()
    )
    token = secrets.token_urlsafe(32)
    feed = CalendarFeed(user_id=actor.id, token_digest=token_digest(token), created_at=now)
    session.add(feed)
    session.flush()
    record(session, actor=actor, action="calendar_feed.create", target=Target.of(feed),
           after={"user_id": actor.id, "replaced": list(revoked)})  # fmt: skip
    return feed, token


def revoke_calendar_feed(session: Session, *, actor: User, feed_id: int) -> CalendarFeed:
    """Revoke one of the actor's own feeds: its address stops working at once.

    Raises NotFound (not theirs, or unknown: ids reveal nothing), Conflict (already revoked).
    """
    feed = session.get(CalendarFeed, feed_id) if 0 < feed_id <= MAX_ID else None
    if feed is None or feed.user_id != actor.id:
        raise NotFound("There is no such calendar feed.")
    if feed.revoked_at is not None:
        raise Conflict("This feed was revoked already.", code="already_revoked")
    feed.revoked_at = utcnow()
    session.flush()
    record(session, actor=actor, action="calendar_feed.revoke", target=Target.of(feed))
    return feed


def note_feed_use(session: Session, *, feed: CalendarFeed, user: User, now: datetime) -> bool:
    """Stamp `last_used_at` and audit the fetch (a feed is an export, R8) — at most once per
    USE_RECORD_INTERVAL, so a calendar polling every five minutes does not write each time.
    Returns whether anything was written."""
    if feed.last_used_at is not None and now - feed.last_used_at < USE_RECORD_INTERVAL:
        return False
    feed.last_used_at = now
    session.flush()
    record(session, actor=user, action="calendar_feed.fetch", target=Target.of(feed))
    return True
