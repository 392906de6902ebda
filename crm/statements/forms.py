"""Statement forms: shape only (who may draft or issue is the service's business)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length

from crm.statements.models import StatementChannel
from crm.statements.services import REASON_MAX, TEXT_MAX


def optional_int(value: object) -> int | None:
    """Coerce a select's value: the empty choice is None."""
    return None if value in (None, "", "None") else int(str(value))


class StatementForm(FlaskForm):
    text = TextAreaField(
        "Text of the statement",
        validators=[DataRequired("Write the statement's text."), Length(max=TEXT_MAX)],
        render_kw={"rows": 10},
    )
    channel = SelectField(
        "Channel", choices=[SelectChoice(c.value, c.label) for c in StatementChannel],
        default=StatementChannel.PRESS_RELEASE.value,
    )  # fmt: skip
    # The service checks the references (with clearer messages than a choice error).
    company_id = SelectField("Company (optional)", coerce=optional_int, validate_choice=False)
    thread_id = SelectField("Negotiation thread (optional)", coerce=optional_int, validate_choice=False)


class EditStatementForm(StatementForm):
    # The version the user loaded travels with the form (R7: a stale save is a conflict).
    version = IntegerField(widget=HiddenField.widget, validators=[InputRequired()])


class IssueForm(FlaskForm):
    version = IntegerField(widget=HiddenField.widget, validators=[InputRequired()])


class WithdrawForm(FlaskForm):
    version = IntegerField(widget=HiddenField.widget, validators=[InputRequired()])
    reason = TextAreaField(
        "Reason for withdrawing",
        validators=[DataRequired("Say why the statement is withdrawn."), Length(max=REASON_MAX)],
        render_kw={"rows": 3},
    )
