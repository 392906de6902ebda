"""Thread forms: shape only (required fields, lengths, choices). The rules are in services."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from crm.companies.models import Priority
from crm.threads.models import Stage

NONE_CHOICE = SelectChoice("", "— None —")


def optional_id(value: object) -> int | None:
    """Coerce a select's value: empty means none; anything else must be a whole number."""
    if value in ("", None):
        return None
    return int(str(value))


class ThreadForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired("Give the thread a title."), Length(max=200)])
    company_ids = SelectMultipleField(
        "Companies",
        coerce=int,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),  # "at least one" is the service's rule: no `required` on each box
    )
    objective = TextAreaField("Objective", validators=[Length(max=20_000)], render_kw={"rows": 4})
    our_ask = TextAreaField("Our ask", validators=[Length(max=20_000)], render_kw={"rows": 4})
    their_position = TextAreaField("Their position", validators=[Length(max=20_000)], render_kw={"rows": 4})
    priority = SelectField(
        "Priority", choices=[SelectChoice(p.value, p.label) for p in Priority], default=Priority.MEDIUM.value
    )
    lead_organisation_id = SelectField("Lead organisation", coerce=optional_id)
    target_date = DateField("Target date (optional)", validators=[Optional()])
    next_step = StringField("Next step", validators=[Length(max=500)])
    next_step_owner_id = SelectField("Owner of the next step", coerce=optional_id)


class EditThreadForm(ThreadForm):
    # The version the user loaded travels with the form (R7: a stale save is a conflict).
    version = IntegerField(widget=HiddenField.widget, validators=[InputRequired()])


class StageForm(FlaskForm):
    stage = SelectField("New stage", choices=[SelectChoice(s.value, s.label) for s in Stage])
    note = TextAreaField(
        "Note (required when closing or abandoning)", validators=[Length(max=500)], render_kw={"rows": 3}
    )
    version = IntegerField(widget=HiddenField.widget, validators=[InputRequired()])
