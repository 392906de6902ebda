"""Second-factor pages: the code after the password, setting TOTP up, recovery codes, turning it off.

Routes join the accounts blueprint (endpoints `accounts.mfa_*`, which the rate limits cover).
Every response here may carry a secret, so none is ever cached.
"""

from __future__ import annotations

from flask import flash, make_response, redirect, render_template, request, url_for
from flask import session as flask_session
from markupsafe import Markup
from werkzeug.wrappers import Response

from crm.accounts import policy, web
from crm.accounts.forms import ActionForm, CodeForm, EnrolForm, VerifyForm
from crm.accounts.mfa import services as mfa_services
from crm.accounts.mfa import totp
from crm.accounts.views import bp, lockout_policy, next_page, signed_in
from crm.authz import actor
from crm.db import get_session
from crm.errors import Invalid
from crm.http import apply_field_errors, client_ip


def _no_store(html: str) -> Response:
    response = make_response(html)
    response.headers["Cache-Control"] = "no-store"
    return response


def _restart(message: str) -> Response:
    """The half-open session ended (locked): start again from the password."""
    flask_session.clear()
    flash(message, "error")
    return redirect(url_for("accounts.sign_in"))


@bp.route("/sign-in/code", methods=["GET", "POST"])
def mfa_verify() -> Response:
    found = web.current()
    if found is None or found.pending is not web.Pending.VERIFY:
        return redirect(url_for("accounts.sign_in", next=request.args.get("next")))
    form = VerifyForm()
    if form.validate_on_submit():
        session = get_session()
        result = mfa_services.pass_second_factor(
            session,
            user=found.user,
            user_session=found.row,
            code=form.code.data or "",
            secret_keys=web.secret_keys(),
            lockout=lockout_policy(),
            ip=client_ip(),
        )
        session.commit()  # failures are counted and audited too
        if result.passed:
            web.open_browser_session(result.token, found.user.session_nonce, remember=flask_session.permanent)
            return redirect(next_page())
        if found.row.ended_at is not None:
            return _restart(result.message)
        form.code.errors = [result.message]
    return _no_store(render_template("accounts/mfa_verify.html", form=form))


def _enrolment_page(form: EnrolForm, found: web.Current, secret: str | None, expired: bool) -> Response:
    """The set-up page: a new secret unless the form already carries one, as QR and text."""
    if secret is None:
        secret = totp.new_secret()
        form.enrolment.data = totp.seal_enrolment(found.user.id, secret, web.secret_keys())
        if expired:
            form.form_errors.append("That set-up page had expired. Add the new key below to your app.")
    qr = Markup(totp.qr_svg(totp.provisioning_uri(secret, found.user.username)))  # noqa: S704 (segno's own SVG)
    return _no_store(
        render_template(
            "accounts/mfa_enrol.html",
            form=form,
            qr=qr,
            secret=totp.grouped(secret),
            pending=found.pending is not web.Pending.NONE,
        )
    )


@bp.route("/account/two-step/set-up", methods=["GET", "POST"])
def mfa_enrol() -> Response:
    found = web.current()
    if found is None or found.pending is web.Pending.VERIFY:
        return redirect(url_for("accounts.sign_in", next=request.full_path.rstrip("?")))
    if policy.has_mfa(found.user):
        flash("Two-step verification is already on.", "info")
        return redirect(url_for("accounts.sessions"))
    form = EnrolForm()
    sealed = form.enrolment.data if form.is_submitted() else None
    secret = totp.open_enrolment(sealed, found.user.id, web.secret_keys()) if sealed else None
    if secret is None or not form.validate_on_submit():
        return _enrolment_page(form, found, secret, expired=bool(sealed))
    session = get_session()
    try:
        with session.begin_nested():
            codes, token = mfa_services.enable_mfa(
                session,
                actor=found.user,
                secret=secret,
                code=form.code.data or "",
                secret_keys=web.secret_keys(),
                user_session=found.row,
                ip=client_ip(),
            )
    except Invalid as error:
        apply_field_errors(form, error.fields)
        return _enrolment_page(form, found, secret, expired=False)
    session.commit()
    web.open_browser_session(token, found.user.session_nonce, remember=flask_session.permanent)
    return _no_store(render_template("accounts/recovery_codes.html", codes=codes, next_url=next_page(), new=True))


@bp.route("/account/two-step/recovery-codes", methods=["POST"])
@signed_in
def mfa_recovery_codes() -> Response:
    if not ActionForm().validate_on_submit():
        raise Invalid("The request was incomplete; reload the page and try again.")
    session = get_session()
    codes = mfa_services.regenerate_recovery_codes(session, actor=actor(), ip=client_ip())
    session.commit()
    next_url = url_for("accounts.sessions")
    return _no_store(render_template("accounts/recovery_codes.html", codes=codes, next_url=next_url, new=False))


@bp.route("/account/two-step/turn-off", methods=["GET", "POST"])
@signed_in
def mfa_disable() -> Response:
    form = CodeForm()
    if form.validate_on_submit():
        session = get_session()
        try:
            with session.begin_nested():
                mfa_services.disable_mfa(
                    session, actor=actor(), code=form.code.data or "", secret_keys=web.secret_keys(), ip=client_ip()
                )
        except Invalid as error:
            apply_field_errors(form, error.fields)
        else:
            session.commit()
            flash("Two-step verification is off.", "success")
            return redirect(url_for("accounts.sessions"))
    return _no_store(render_template("accounts/mfa_disable.html", form=form))
