"""Designation forms: shape only (R1 itself is checked by the service)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, HiddenField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from crm.designations.models import DesignationKind


class DesignateForm(FlaskForm):
    kind = SelectField(
        "Designation",
        choices=[SelectChoice(k.value, k.label) for k in DesignationKind],
        default=DesignationKind.FOCAL_PERSON.value,
    )
    user_id = SelectField("Person designated", coerce=int, validate_choice=True)
    approval_ref = StringField(
        "Approval reference",
        validators=[DataRequired("Give the approval reference (e.g. the PM's approval letter no.)."), Length(max=200)],
    )
    effective_from = DateTimeLocalField(
        "Effective from (optional)",
        format="%Y-%m-%dT%H:%M",
        validators=[Optional()],
        render_kw={"step": "60"},
    )


class EndDesignationForm(FlaskForm):
    """Ending leaves the post vacant: the chair confirms, and the version travels along."""

    version = IntegerField(validators=[DataRequired()])
    confirm = HiddenField(default="1", validators=[DataRequired()])
