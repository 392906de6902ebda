"""Company register forms: shape only (required, length, choices). Rules live in the services."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, DateField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import HiddenInput

from crm.companies.models import (
    AccessStatus,
    Health,
    LocalPresence,
    OfficerStatus,
    Priority,
    PtaRegistration,
    TaxStatus,
)
from crm.companies.services import MAX_NOTES, MAX_USERS

NO_AUTOFILL = {"autocomplete": "off"}


def enum_choices(enum: type[StrEnum]) -> list[SelectChoice]:
    return [SelectChoice(member.value, getattr(member, "label", member.value)) for member in enum]


def enum_field(label: str, enum: type[StrEnum], default: StrEnum) -> SelectField:
    return SelectField(label, choices=enum_choices(enum), default=default.value)


def text(label: str, limit: int, *, required: str | None = None, area: bool = False) -> Any:
    validators: list[Any] = [DataRequired(required)] if required else [Optional()]
    kind = TextAreaField if area else StringField
    return kind(label, validators=[*validators, Length(max=limit)], render_kw=NO_AUTOFILL)


def verified(label: str = "Last verified") -> DateField:
    return DateField(label, validators=[Optional()])


def version_field() -> IntegerField:
    """The version the form was shown at (R7): a stale one gets the conflict page."""
    return IntegerField(widget=HiddenInput(), validators=[InputRequired()])


class CompanyForm(FlaskForm):
    name = text("Name", 120, required="Give the company's name.")
    legal_name = text("Legal name", 200)
    parent = text("Parent company", 200)
    hq_jurisdiction = text("Headquarters (jurisdiction)", 120)
    website = text("Website", 200)
    priority = enum_field("Priority", Priority, Priority.MEDIUM)
    health = enum_field("Relationship health", Health, Health.AMBER)
    health_reason = text("Reason for this health", 500, area=True)
    presence = enum_field("Local presence", LocalPresence, LocalPresence.NONE)
    presence_city = text("City", 120)
    presence_evidence = text("Evidence", 500, area=True)
    presence_verified_on = verified()
    pta_registration = enum_field("PTA registration", PtaRegistration, PtaRegistration.NOT_REGISTERED)
    pta_evidence = text("Evidence", 500, area=True)
    pta_verified_on = verified()
    officer_status = enum_field("Local compliance officer", OfficerStatus, OfficerStatus.NOT_NAMED)
    officer_name = text("Officer's name", 200)
    officer_is_resident = BooleanField("The officer is resident in Pakistan")
    officer_evidence = text("Evidence", 500, area=True)
    officer_verified_on = verified()
    tax_status = enum_field("Tax status (FBR)", TaxStatus, TaxStatus.NOT_REGISTERED)
    tax_evidence = text("Evidence", 500, area=True)
    tax_verified_on = verified()
    notes = text("Notes", MAX_NOTES, area=True)


class EditCompanyForm(CompanyForm):
    version = version_field()


class ServiceForm(FlaskForm):
    name = text("Name", 120, required="Give the service's name, e.g. YouTube.")
    estimated_users = IntegerField(
        "Estimated users in Pakistan",
        validators=[Optional(), NumberRange(min=0, max=MAX_USERS, message="Give a number of people.")],
    )
    users_source = text("Source of the estimate", 300)
    users_as_of = DateField("Estimate as of", validators=[Optional()])


class NewServiceForm(ServiceForm):
    access_status = enum_field("Access in Pakistan", AccessStatus, AccessStatus.AVAILABLE)
    status_since = DateField("Since", validators=[Optional()])


class EditServiceForm(ServiceForm):
    version = version_field()


class AccessStatusForm(FlaskForm):
    status = enum_field("New access status", AccessStatus, AccessStatus.BLOCKED)
    started_on = DateField("From", validators=[InputRequired("Give the date from which the status holds.")])
    reason = text("Reason", 500, required="Say why the access status changed.", area=True)
    version = version_field()


class ImportForm(FlaskForm):
    file = FileField(
        "CSV file",
        validators=[FileRequired("Choose a CSV file."), FileAllowed(["csv", "txt"], "Choose a .csv file.")],
    )


class ConfirmImportForm(FlaskForm):
    token = HiddenField(validators=[DataRequired()])
