"""Draft review test data, through the real services."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from crm.accounts.models import User
from crm.organisations.queries import get_by_short_name
from crm.reviews.models import DraftReview
from crm.reviews.services import ReviewInput, submit_draft_review, today

_counter = itertools.count(1)


def org_id(session: Session, short: str) -> int:
    organisation = get_by_short_name(session, short)
    assert organisation is not None
    return organisation.id


def review_input(session: Session, **overrides: Any) -> ReviewInput:
    values: dict[str, Any] = {
        "title": f"Draft amendments to the defamation law {next(_counter)}",
        "originating_organisation_id": org_id(session, "MoLJ"),
        "received_on": today() - timedelta(days=5),
        "committee": "Law Division committee",
        "version_label": "v1",
        "input_due": today() + timedelta(days=10),
    }
    values.update(overrides)
    return ReviewInput(**values)


def make_review(session: Session, *, by: User, **overrides: Any) -> DraftReview:
    return submit_draft_review(session, actor=session.get(User, by.id), data=review_input(session, **overrides))


def days(n: int) -> date:
    return today() + timedelta(days=n)
