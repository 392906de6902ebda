"""Follow-up forms: shape only. Who may assign to whom, and the links, are the service's."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from crm.followups.models import FollowUpPriority
from crm.followups.services import DETAILS_MAX, NOTE_MAX, FollowUpChanges, FollowUpInput
from crm.http import MAX_ID, db_id

PRIORITY_CHOICES = [SelectChoice(p.value, p.label) for p in FollowUpPriority]
ID_RANGE = NumberRange(min=1, max=MAX_ID, message="Give a record number from Rabta.")


def optional_id(value: Any) -> int | None:
    """`coerce` for an optional choice: "" is none, anything else must be a record id."""
    if value in (None, "", "None"):
        return None
    return value if isinstance(value, int) else db_id(str(value))


def lines(value: str | None) -> str:
    """Text from a textarea with the browser's CRLF line ends as plain newlines."""
    return (value or "").replace("\r\n", "\n")


class _Text(FlaskForm):
    title = StringField("Title", validators=[DataRequired("Give the follow-up a title."), Length(max=300)])
    details = TextAreaField("Details (optional)", validators=[Length(max=DETAILS_MAX)], render_kw={"rows": 4})
    # The choices are set by the view (people and organisations the actor may assign to).
    assignee_id = SelectField("Assign to a person", coerce=optional_id, validate_choice=False)
    assignee_organisation_id = SelectField("…or to an organisation's queue", coerce=optional_id, validate_choice=False)
    due_date = DateField("Due date (optional)", validators=[Optional()])
    priority = SelectField("Priority", choices=PRIORITY_CHOICES, default=FollowUpPriority.MEDIUM.value)


class FollowUpForm(_Text):
    """A new follow-up: its text, owner, due date, priority and the records it is about."""

    is_outbound_action = BooleanField("Outbound action (towards a company: it stays with the focal person)")
    company_id = SelectField("Company (optional)", coerce=optional_id, validate_choice=False)
    thread_id = SelectField("Negotiation thread (optional)", coerce=optional_id, validate_choice=False)
    engagement_id = IntegerField("Engagement no. (optional)", validators=[Optional(), ID_RANGE])
    commitment_id = IntegerField("Commitment no. (optional)", validators=[Optional(), ID_RANGE])

    def to_input(self) -> FollowUpInput:
        return FollowUpInput(
            title=self.title.data or "", details=lines(self.details.data), assignee_id=self.assignee_id.data,
            assignee_organisation_id=self.assignee_organisation_id.data, due_date=self.due_date.data,
            priority=FollowUpPriority(self.priority.data), is_outbound_action=bool(self.is_outbound_action.data),
            company_id=self.company_id.data, thread_id=self.thread_id.data, engagement_id=self.engagement_id.data,
            commitment_id=self.commitment_id.data,
        )  # fmt: skip


class EditForm(_Text):
    """Editing an open follow-up (R7: the version it was loaded at)."""

    version = IntegerField(validators=[InputRequired(), NumberRange(min=1, max=MAX_ID)])

    def to_changes(self) -> FollowUpChanges:
        return FollowUpChanges(
            title=self.title.data or "", details=lines(self.details.data), assignee_id=self.assignee_id.data,
            assignee_organisation_id=self.assignee_organisation_id.data, due_date=self.due_date.data,
            priority=FollowUpPriority(self.priority.data),
        )  # fmt: skip


class CompleteForm(FlaskForm):
    version = IntegerField(validators=[DataRequired()])
    note = TextAreaField(
        "Completion note (optional)",
        validators=[Length(max=NOTE_MAX)],
        render_kw={"rows": 3},
    )


class CancelForm(FlaskForm):
    version = IntegerField(validators=[DataRequired(), NumberRange(min=1, max=MAX_ID)])
    note = TextAreaField(
        "Why is it cancelled?",
        validators=[DataRequired("Say why the follow-up is cancelled."), Length(max=NOTE_MAX)],
        render_kw={"rows": 3},
    )


class ReopenForm(FlaskForm):
    version = IntegerField(validators=[DataRequired(), NumberRange(min=1, max=MAX_ID)])
    note = TextAreaField("Why is it reopened? (optional)", validators=[Length(max=NOTE_MAX)], render_kw={"rows": 2})


class TakeForm(FlaskForm):
    version = IntegerField(validators=[DataRequired(), NumberRange(min=1, max=MAX_ID)])
