"""The date range of a transparency return (a GET form: it changes nothing)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField
from wtforms.validators import InputRequired

MAX_DAYS = 366  # a return covers a quarter or a year, not the whole log


class RangeForm(FlaskForm):
    class Meta:
        csrf = False

    date_from = DateField("From", validators=[InputRequired("Give the first day (dd-mm-yyyy).")])
    date_to = DateField("To", validators=[InputRequired("Give the last day (dd-mm-yyyy).")])

    def validate(self, extra_validators=None) -> bool:  # type: ignore[no-untyped-def]
        if not super().validate(extra_validators):
            return False
        start, end = self.date_from.data, self.date_to.data
        if start is None or end is None:  # InputRequired has refused these already
            return False
        if end < start:
            self.date_to.errors = ["The last day comes on or after the first day."]
            return False
        if (end - start).days >= MAX_DAYS:
            self.date_to.errors = [f"A return covers at most {MAX_DAYS} days."]
            return False
        return True
