"""Directive forms: shape only (who may, and the rules on dates and delays, are the service's)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import DateField, IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from crm.directives.models import DirectiveStatus, Milestone
from crm.directives.services import REPORT_MAX, TEXT_MAX, DirectiveInput
from crm.followups.forms import lines, optional_id
from crm.http import MAX_ID

VERSION = [InputRequired(), NumberRange(min=1, max=MAX_ID)]
STATUS_CHOICES = [SelectChoice(s.value, s.label) for s in DirectiveStatus if s is not DirectiveStatus.SUPERSEDED]


class DirectiveForm(FlaskForm):
    source_ref = StringField("Source letter no.", validators=[DataRequired("Give the letter's reference number."),
                                                              Length(max=120)])  # fmt: skip
    source_date = DateField("Letter dated", validators=[InputRequired("Give the letter's date.")])
    serial = StringField("S.No (as in the letter)", validators=[DataRequired("Give the serial number."),
                                                                Length(max=10)])  # fmt: skip
    text = TextAreaField("Decision / direction", validators=[DataRequired("Give the text of the direction."),
                                                             Length(max=TEXT_MAX)], render_kw={"rows": 5})  # fmt: skip
    timeline_text = StringField("Time line (as written)", validators=[Length(max=200)])
    action_by_text = StringField("Action by (as written)", validators=[Length(max=300)])
    organisation_ids = SelectMultipleField("Action-by organisations in Rabta", coerce=int, validate_choice=True)
    version = IntegerField(validators=[Optional(), NumberRange(min=1, max=MAX_ID)])

    def to_input(self) -> DirectiveInput:
        return DirectiveInput(
            source_ref=self.source_ref.data or "", source_date=self.source_date.data,
            serial=self.serial.data or "", text=lines(self.text.data), timeline_text=self.timeline_text.data or "",
            action_by_text=self.action_by_text.data or "", organisation_ids=list(self.organisation_ids.data or []),
        )  # fmt: skip


class StatusForm(FlaskForm):
    version = IntegerField(validators=VERSION)
    status = SelectField("Status", choices=STATUS_CHOICES)
    delay_reason = TextAreaField("Reason for delay (needed when behind schedule)", validators=[Length(max=2000)],
                                 render_kw={"rows": 3})  # fmt: skip


class SupersedeForm(FlaskForm):
    version = IntegerField(validators=VERSION)
    superseded_by_id = SelectField("Superseded by (optional)", coerce=optional_id, validate_choice=False)
    note = TextAreaField("Note (optional)", validators=[Length(max=2000)], render_kw={"rows": 2})


class ProgressForm(FlaskForm):
    organisation_id = SelectField("Reporting organisation", coerce=optional_id, validate_choice=False,
                                  validators=[InputRequired("Choose the reporting organisation.")])  # fmt: skip
    reported_on = DateField("Report dated (optional: today)", validators=[Optional()])
    text = TextAreaField("Progress", validators=[DataRequired("Say what has been done."), Length(max=REPORT_MAX)],
                         render_kw={"rows": 5})  # fmt: skip
    files = MultipleFileField("Attachments (optional)")


class MilestoneForm(FlaskForm):
    milestone = SelectField("Milestone", choices=[SelectChoice(m.value, m.label) for m in Milestone])
    occurred_on = DateField("It happened on", validators=[InputRequired("Give the date it happened.")])
    note = StringField("Note (optional, e.g. the notification's reference)", validators=[Length(max=500)])
