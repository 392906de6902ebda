"""Channel exception forms: shape only."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from crm.exceptions.services import TEXT_MAX


def optional_int(value: object) -> int | None:
    """Coerce a select's value: the empty choice is None."""
    return None if value in (None, "", "None") else int(str(value))


class ReportForm(FlaskForm):
    company_id = SelectField("Company", coerce=int, validate_choice=True)
    who = StringField(
        "Who engaged the company",
        validators=[DataRequired("Say who engaged the company (a person or an office)."), Length(max=300)],
    )
    organisation_id = SelectField("Their organisation (optional)", coerce=optional_int, validate_choice=True)
    occurred_on = DateField("Date of the contact", validators=[DataRequired("Give a valid date for the contact.")])
    what = TextAreaField(
        "What happened",
        validators=[DataRequired("Say what happened."), Length(max=TEXT_MAX)],
        render_kw={"rows": 6},
    )


class ReviewForm(FlaskForm):
    version = IntegerField(validators=[DataRequired()])
    note = TextAreaField(
        "Review note",
        validators=[DataRequired("Write the review note: what was found and what follows."), Length(max=TEXT_MAX)],
        render_kw={"rows": 4},
    )
