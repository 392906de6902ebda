"""Sign-in, sign-out and password change."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask import session as flask_session
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from crm.accounts import queries, services
from crm.accounts.forms import ChangePasswordForm, SignInForm
from crm.accounts.models import User
from crm.authz import actor, remember_viewer
from crm.db import get_session
from crm.errors import Invalid
from crm.http import apply_field_errors, client_ip, safe_next

bp = Blueprint("accounts", __name__)


def load_user_from_session(session_id: str) -> User | None:
    """flask-login loader: the id is "<user id>:<nonce>"; a rotated nonce ends the session."""
    user_id, _, nonce = session_id.partition(":")
    if not user_id.isdigit() or not nonce:
        return None
    user = queries.user_for_session(get_session(), int(user_id), nonce)
    if user is not None:
        remember_viewer(user)
    return user


def _lockout() -> services.LockoutPolicy:
    config = current_app.config
    return services.LockoutPolicy(config["LOCKOUT_THRESHOLD"], config["LOCKOUT_MINUTES"])


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> Response | str:
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.home"))
    form = SignInForm()
    if form.validate_on_submit():
        session = get_session()
        result = services.authenticate(
            session,
            username=form.username.data or "",
            password=form.password.data or "",
            ip=client_ip(),
            lockout=_lockout(),
        )
        session.commit()  # failures are counted and audited too
        if result.user is not None:
            flask_session.clear()  # a fresh session at sign-in: nothing from before carries over
            login_user(result.user)
            return redirect(safe_next(request.args.get("next"), url_for("dashboard.home")))
        form.form_errors.append(result.message)
    return render_template("accounts/sign_in.html", form=form)


@bp.route("/sign-out", methods=["POST"])
def sign_out() -> Response:
    if current_user.is_authenticated:
        session = get_session()
        services.sign_out(session, user=actor(), ip=client_ip())
        session.commit()
    logout_user()
    flash("You are signed out.", "info")
    return redirect(url_for("accounts.sign_in"))


@bp.route("/account/password", methods=["GET", "POST"])
def change_password() -> Response | str:
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.sign_in", next=request.path))
    form = ChangePasswordForm()
    if form.validate_on_submit():
        session = get_session()
        try:
            with session.begin_nested():
                services.change_password(
                    session,
                    actor=actor(),
                    current_password=form.current_password.data or "",
                    new_password=form.new_password.data or "",
                )
        except Invalid as error:
            apply_field_errors(form, error.fields)
        else:
            session.commit()
            login_user(actor())  # the nonce changed: re-issue this browser's session id
            flash("Your password is changed. Other sessions were signed out.", "success")
            return redirect(url_for("dashboard.home"))
    return render_template("accounts/change_password.html", form=form, pending=actor().must_change_password)
