"""Notes request forms: shape only (who may request or decide is the service's business)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from crm.notes.services import JUSTIFICATION_MAX, MAX_GRANT_DAYS, NOTE_MAX


class NotesRequestForm(FlaskForm):
    # The target comes from the link that opened the form; the service checks it.
    engagement_id = IntegerField(widget=HiddenField.widget, validators=[Optional()])
    thread_id = IntegerField(widget=HiddenField.widget, validators=[Optional()])
    justification = TextAreaField(
        "Why do you need to read these minutes?",
        validators=[DataRequired("Say why you need to read these minutes."), Length(max=JUSTIFICATION_MAX)],
        render_kw={"rows": 5},
    )


class ApproveForm(FlaskForm):
    version = IntegerField(widget=HiddenField.widget, validators=[InputRequired()])
    days = IntegerField(
        "Grant for how many days?",
        validators=[
            InputRequired("Give the number of days."),
            NumberRange(1, MAX_GRANT_DAYS, f"Grant between 1 and {MAX_GRANT_DAYS} days."),
        ],  # fmt: skip
    )


class DeclineForm(FlaskForm):
    version = IntegerField(widget=HiddenField.widget, validators=[InputRequired()])
    reason = TextAreaField(
        "Reason for declining",
        validators=[DataRequired("Give the reason; the requester will read it."), Length(max=NOTE_MAX)],
        render_kw={"rows": 3},
    )


class RevokeForm(FlaskForm):
    version = IntegerField(widget=HiddenField.widget, validators=[InputRequired()])
    reason = TextAreaField("Reason (optional)", validators=[Length(max=NOTE_MAX)], render_kw={"rows": 2})
