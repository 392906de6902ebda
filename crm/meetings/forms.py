"""WG meeting forms: shape only (required fields, lengths, choices). The rules are in services."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields import TimeField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from crm.accounts.models import Clearance
from crm.engagements.forms import MULTI, lines, optional_id, record_id
from crm.formatting import KARACHI
from crm.meetings.services import DECISION_MAX, TEXT_MAX, ActionItemInput, MeetingInput


class MeetingForm(FlaskForm):
    """Every field of MeetingInput; the time is entered in Pakistan time (PKT)."""

    title = StringField("Title", validators=[InputRequired("Give the meeting a title."), Length(max=300)])
    held_on = DateField("Date", validators=[InputRequired("Give the date (dd-mm-yyyy).")])
    held_time = TimeField("Time (PKT)", validators=[InputRequired("Give the time, e.g. 11:00.")])
    location = StringField("Location", validators=[Length(max=200)])
    chaired_by = StringField("Chaired by", validators=[Length(max=200)])
    agenda = TextAreaField("Agenda (Markdown)", validators=[Length(max=TEXT_MAX)], filters=[lines],
                           render_kw={"rows": 6})  # fmt: skip
    minutes = TextAreaField("Minutes (Markdown)", validators=[Length(max=TEXT_MAX)], filters=[lines],
                            render_kw={"rows": 12})  # fmt: skip
    classification = SelectField("Classification of the minutes")
    attendee_ids = SelectMultipleField("Attendees", coerce=record_id, validate_choice=False, render_kw=MULTI)
    organisation_ids = SelectMultipleField("Organisations represented (members and co-opted)", coerce=record_id,
                                           validate_choice=False, render_kw=MULTI)  # fmt: skip
    invitees = StringField("Other invitees (as named)", validators=[Length(max=1000)])

    def set_classifications(self, clearance: Clearance) -> None:
        """Classification choices up to the user's clearance (no one files above it)."""
        self.classification.choices = [SelectChoice(c.value, c.label) for c in Clearance if clearance.covers(c)]
        if self.classification.data is None:
            fallback = Clearance.RESTRICTED if clearance.covers(Clearance.RESTRICTED) else Clearance.UNCLASSIFIED
            self.classification.data = fallback.value

    def held_at(self) -> datetime:
        """The entered PKT date and time as a UTC instant (left in PKT if it cannot convert)."""
        moment = datetime.combine(self.held_on.data or date.min, self.held_time.data or time(), KARACHI)
        try:
            return moment.astimezone(UTC)
        except OverflowError:
            return moment  # the service refuses such dates with a field error

    def to_input(self) -> MeetingInput:
        return MeetingInput(
            title=self.title.data or "", held_at=self.held_at(), location=self.location.data or "",
            chaired_by=self.chaired_by.data or "", agenda=self.agenda.data or "", minutes=self.minutes.data or "",
            classification=Clearance(self.classification.data), invitees=self.invitees.data or "",
            attendee_ids=list(self.attendee_ids.data or []), organisation_ids=list(self.organisation_ids.data or []),
        )  # fmt: skip


class EditMeetingForm(MeetingForm):
    version = IntegerField(widget=HiddenField.widget, validators=[InputRequired()])


class DecisionForm(FlaskForm):
    text = TextAreaField("Decision", validators=[InputRequired("Write the decision."), Length(max=DECISION_MAX)],
                         filters=[lines], render_kw={"rows": 3})  # fmt: skip


class DirectiveForm(FlaskForm):
    timeline_text = StringField("Timeline as decided (e.g. “1 month”, “Immediate”, “Ongoing”)",
                                validators=[Length(max=200)])  # fmt: skip
    organisation_ids = SelectMultipleField("Action by", coerce=record_id, validate_choice=False, render_kw=MULTI)


class LinkDirectiveForm(FlaskForm):
    directive_id = SelectField("Directive in the tracker", coerce=optional_id,
                               validators=[InputRequired("Choose a directive.")], validate_choice=False)  # fmt: skip


class ActionItemForm(FlaskForm):
    title = StringField("Action", validators=[InputRequired("Say what is to be done."), Length(max=300)])
    assignee_id = SelectField("Assigned to (a person)", coerce=optional_id, validate_choice=False)
    assignee_organisation_id = SelectField("…or to an organisation's queue", coerce=optional_id,
                                           validate_choice=False)  # fmt: skip
    due_date = DateField("Due by (optional)", validators=[Optional()])
    details = TextAreaField("Details", validators=[Length(max=TEXT_MAX)], filters=[lines], render_kw={"rows": 3})

    def to_input(self) -> ActionItemInput:
        return ActionItemInput(title=self.title.data or "", assignee_id=self.assignee_id.data,
                               assignee_organisation_id=self.assignee_organisation_id.data,
                               due_date=self.due_date.data, details=self.details.data or "")  # fmt: skip
