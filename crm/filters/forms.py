"""The "Save this filter" form (shape only; the service checks names and limits)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import DataRequired, Length

from crm.filters.policy import NAME_MAX, QUERY_MAX


class SaveFilterForm(FlaskForm):
    name = StringField("Name this filter", validators=[DataRequired(message="Name the filter."), Length(max=NAME_MAX)])
    page = HiddenField(validators=[DataRequired(), Length(max=64)])
    query = HiddenField(validators=[Length(max=QUERY_MAX * 3)])


class DeleteFilterForm(FlaskForm):
    """Only the CSRF token: the id is in the URL."""
