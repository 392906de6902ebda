"""Admin forms: shape only."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from crm.accounts.models import Clearance, Role


class CreateUserForm(FlaskForm):
    username = StringField(
        "Username",
        validators=[DataRequired("Choose a username."), Length(min=3, max=64)],
        render_kw={
            "autocomplete": "off",
            "autocapitalize": "none",
            "spellcheck": "false",
        },
    )
    full_name = StringField(
        "Full name",
        validators=[DataRequired("Enter the person's full name."), Length(max=200)],
        render_kw={"autocomplete": "off"},
    )
    email = EmailField(
        "E-mail (optional)",
        validators=[Optional(), Length(max=254)],
        render_kw={"autocomplete": "off"},
    )
    role = SelectField("Role", choices=[SelectChoice(r.value, r.label) for r in Role], default=Role.MEMBER.value)
    organisation_id = SelectField("Organisation", coerce=int, validate_choice=True)
    clearance = SelectField(
        "Clearance", choices=[SelectChoice(c.value, c.label) for c in Clearance], default=Clearance.UNCLASSIFIED.value
    )


class VersionedActionForm(FlaskForm):
    """A button that changes one record: the version it was shown at travels with it."""

    version = IntegerField(validators=[DataRequired()])
    confirm = HiddenField(default="1")


class RoleForm(FlaskForm):
    """Another role for a user; their sessions end (they were opened with the old role's powers)."""

    role = SelectField("New role", choices=[SelectChoice(r.value, r.label) for r in Role])
    version = IntegerField(validators=[DataRequired()])
