"""Nomination and recommendation forms: shape only."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from crm.designations.models import DesignationKind
from crm.followups.forms import optional_id
from crm.governance.models import NominationStatus
from crm.governance.policy import DECISIONS
from crm.http import MAX_ID

CLOSINGS = (NominationStatus.NOT_APPROVED, NominationStatus.WITHDRAWN)
VERSION = [InputRequired(), NumberRange(min=1, max=MAX_ID)]


class ProposeForm(FlaskForm):
    kind = SelectField("Designation", choices=[SelectChoice(k.value, k.label) for k in DesignationKind])
    nominee_id = SelectField("Nominee", coerce=optional_id, validate_choice=False,
                             validators=[InputRequired("Choose the nominee.")])  # fmt: skip


class RecommendForm(FlaskForm):
    version = IntegerField(validators=VERSION)
    recommended_on = DateField("Consensus reached on", validators=[InputRequired("Give the date.")])
    meeting_id = SelectField("At the WG meeting (optional)", coerce=optional_id, validate_choice=False)
    consensus_note = TextAreaField("How the group reached consensus", render_kw={"rows": 3},
                                   validators=[DataRequired("Say how the group reached consensus.")])  # fmt: skip


class ApproveForm(FlaskForm):
    version = IntegerField(validators=VERSION)
    approval_ref = StringField("PM's approval reference", validators=[DataRequired("Give the approval reference."),
                                                                       Length(max=200)])  # fmt: skip
    approved_on = DateField("Approved on", validators=[InputRequired("Give the date of the approval.")])


class CloseForm(FlaskForm):
    version = IntegerField(validators=VERSION)
    outcome = SelectField("Outcome", choices=[SelectChoice(s.value, s.label) for s in CLOSINGS])
    reference = StringField("Reference (optional)", validators=[Length(max=200)])
    note = TextAreaField("Why", validators=[DataRequired("Say why.")], render_kw={"rows": 2})


class RecommendationForm(FlaskForm):
    version = IntegerField(validators=[Optional(), NumberRange(min=1, max=MAX_ID)])
    title = StringField("Title", validators=[DataRequired("Give the recommendation a title."), Length(max=300)])
    text = TextAreaField("Recommendation", validators=[DataRequired("Give the text.")], render_kw={"rows": 6})
    meeting_id = SelectField("Made at the WG meeting (optional)", coerce=optional_id, validate_choice=False)


class RouteForm(FlaskForm):
    version = IntegerField(validators=VERSION)
    authority = StringField("Competent authority (Rules of Business)",
                            validators=[DataRequired("Name the competent authority."), Length(max=300)])  # fmt: skip
    authority_organisation_id = SelectField("Its division or ministry (optional)", coerce=optional_id,
                                            validate_choice=False)  # fmt: skip
    routed_on = DateField("Routed on", validators=[InputRequired("Give the date.")])
    routing_ref = StringField("Summary / letter no.", validators=[DataRequired("Give the reference."), Length(max=200)])


class DecisionForm(FlaskForm):
    version = IntegerField(validators=VERSION)
    outcome = SelectField("Decision", choices=[SelectChoice(s.value, s.label) for s in DECISIONS])
    decision = TextAreaField("The authority's decision", validators=[DataRequired("Give the decision.")],
                             render_kw={"rows": 3})  # fmt: skip
    decided_on = DateField("Decided on", validators=[InputRequired("Give the date.")])
