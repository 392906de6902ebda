"""Data request test data, through the real services."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from crm.accounts.models import User
from crm.datarequests.models import DataRequest
from crm.datarequests.services import RequestInput, create_data_request, today
from tests.reviews.factories import org_id


def make_request(session: Session, *, by: User, org: str = "PTA", **overrides: Any) -> DataRequest:
    values: dict[str, Any] = {
        "requested_from_id": org_id(session, org),
        "title": "Blocking requests per platform",
        "details": "Per month",
        "purpose": "Direction 4",
        "due_date": today() + timedelta(days=7),
    }
    values.update(overrides)
    return create_data_request(session, actor=session.get(User, by.id), data=RequestInput(**values))


def days(n: int) -> date:
    return today() + timedelta(days=n)
