"""Contact forms: shape only (required, length, choices). Rules live in the services."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, EmailField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from crm.companies.forms import version_field
from crm.contacts.services import MAX_NOTES

NO_AUTOFILL = {"autocomplete": "off"}


def optional_id(value: object) -> int | None:
    """A pick-list value: "" (none chosen) or an id."""
    return None if value in ("", None) else int(str(value))


class ContactForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired("Give the person's name."), Length(max=200)],
                       render_kw=NO_AUTOFILL)  # fmt: skip
    title = StringField("Title or post", validators=[Optional(), Length(max=200)], render_kw=NO_AUTOFILL)
    company_id = SelectField("Company", coerce=optional_id)
    organisation_id = SelectField("Or government body", coerce=optional_id)
    email = EmailField("E-mail", validators=[Optional(), Length(max=254)], render_kw=NO_AUTOFILL)
    phone = StringField("Phone", validators=[Optional(), Length(max=50)], render_kw=NO_AUTOFILL)
    valid_from = DateField("In this post from", validators=[Optional()])
    valid_to = DateField("In this post until", validators=[Optional()])
    notes = TextAreaField("Notes", validators=[Optional(), Length(max=MAX_NOTES)])


class EditContactForm(ContactForm):
    version = version_field()
