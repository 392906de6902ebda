"""Sign-in, sign-out, password change and "Your sessions". Second-factor pages: mfa_views."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask import session as flask_session
from flask_login import current_user, logout_user
from werkzeug.wrappers import Response

from crm.accounts import policy, queries, services, useragents, web
from crm.accounts.forms import ActionForm, ChangePasswordForm, SignInForm
from crm.accounts.models import User, UserSession
from crm.accounts.sessions import services as session_services
from crm.authz import actor
from crm.db import get_session, utcnow
from crm.errors import Invalid
from crm.http import apply_field_errors, client_ip, safe_next

bp = Blueprint("accounts", __name__)
bp.before_app_request(web.load_early)
F = TypeVar("F", bound=Callable[..., Any])

# flask-login's user loader (registered by crm.create_app).
load_user_from_session = web.load_user

bp.add_app_template_filter(useragents.describe, "browser")
PENDING_ENDPOINTS = {web.Pending.VERIFY: "accounts.mfa_verify", web.Pending.ENROL: "accounts.mfa_enrol"}


def signed_in(view: F) -> F:
    """This blueprint's pages (other than sign-in) need a fully signed-in user."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return redirect(url_for("accounts.sign_in", next=request.full_path.rstrip("?")))
        if current_user.must_change_password and request.endpoint != "accounts.change_password":
            return redirect(url_for("accounts.change_password"))
        return view(*args, **kwargs)

    return cast(F, wrapper)


def lockout_policy() -> services.LockoutPolicy:
    config = current_app.config
    return services.LockoutPolicy(config["LOCKOUT_THRESHOLD"], config["LOCKOUT_MINUTES"])


def next_page() -> str:
    return safe_next(request.args.get("next"), url_for("dashboard.home"))


def _continue_sign_in(user_session: UserSession, user: User) -> Response:
    """After the password: to the second-factor step when one is due, else where they were going."""
    if user_session.mfa_passed_at is None:
        endpoint = "accounts.mfa_verify" if policy.has_mfa(user) else "accounts.mfa_enrol"
        return redirect(url_for(endpoint, next=request.args.get("next")))
    return redirect(next_page())


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> Response | str:
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.home"))
    if step := web.pending():
        return redirect(url_for(PENDING_ENDPOINTS[step], next=request.args.get("next")))
    form = SignInForm()
    if form.validate_on_submit():
        session = get_session()
        result = services.authenticate(
            session,
            username=form.username.data or "",
            password=form.password.data or "",
            ip=client_ip(),
            lockout=lockout_policy(),
        )
        if result.user is not None:
            user_session, token = session_services.start_session(
                session, user=result.user, ip=client_ip(), user_agent=request.user_agent.string, lifetime=web.lifetime()
            )
        session.commit()  # failures are counted and audited too
        if result.user is not None:
            web.open_browser_session(token, result.user.session_nonce, remember=bool(form.remember.data))
            return _continue_sign_in(user_session, result.user)
        form.form_errors.append(result.message)
    return render_template("accounts/sign_in.html", form=form, offer_remember=current_app.config["REMEMBER_ME"])


@bp.route("/sign-out", methods=["POST"])
def sign_out() -> Response:
    found = web.current()  # a half-signed-in browser may cancel too
    if found is not None:
        session = get_session()
        services.sign_out(session, user=found.user, user_session=found.row, ip=client_ip())
        session.commit()
    logout_user()
    flask_session.clear()
    flash("You are signed out.", "info")
    return redirect(url_for("accounts.sign_in"))


@bp.route("/account/password", methods=["GET", "POST"])
@signed_in
def change_password() -> Response | str:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        session = get_session()
        found = cast(web.Current, web.current())
        try:
            with session.begin_nested():
                services.change_password(
                    session,
                    actor=actor(),
                    current_password=form.current_password.data or "",
                    new_password=form.new_password.data or "",
                    keep_session_id=found.row.id,
                )
        except Invalid as error:
            apply_field_errors(form, error.fields)
        else:
            session.commit()
            # The nonce changed (every other cookie died): this browser's cookie gets the new one.
            web.open_browser_session(web.cookie_token(), actor().session_nonce, remember=flask_session.permanent)
            flash("Your password is changed. Other sessions were signed out.", "success")
            return redirect(url_for("dashboard.home"))
    return render_template("accounts/change_password.html", form=form, pending=actor().must_change_password)


@bp.route("/account/sessions")
@signed_in
def sessions() -> str:
    session, now = get_session(), utcnow()
    found = cast(web.Current, web.current())
    user = actor()
    return render_template(
        "accounts/sessions.html",
        sessions=queries.live_sessions(session, user.id, now=now, idle_cutoff=now - web.idle_timeout()),
        current_id=found.row.id,
        has_mfa=policy.has_mfa(user),
        mfa_required=policy.mfa_required(user, holds_designation=found.holds_designation),
        codes_left=queries.count_unused_recovery_codes(session, user.id) if policy.has_mfa(user) else 0,
        action_form=ActionForm(),
    )


@bp.route("/account/sessions/<int:session_id>/end", methods=["POST"])
@signed_in
def end_session(session_id: int) -> Response:
    if not ActionForm().validate_on_submit():
        raise Invalid("The request was incomplete; reload the page and try again.")
    session = get_session()
    session_services.end_own_session(session, actor=actor(), session_id=session_id, ip=client_ip())
    session.commit()
    flash("That session is signed out.", "success")
    return redirect(url_for("accounts.sessions"))


@bp.route("/account/sessions/end-others", methods=["POST"])
@signed_in
def end_other_sessions() -> Response:
    if not ActionForm().validate_on_submit():
        raise Invalid("The request was incomplete; reload the page and try again.")
    session = get_session()
    found = cast(web.Current, web.current())
    ended = session_services.end_other_sessions(session, actor=actor(), current_session_id=found.row.id, ip=client_ip())
    session.commit()
    flash(f"Signed out everywhere else ({ended} other session{'s' if ended != 1 else ''}).", "success")
    return redirect(url_for("accounts.sessions"))


from crm.accounts import mfa_views  # noqa: E402, F401  (its routes join this blueprint)
