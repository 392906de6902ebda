"""Calendar feed pages: /calendar to make, see and revoke one's feed; /calendar/<token>.ics,
fetched by calendar apps without a session (the token is the credential)."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from crm.accounts.models import User
from crm.accounts.services import token_digest
from crm.authz import PASSWORD_CHANGE_ENDPOINTS, actor
from crm.db import get_session, utcnow
from crm.designations.queries import focal_person_id
from crm.errors import Forbidden, NotFound
from crm.feeds import policy, queries, services
from crm.feeds.calendar import FeedItems, build_calendar
from crm.formatting import local
from crm.http import url_if_exists, writes

bp = Blueprint("feeds", __name__, url_prefix="/calendar")

PUBLIC_ENDPOINTS = {"feeds.ics"}
TOKEN_MAX = 64  # token_urlsafe(32) is 43 characters; anything much longer is not ours
PAST_DAYS, FUTURE_DAYS = 30, 90


@bp.before_request
def _guard() -> Response | None:
    """Every page but the feed itself needs a signed-in user with no pending password change."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.sign_in", next=request.full_path.rstrip("?")))
    if current_user.must_change_password and request.endpoint not in PASSWORD_CHANGE_ENDPOINTS:
        return redirect(url_for("accounts.change_password"))
    return None


class FeedForm(FlaskForm):
    """Create or revoke: only the CSRF token."""


def _subscriber() -> User:
    user = actor()
    if not policy.can_have_feed(user):
        raise Forbidden("Calendar feeds are for the people who work with the record.", code=policy.NOT_PERMITTED)
    return user


def _settings_page(user: User, *, token: str | None = None) -> str:
    feed = queries.current_feed(get_session(), user.id)
    feed_url = current_app.config["PUBLIC_URL"] + url_for("feeds.ics", token=token) if token else None
    return render_template("feeds/settings.html", feed=feed, feed_url=feed_url, form=FeedForm())


@bp.route("")
def settings() -> str:
    return _settings_page(_subscriber())


@bp.route("/new", methods=["POST"])
def create() -> Response | str:
    """Make a feed (replacing any previous one) and show its address once, on this response."""
    user = _subscriber()
    if not FeedForm().validate_on_submit():
        flash("The form expired; please try again.", "error")
        return redirect(url_for("feeds.settings"))
    session = get_session()
    _, token = services.create_calendar_feed(session, actor=user)
    session.commit()
    return _settings_page(user, token=token)


@bp.route("/<int:feed_id>/revoke", methods=["POST"])
def revoke(feed_id: int) -> Response:
    user = _subscriber()
    if FeedForm().validate_on_submit():
        session = get_session()
        services.revoke_calendar_feed(session, actor=user, feed_id=feed_id)
        session.commit()
        flash("The feed is revoked: its address no longer works.", "success")
    return redirect(url_for("feeds.settings"))


def _link(kind: str, record_id: int) -> str:
    """The absolute address of a record's page (PUBLIC_URL, since the caller is a calendar app)."""
    endpoint, param, fallback = {
        "followup": ("followups.detail", "follow_up_id", "followups.mine"),
        "commitment": ("commitments.detail", "commitment_id", "commitments.register"),
        "engagement": ("engagements.detail", "engagement_id", "engagements.index"),
    }[kind]
    path = url_if_exists(endpoint, **{param: record_id}) or url_if_exists(fallback) or "/"
    return str(current_app.config["PUBLIC_URL"]) + path


def _items(user: User) -> FeedItems:
    """What the user's feed holds now: the access rules are applied afresh at every fetch."""
    session, now = get_session(), utcnow()
    since = local(now).date() - timedelta(days=PAST_DAYS)
    sees_all = policy.sees_all_commitments(user, is_focal_person=focal_person_id(session) == user.id)
    return FeedItems(
        follow_ups=queries.follow_ups_due(session, user=user, since=since),
        commitments=queries.commitments_due(
            session, organisation_id=None if sees_all else user.organisation_id, since=since
        ),
        meetings=queries.meetings_of(
            session, user_id=user.id, since=now - timedelta(days=PAST_DAYS), until=now + timedelta(days=FUTURE_DAYS)
        ),
    )


@bp.route("/<token>.ics")
@writes
def ics(token: str) -> Response:
    """The feed. Unknown, revoked, or a deactivated (or no longer content-role) user: 404."""
    session = get_session()
    found = queries.live_feed(session, token_digest(token)) if len(token) <= TOKEN_MAX else None
    if found is None or not policy.can_have_feed(found[1]):
        raise NotFound("There is no such calendar feed.")
    feed, user = found
    body = build_calendar(_items(user), link=_link, now=utcnow())
    services.note_feed_use(session, feed=feed, user=user, now=utcnow())
    session.commit()
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Disposition"] = 'inline; filename="rabta.ics"'
    return response
