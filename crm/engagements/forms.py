"""Engagement forms: shape only. The rules (R2, R4, R5, references) are the service's."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from crm.accounts.models import Clearance
from crm.engagements.models import Direction, EngagementKind
from crm.engagements.services import EngagementInput
from crm.formatting import KARACHI
from crm.http import db_id


def optional_id(value: Any) -> int | None:
    """`coerce` for an optional choice: "" is none, anything else must be a record id."""
    if value in (None, ""):
        return None
    return record_id(value)


def record_id(value: Any) -> int:
    """`coerce` for ids: a whole number the database can hold, else ValueError."""
    return value if isinstance(value, int) else db_id(str(value))


def lines(value: str | None) -> str:
    """Text from a textarea with the browser's CRLF line ends as plain newlines."""
    return (value or "").replace("\r\n", "\n")


KIND_CHOICES = [SelectChoice(kind.value, kind.label) for kind in EngagementKind]
DIRECTION_CHOICES = [
    SelectChoice(Direction.INBOUND.value, "Inbound — the company contacted us"),
    SelectChoice(Direction.OUTBOUND.value, "Outbound — we contacted the company"),
]
MULTI = {"size": 6}


class EngagementForm(FlaskForm):
    """Every field of EngagementInput; the time is entered in Pakistan time (PKT)."""

    company_id = SelectField("Company", coerce=optional_id, validators=[InputRequired("Choose a company.")])
    direction = SelectField("Direction", choices=DIRECTION_CHOICES, default=Direction.INBOUND.value)
    kind = SelectField("Kind", choices=KIND_CHOICES, default=EngagementKind.MEETING.value)
    occurred_on = DateField("Date", validators=[InputRequired("Give the date (dd-mm-yyyy).")])
    occurred_time = TimeField("Time (PKT)", validators=[InputRequired("Give the time, e.g. 14:30.")])
    location = StringField("Location", validators=[Optional(), Length(max=200)])
    thread_id = SelectField("Negotiation thread", coerce=optional_id, validate_choice=False)
    subject = StringField("Subject", validators=[DataRequired("Give the engagement a subject."), Length(max=300)])
    summary = TextAreaField("Summary (unclassified)", render_kw={"rows": 4})
    minutes = TextAreaField("Minutes", render_kw={"rows": 12})
    classification = SelectField("Classification of the minutes and files")
    our_ref = StringField("Our letter no.", validators=[Optional(), Length(max=120)])
    their_ref = StringField("Their reference", validators=[Optional(), Length(max=120)])
    diary_no = StringField("Diary / dispatch no.", validators=[Optional(), Length(max=120)])
    needs_no_response = BooleanField("Needs no response")
    participant_ids = SelectMultipleField(
        "Government participants", coerce=record_id, validate_choice=False, render_kw=MULTI
    )
    organisation_ids = SelectMultipleField("Organisations", coerce=record_id, validate_choice=False, render_kw=MULTI)
    contact_ids = SelectMultipleField("Company participants", coerce=record_id, validate_choice=False, render_kw=MULTI)

    def set_classifications(self, clearance: Clearance) -> None:
        """Classification choices up to the user's clearance (no one files above it)."""
        self.classification.choices = [SelectChoice(c.value, c.label) for c in Clearance if clearance.covers(c)]
        if self.classification.data is None:
            fallback = Clearance.RESTRICTED if clearance.covers(Clearance.RESTRICTED) else Clearance.UNCLASSIFIED
            self.classification.data = fallback.value

    def occurred_at(self) -> datetime:
        """The entered PKT date and time as a UTC instant (left in PKT if it cannot convert)."""
        moment = datetime.combine(self.occurred_on.data or date.min, self.occurred_time.data or time(), KARACHI)
        try:
            return moment.astimezone(UTC)
        except OverflowError:
            return moment  # the service refuses such dates with a field error

    def to_input(self, direction: Direction) -> EngagementInput:
        """The form's values as the service's input (the caller gives the direction)."""
        return EngagementInput(
            kind=EngagementKind(self.kind.data),
            direction=direction,
            occurred_at=self.occurred_at(),
            company_id=self.company_id.data or 0,
            subject=self.subject.data or "",
            thread_id=self.thread_id.data,
            location=self.location.data or "",
            summary=lines(self.summary.data),
            minutes=lines(self.minutes.data),
            classification=Clearance(self.classification.data),
            our_ref=self.our_ref.data or "",
            their_ref=self.their_ref.data or "",
            diary_no=self.diary_no.data or "",
            needs_no_response=bool(self.needs_no_response.data) and direction is Direction.INBOUND,
            participant_ids=list(self.participant_ids.data or []),
            organisation_ids=list(self.organisation_ids.data or []),
            contact_ids=list(self.contact_ids.data or []),
        )


class CorrectionForm(EngagementForm):
    """A correction: every field but the direction (which cannot change), a reason, the version."""

    direction = None
    reason = StringField(
        "Reason for the correction", validators=[DataRequired("Say why the record is corrected."), Length(max=500)]
    )
    version = IntegerField(widget=HiddenField.widget, validators=[InputRequired()])


class AttachmentForm(FlaskForm):
    file = FileField("File", validators=[FileRequired("Choose a file to upload.")])
