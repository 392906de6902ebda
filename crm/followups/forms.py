"""Follow-up forms: shape only."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import IntegerField, TextAreaField
from wtforms.validators import DataRequired, Length

from crm.followups.services import NOTE_MAX


class CompleteForm(FlaskForm):
    version = IntegerField(validators=[DataRequired()])
    note = TextAreaField(
        "Completion note (optional)",
        validators=[Length(max=NOTE_MAX)],
        render_kw={"rows": 3},
    )
