"""Auditing exports (R8): one event per downloaded file, in the caller's transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from crm.accounts.models import Clearance, User
from crm.audit.services import Target, record


def record_export(
    session: Session,
    *,
    actor: User,
    register: str,
    fmt: str,
    filters: dict[str, Any],
    rows: int,
    classification: Clearance = Clearance.UNCLASSIFIED,
) -> None:
    """R8: an export of a list (`register`, e.g. "meetings") is audited with its format, filters,
    row count and marking, as `<register>.export`. Lists whose own feature already audits its
    exports (engagements, companies...) keep their own service; this one serves the rest."""
    record(session, actor=actor, action=f"{register}.export", target=Target(register, "export"),
           after={"format": fmt, "filters": filters, "rows": rows, "classification": classification.value})  # fmt: skip
