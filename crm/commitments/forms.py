"""Commitment forms: shape only (required fields, lengths, choices). The rules are in services."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from crm.commitments.models import CommitmentDirection, CommitmentStatus
from crm.commitments.services import EVIDENCE_MAX, TEXT_MAX
from crm.engagements.forms import lines, optional_id

DIRECTION_CHOICES = [
    SelectChoice(CommitmentDirection.COMPANY_TO_GOVERNMENT.value, "Company → Government: the company promised"),
    SelectChoice(CommitmentDirection.GOVERNMENT_TO_COMPANY.value, "Government → Company: we promised"),
]


class CommitmentForm(FlaskForm):
    company_id = SelectField("Company", coerce=optional_id, validators=[InputRequired("Choose a company.")])
    direction = SelectField("Direction", choices=DIRECTION_CHOICES)
    party = StringField("Party (who gave the promise)", validators=[Length(max=200)])
    organisation_id = SelectField("Delivering organisation (government → company only)", coerce=optional_id)
    engagement_id = SelectField("Made in (engagement)", coerce=optional_id)
    thread_id = SelectField("Negotiation thread", coerce=optional_id)
    text = TextAreaField(
        "What was promised",
        validators=[InputRequired("Write what was promised."), Length(max=TEXT_MAX)],
        filters=[lines],
        render_kw={"rows": 5},
    )
    due_date = DateField("Due date (optional)", validators=[Optional()])
    evidence = TextAreaField(
        "Evidence (optional)", validators=[Length(max=EVIDENCE_MAX)], filters=[lines], render_kw={"rows": 4}
    )


class EditCommitmentForm(CommitmentForm):
    # The version the user loaded travels with the form (R7: a stale save is a conflict).
    version = IntegerField(widget=HiddenField.widget, validators=[InputRequired()])


class StatusForm(FlaskForm):
    status = SelectField("New status", choices=[SelectChoice(s.value, s.label) for s in CommitmentStatus])
    note = TextAreaField(
        "Note (required unless reopening)", validators=[Length(max=1000)], filters=[lines], render_kw={"rows": 3}
    )
    version = IntegerField(widget=HiddenField.widget, validators=[InputRequired()])


class VerifyForm(FlaskForm):
    version = IntegerField(widget=HiddenField.widget, validators=[InputRequired()])


class EvidenceFileForm(FlaskForm):
    file = FileField("File", validators=[FileRequired("Choose a file to upload.")])
