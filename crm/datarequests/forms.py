"""Data request forms: shape only (required fields, lengths, choices). The rules are in services."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from crm.datarequests.models import DataRequestStatus
from crm.datarequests.services import DETAILS_MAX, PURPOSE_MAX, RESPONSE_MAX
from crm.engagements.forms import lines, optional_id


class RequestForm(FlaskForm):
    requested_from_id = SelectField(
        "Requested from", coerce=optional_id, validators=[InputRequired("Choose the organisation asked for the data.")]
    )
    title = StringField("What data (in a line)", validators=[InputRequired("Say what data is asked for."),
                                                            Length(max=300)])  # fmt: skip
    details = TextAreaField("Details of what is asked", validators=[Length(max=DETAILS_MAX)], filters=[lines],
                            render_kw={"rows": 6})  # fmt: skip
    purpose = TextAreaField("Purpose", validators=[Length(max=PURPOSE_MAX)], filters=[lines], render_kw={"rows": 3})
    due_date = DateField("Due by (optional)", validators=[Optional()])
    directive_id = SelectField("Directive (optional)", coerce=optional_id, validate_choice=False)
    thread_id = SelectField("Negotiation thread (optional)", coerce=optional_id, validate_choice=False)


class EditRequestForm(RequestForm):
    version = IntegerField(widget=HiddenField.widget, validators=[InputRequired()])


class ResponseForm(FlaskForm):
    text = TextAreaField("Your organisation's answer", validators=[InputRequired("Write the answer."),
                                                                   Length(max=RESPONSE_MAX)],
                         filters=[lines], render_kw={"rows": 6})  # fmt: skip
    file = FileField("A file with the data (optional)")


class StatusForm(FlaskForm):
    status = SelectField("New status", choices=[SelectChoice(s.value, s.label) for s in DataRequestStatus])
    version = IntegerField(widget=HiddenField.widget, validators=[InputRequired()])
