"""Directive writes: the reference letter, creating and editing, status (with the reason for a
delay), superseding, milestones (which resolve waiting due dates), progress reports with files.

Every write checks its policy predicate, flushes and appends an audit event; a refusal raises
before anything is written. The caller commits.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from crm.accounts.models import User
from crm.audit.services import Target, record, snapshot
from crm.db import utcnow
from crm.directives import policy
from crm.directives.models import Directive, DirectiveStatus, Milestone, MilestoneRecord, ProgressReport
from crm.directives.timeline import derive_due_date
from crm.engagements.models import Attachment
from crm.engagements.services import build_record_attachment
from crm.errors import Conflict, Forbidden, Invalid, NotFound
from crm.formatting import local
from crm.http import MAX_ID
from crm.organisations.models import Organisation
from crm.storage import StoredFile
from crm.validation import FieldErrors, length_errors

REFERENCE_FILE = Path(__file__).with_name("reference.json")
FIELDS = ("source_ref", "source_date", "serial", "text", "timeline_text", "timeline_kind", "timeline_event",
          "due_date", "action_by_text", "status", "delay_reason", "superseded_by_id")  # fmt: skip
EDITABLE = ("source_ref", "source_date", "serial", "text", "timeline_text", "action_by_text")
TEXT_MAX = 10_000
REPORT_MAX = 20_000
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)
STALE = "This directive was changed by someone else meanwhile. Reload it to see its state."
KEEPERS_ONLY = "Only the chair and the secretariat keep the directives tracker."


@dataclass
class DirectiveInput:
    """A directive as written in its source letter (page, API and reference loader alike)."""

    source_ref: str
    source_date: date
    serial: str
    text: str
    timeline_text: str = ""
    action_by_text: str = ""
    organisation_ids: list[int] = field(default_factory=list)


def today_in_pakistan() -> date:
    return local(utcnow()).date()


def milestone_dates(session: Session) -> dict[Milestone, date]:
    """The recorded milestones (a handful of rows) and when each happened."""
    return {row.key: row.occurred_on for row in session.scalars(select(MilestoneRecord))}


def _get(session: Session, directive_id: int) -> Directive:
    directive = session.get(Directive, directive_id) if 0 < directive_id <= MAX_ID else None
    if directive is None:
        raise NotFound("There is no such directive.")
    return directive


def _organisation_ids(session: Session, directive_id: int) -> set[int]:
    loaded = session.scalar(
        select(Directive).options(selectinload(Directive.organisations)).where(Directive.id == directive_id)
    )
    return {o.id for o in loaded.organisations} if loaded else set()


def _flush(session: Session) -> None:
    try:
        session.flush()
    except StaleDataError as error:  # changed by someone else between our read and this write
        raise Conflict(STALE) from error


def _check_version(directive: Directive, version: int | None) -> None:
    if version is not None and version != directive.version:
        raise Conflict(STALE)


# Creating and editing.


def _input_errors(session: Session, data: DirectiveInput, current_id: int | None) -> FieldErrors:
    values = {name: getattr(data, name).strip() for name in ("source_ref", "serial", "timeline_text", "action_by_text")}
    errors = length_errors(Directive, values)
    for name, message in (("source_ref", "Give the source letter's reference number."),
                          ("serial", "Give the direction's serial number as in the letter (1, 2, B...)."),
                          ("text", "Give the text of the direction.")):  # fmt: skip
        if not getattr(data, name).strip():
            errors[name] = [message]
    if len(data.text) > TEXT_MAX:
        errors["text"] = [f"Use at most {TEXT_MAX} characters (this has {len(data.text)})."]
    if not EARLIEST <= data.source_date <= LATEST:
        errors["source_date"] = ["Check the letter's date: it is not between 2000 and 2100."]
    ids = set(data.organisation_ids)
    in_range = all(0 < i <= MAX_ID for i in ids)
    found = set(session.scalars(select(Organisation.id).where(Organisation.id.in_(ids)))) if ids and in_range else ids
    if not in_range or found != ids:
        errors["organisation_ids"] = ["Choose organisations from the list."]
    if not errors:
        clash = session.scalar(select(Directive.id).where(
            Directive.source_ref == values["source_ref"], Directive.serial == values["serial"]))  # fmt: skip
        if clash is not None and clash != current_id:
            errors["serial"] = ["This letter already has a direction with this serial number."]
    return errors


def _apply(session: Session, directive: Directive, data: DirectiveInput) -> None:
    for name in ("source_ref", "serial", "timeline_text", "action_by_text"):
        setattr(directive, name, getattr(data, name).strip())
    directive.text, directive.source_date = data.text.strip(), data.source_date
    kind, event, due = derive_due_date(directive.timeline_text, directive.source_date, milestone_dates(session))
    directive.timeline_kind, directive.timeline_event, directive.due_date = kind, event, due
    ids = set(data.organisation_ids)
    directive.organisations = list(session.scalars(select(Organisation).where(Organisation.id.in_(ids)))) if ids else []


def _audit(session: Session, actor: User | None, action: str, directive: Directive, before: Any = None) -> None:
    after = snapshot(directive, *FIELDS) | {"organisation_ids": sorted(o.id for o in directive.organisations)}
    record(session, actor=actor, action=action, target=Target.of(directive), before=before, after=after)


def create_directive(session: Session, *, actor: User | None, data: DirectiveInput) -> Directive:
    """Record a directive as written; its due date is derived from the timeline.

    `actor` None is the reference loader (a system action). Raises Forbidden (not a keeper),
    Invalid (missing text, a serial the letter already has, unknown organisations).
    """
    if actor is not None and not policy.can_keep(actor):
        raise Forbidden(KEEPERS_ONLY, code=policy.NOT_PERMITTED)
    errors = _input_errors(session, data, None)
    if errors:
        raise Invalid("The directive was not recorded: please correct the fields shown.", fields=errors)
    directive = Directive(source_ref="", source_date=data.source_date, serial="", text="",
                          created_by_id=actor.id if actor else None)  # fmt: skip
    directive.organisations = []
    session.add(directive)
    _apply(session, directive, data)
    session.flush()
    _audit(session, actor, "directive.create", directive)
    return directive


def update_directive(
    session: Session, *, actor: User, directive_id: int, version: int | None, data: DirectiveInput
) -> Directive:
    """Edit a directive's letter, text, timeline or action-by (the due date is derived again).

    Raises NotFound, Forbidden (not a keeper), Conflict (stale version), Invalid.
    """
    directive = _get(session, directive_id)
    if not policy.can_keep(actor):
        raise Forbidden(KEEPERS_ONLY, code=policy.NOT_PERMITTED)
    _check_version(directive, version)
    errors = _input_errors(session, data, directive.id)
    if errors:
        raise Invalid("The directive was not saved: please correct the fields shown.", fields=errors)
    loaded = session.scalar(
        select(Directive).options(selectinload(Directive.organisations)).where(Directive.id == directive_id)
    )
    assert loaded is directive  # the same row, now with its organisations
    before = snapshot(directive, *FIELDS) | {"organisation_ids": sorted(o.id for o in directive.organisations)}
    _apply(session, directive, data)
    directive.updated_at = utcnow()  # always an UPDATE, so the version moves with any change
    _flush(session)
    _audit(session, actor, "directive.update", directive, before)
    return directive


# Status and superseding.


def change_status(
    session: Session, *, actor: User, directive_id: int, version: int | None, status: DirectiveStatus,
    delay_reason: str = "", today: date | None = None,
) -> Directive:  # fmt: skip
    """Say how a directive stands; behind schedule (declared, or open past its due date)
    needs the reason for the delay. The reason is kept until changed.

    Raises NotFound, Forbidden (neither a keeper nor of an action-by organisation),
    Conflict (stale version, or superseded), Invalid.
    """
    directive = _get(session, directive_id)
    if not policy.can_report(actor, _organisation_ids(session, directive_id)):
        raise Forbidden("Only the organisations this directive is for, the chair and the secretariat say how it "
                        "stands.", code=policy.NOT_ACTION_BY)  # fmt: skip
    _check_version(directive, version)
    if directive.status is DirectiveStatus.SUPERSEDED:
        raise Conflict("This directive has been superseded; its status no longer changes.", code="superseded")
    errors = policy.status_errors(directive, status, delay_reason, today or today_in_pakistan())
    if len(delay_reason) > 2000:
        errors["delay_reason"] = ["Use at most 2000 characters."]
    if errors:
        raise Invalid("The status was not changed.", fields=errors)
    before = snapshot(directive, "status", "delay_reason")
    directive.status = status
    if delay_reason.strip() or status is DirectiveStatus.COMPLETED:
        directive.delay_reason = delay_reason.strip()
    directive.updated_at = utcnow()
    _flush(session)
    record(session, actor=actor, action="directive.status", target=Target.of(directive), before=before,
           after=snapshot(directive, "status", "delay_reason"))  # fmt: skip
    return directive


def supersede_directive(
    session: Session, *, actor: User, directive_id: int, version: int | None, superseded_by_id: int | None,
    note: str = "",
) -> Directive:  # fmt: skip
    """Mark a directive superseded, optionally by a later directive (not itself, nor one it
    supersedes). Raises NotFound, Forbidden (keepers only), Conflict, Invalid."""
    directive = _get(session, directive_id)
    if not policy.can_keep(actor):
        raise Forbidden(KEEPERS_ONLY, code=policy.NOT_PERMITTED)
    _check_version(directive, version)
    if directive.status is DirectiveStatus.SUPERSEDED:
        raise Conflict("This directive is superseded already.", code="superseded")
    if superseded_by_id is not None:
        other = session.get(Directive, superseded_by_id) if 0 < superseded_by_id <= MAX_ID else None
        if other is None or other.id == directive.id or other.superseded_by_id == directive.id:
            message = "Choose another directive that replaces this one."
            raise Invalid("The directive was not superseded.", fields={"superseded_by_id": [message]})
    before = snapshot(directive, "status", "superseded_by_id")
    directive.status, directive.superseded_by_id = DirectiveStatus.SUPERSEDED, superseded_by_id
    directive.updated_at = utcnow()
    _flush(session)
    record(session, actor=actor, action="directive.supersede", target=Target.of(directive), before=before,
           after=snapshot(directive, "status", "superseded_by_id") | {"note": note.strip()[:2000]})  # fmt: skip
    return directive


# Milestones.


def record_milestone(
    session: Session, *, actor: User, milestone: Milestone, occurred_on: date, note: str = ""
) -> tuple[MilestoneRecord, list[Directive]]:
    """Record when a milestone happened (or correct its date), and resolve in the same
    transaction the due dates of the directives waiting for it. Returns the record and the
    directives whose due date changed.

    Raises Forbidden (keepers only), Invalid (a date outside 2000-2100 or in the future).
    """
    if not policy.can_keep(actor):
        raise Forbidden("Only the chair and the secretariat record the group's milestones.",
                        code=policy.NOT_PERMITTED)  # fmt: skip
    errors: FieldErrors = {}
    if not EARLIEST <= occurred_on <= today_in_pakistan():
        errors["occurred_on"] = ["Give the date it happened: not in the future, nor before 2000."]
    if len(note) > 500:
        errors["note"] = ["Use at most 500 characters."]
    if errors:
        raise Invalid("The milestone was not recorded.", fields=errors)
    row = session.get(MilestoneRecord, milestone)
    before = snapshot(row, "occurred_on", "note") if row else None
    if row is None:
        row = MilestoneRecord(key=milestone, occurred_on=occurred_on)
        session.add(row)
    row.occurred_on, row.note, row.recorded_by_id, row.recorded_at = occurred_on, note.strip(), actor.id, utcnow()
    session.flush()
    record(session, actor=actor, action="milestone.record", target=Target("milestones", milestone.value),
           before=before, after=snapshot(row, "occurred_on", "note"))  # fmt: skip
    return row, _resolve_waiting(session, actor, milestone, occurred_on)


def _resolve_waiting(session: Session, actor: User, milestone: Milestone, occurred_on: date) -> list[Directive]:
    waiting = session.scalars(select(Directive).where(Directive.timeline_event == milestone).order_by(Directive.id))
    changed = []
    for directive in waiting:
        if directive.due_date == occurred_on:
            continue
        before = snapshot(directive, "due_date")
        directive.due_date = occurred_on
        changed.append(directive)
        record(session, actor=actor, action="directive.due_date", target=Target.of(directive), before=before,
               after={"due_date": occurred_on, "milestone": milestone})  # fmt: skip
    _flush(session)
    return changed


# Progress reports.


def add_progress_report(
    session: Session, *, actor: User, directive_id: int, organisation_id: int, text: str,
    reported_on: date | None = None, files: list[StoredFile] | None = None,
) -> ProgressReport:  # fmt: skip
    """A progress report on a directive, by (or for) an organisation, with optional files.

    Members report for their own organisation when it is one the directive is for; the chair
    and the secretariat for any organisation. Raises NotFound, Forbidden (not_action_by),
    Invalid (no text, a date in the future, an unknown organisation).
    """
    directive = _get(session, directive_id)
    action_by = _organisation_ids(session, directive_id)
    if not policy.can_report(actor, action_by):
        raise Forbidden("Only the organisations this directive is for, the chair and the secretariat report "
                        "progress on it.", code=policy.NOT_ACTION_BY)  # fmt: skip
    on = reported_on or today_in_pakistan()
    errors = _report_errors(session, actor, organisation_id, action_by, text, on)
    if errors:
        raise Invalid("The progress report was not added.", fields=errors)
    report = ProgressReport(directive_id=directive.id, organisation_id=organisation_id, reported_on=on,
                            text=text.strip(), reported_by_id=actor.id)  # fmt: skip
    session.add(report)
    session.flush()
    names = [build_record_attachment(session, actor=actor, stored=f, owner="progress_report_id",
                                     owner_id=report.id).filename for f in files or []]  # fmt: skip
    after = snapshot(report, "directive_id", "organisation_id", "reported_on", "text") | {"files": names}
    record(session, actor=actor, action="directive.progress", target=Target.of(report), after=after)
    return report


def _report_errors(
    session: Session, actor: User, organisation_id: int, action_by: set[int], text: str, on: date
) -> FieldErrors:
    errors: FieldErrors = {}
    if not text.strip():
        errors["text"] = ["Say what has been done."]
    elif len(text) > REPORT_MAX:
        errors["text"] = [f"Use at most {REPORT_MAX} characters (this has {len(text)})."]
    if not EARLIEST <= on <= today_in_pakistan():
        errors["reported_on"] = ["Give the report's date: not in the future, nor before 2000."]
    exists = 0 < organisation_id <= MAX_ID and session.get(Organisation, organisation_id) is not None
    if not exists or not policy.can_report_for(actor, organisation_id, action_by):
        errors["organisation_id"] = ["Choose your organisation (the chair and the secretariat may choose any)."]
    return errors


def open_progress_file(session: Session, *, actor: User, attachment_id: int) -> Attachment:
    """A progress report's file for a reader of the tracker, the read audited (R8).

    Raises NotFound for an unknown id, or one that is not a progress report's file.
    """
    attachment = session.get(Attachment, attachment_id) if 0 < attachment_id <= MAX_ID else None
    if attachment is None or attachment.progress_report_id is None or not policy.can_view(actor):
        raise NotFound("There is no such file.")
    record(session, actor=actor, action="attachment.read", target=Target.of(attachment))
    return attachment


def record_report_export(session: Session, *, actor: User, kind: str, rows: int) -> None:
    """R8: the printable progress report (HTML or PDF) is an export, and audited."""
    if not policy.can_view(actor):
        raise Forbidden("Your role does not read the directives tracker.", code=policy.NOT_PERMITTED)
    record(session, actor=actor, action="directive.export", target=Target("directives", "progress_report"),
           after={"format": kind, "rows": rows})  # fmt: skip


# Reference data.


def reference_letter() -> dict[str, Any]:
    """The PMO letter of 04-10-2021 as transcribed in reference.json."""
    data: dict[str, Any] = json.loads(REFERENCE_FILE.read_text(encoding="utf-8"))
    return data


def load_reference_directives(session: Session) -> int:
    """Insert the letter's directions that are missing (matched by letter reference and serial).

    Idempotent: existing rows are never overwritten, as the secretariat may have edited them.
    Action-by organisations are matched by short name (load the organisations first). Returns
    how many were added; each is audited as a system action.
    """
    letter = reference_letter()
    source_ref, source_date = letter["letter"]["source_ref"], date.fromisoformat(letter["letter"]["source_date"])
    existing = set(session.scalars(select(Directive.serial).where(Directive.source_ref == source_ref)))
    by_short = {o.short_name: o.id for o in session.scalars(select(Organisation))}
    added = 0
    for row in letter["directives"]:
        if row["serial"] in existing:
            continue
        ids = [by_short[name] for name in row["action_by_organisations"] if name in by_short]
        data = DirectiveInput(
            source_ref=source_ref, source_date=source_date, serial=row["serial"], text=row["text"],
            timeline_text=row["timeline_text"], action_by_text=row["action_by_text"], organisation_ids=ids,
        )  # fmt: skip
        create_directive(session, actor=None, data=data)
        added += 1
    return added
