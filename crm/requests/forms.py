"""Engagement request forms: shape only (who may file or decide is the service's business)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from crm.requests.models import Urgency
from crm.requests.services import PURPOSE_MAX


def optional_int(value: object) -> int | None:
    """Coerce a select's value: the empty choice is None."""
    return None if value in (None, "", "None") else int(str(value))


class RequestForm(FlaskForm):
    company_id = SelectField("Company", coerce=int, validate_choice=True)
    # The service checks that the thread is one of the company's, with a clearer message than a choice error.
    thread_id = SelectField("Negotiation thread (optional)", coerce=optional_int, validate_choice=False)
    purpose = TextAreaField(
        "What should the focal person raise?",
        validators=[DataRequired("Say what the focal person should raise with the company."), Length(max=PURPOSE_MAX)],
        render_kw={"rows": 6},
    )
    urgency = SelectField(
        "Urgency",
        choices=[
            SelectChoice(Urgency.ROUTINE.value, "Routine — within two weeks"),
            SelectChoice(Urgency.SOON.value, "Soon — within a week"),
            SelectChoice(Urgency.URGENT.value, "Urgent — within two days"),
        ],
        default=Urgency.ROUTINE.value,
    )


class AcceptForm(FlaskForm):
    version = IntegerField(validators=[DataRequired()])


class DeclineForm(FlaskForm):
    version = IntegerField(validators=[DataRequired()])
    reason = TextAreaField(
        "Reason for declining",
        validators=[DataRequired("Give the reason; the requester will read it."), Length(max=1000)],
        render_kw={"rows": 4},
    )
