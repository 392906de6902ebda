"""Organisation writes: loading the reference data from the seeds."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.audit.services import Target, record, snapshot
from crm.organisations.models import Membership, Organisation, OrganisationKind

REFERENCE_FILE = Path(__file__).with_name("reference.json")
FIELDS = ("name", "short_name", "kind", "membership", "is_lead", "note")


def _reference_rows() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads(REFERENCE_FILE.read_text(encoding="utf-8"))["organisations"]
    return rows


def load_reference_organisations(session: Session) -> int:
    """Insert the seed organisations that are missing (matched by short name).

    Idempotent: existing rows are left as people may have edited them since. Returns how
    many were added; each addition is audited as a system action.
    """
    existing = set(session.scalars(select(Organisation.short_name)))
    added = 0
    for row in _reference_rows():
        if row["short_name"] in existing:
            continue
        organisation = Organisation(
            name=row["name"],
            short_name=row["short_name"],
            kind=OrganisationKind(row["kind"]),
            membership=Membership(row["membership"]),
            is_lead=row["is_lead"],
            note=row["note"],
        )
        session.add(organisation)
        session.flush()
        record(
            session,
            actor=None,
            action="organisation.load_reference",
            target=Target.of(organisation),
            after=snapshot(organisation, *FIELDS),
        )
        added += 1
    return added
