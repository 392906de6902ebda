"""A JSON number with a fraction is never taken for an id: it is refused, not truncated."""

from __future__ import annotations

import pytest
from marshmallow import Schema, ValidationError

from crm.api.schemas import Integer


class IdSchema(Schema):
    engagement_id = Integer(allow_none=True)


@pytest.mark.parametrize("value", [3.3, 0.5, -1.25])
def test_a_fraction_is_refused(value):
    with pytest.raises(ValidationError):
        IdSchema().load({"engagement_id": value})


@pytest.mark.parametrize(("value", "expected"), [(3, 3), (3.0, 3), ("7", 7), (None, None)])
def test_whole_numbers_and_digit_strings_are_taken(value, expected):
    assert IdSchema().load({"engagement_id": value}) == {"engagement_id": expected}
