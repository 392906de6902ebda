"""Account forms: shape only. Meaning (policy, lockout) is the services' business."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length


class SignInForm(FlaskForm):
    username = StringField(
        "Username",
        validators=[DataRequired("Enter your username."), Length(max=64)],
        render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"},
    )
    password = PasswordField(
        "Password",
        validators=[DataRequired("Enter your password."), Length(max=128)],
        render_kw={"autocomplete": "current-password"},
    )
    # Rendered only when REMEMBER_ME is configured; otherwise ignored (see accounts.web).
    remember = BooleanField("Keep me signed in on this device")


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        "Current password",
        validators=[DataRequired("Enter your current password.")],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = PasswordField(
        "New password",
        validators=[DataRequired("Choose a new password."), Length(max=128)],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        "New password again",
        validators=[
            DataRequired("Type the new password again."),
            EqualTo("new_password", "The two new passwords differ."),
        ],
        render_kw={"autocomplete": "new-password"},
    )


_CODE_ATTRS = {"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false"}


class CodeForm(FlaskForm):
    """A six-digit code from the authenticator app."""

    code = StringField(
        "Code from your authenticator app",
        validators=[DataRequired("Enter the code."), Length(max=40)],
        render_kw={**_CODE_ATTRS, "inputmode": "numeric"},
    )


class VerifyForm(FlaskForm):
    """At sign-in: the app's code, or one of the recovery codes."""

    code = StringField(
        "Code from your authenticator app, or a recovery code",
        validators=[DataRequired("Enter a code."), Length(max=40)],
        render_kw=_CODE_ATTRS,
    )


class EnrolForm(CodeForm):
    # The secret being set up, encrypted and bound to the user (accounts.mfa.totp.seal_enrolment).
    enrolment = HiddenField(validators=[DataRequired(), Length(max=2000)])


class ActionForm(FlaskForm):
    """A button that posts nothing but its CSRF token."""
