"""Draft review forms: shape only (required fields, lengths, choices). The rules are in services."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, HiddenField, IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from crm.engagements.forms import MULTI, lines, optional_id, record_id
from crm.reviews.models import ReviewStatus
from crm.reviews.services import COMMENT_MAX, INPUT_MAX


class ReviewForm(FlaskForm):
    title = StringField("Title of the draft", validators=[InputRequired("Give the draft's title."), Length(max=300)])
    originating_organisation_id = SelectField(
        "Originating organisation", coerce=optional_id, validators=[InputRequired("Choose the organisation.")]
    )
    committee = StringField("Committee", validators=[Length(max=300)])
    version_label = StringField("Version", validators=[Length(max=50)])
    received_on = DateField("Received on", validators=[InputRequired("Give the date received (dd-mm-yyyy).")])
    input_due = DateField("Input due by (optional)", validators=[Optional()])
    reviewer_ids = SelectMultipleField("Reviewers", coerce=record_id, validate_choice=False, render_kw=MULTI)
    file = FileField("The draft document (optional)")


class EditReviewForm(ReviewForm):
    file = None
    version = IntegerField(widget=HiddenField.widget, validators=[InputRequired()])


class CommentForm(FlaskForm):
    text = TextAreaField("Your comment", validators=[InputRequired("Write your comment."), Length(max=COMMENT_MAX)],
                         filters=[lines], render_kw={"rows": 5})  # fmt: skip


class ConsolidateForm(FlaskForm):
    consolidated_input = TextAreaField("Consolidated input of the group", validators=[Length(max=INPUT_MAX)],
                                       filters=[lines], render_kw={"rows": 10})  # fmt: skip
    version = IntegerField(widget=HiddenField.widget, validators=[InputRequired()])


class StatusForm(FlaskForm):
    status = SelectField("New status", choices=[SelectChoice(s.value, s.label) for s in ReviewStatus])
    returned_on = DateField("Input returned on (for “input returned”; today if empty)", validators=[Optional()])
    version = IntegerField(widget=HiddenField.widget, validators=[InputRequired()])


class FileForm(FlaskForm):
    file = FileField("File", validators=[FileRequired("Choose a file to upload.")])
