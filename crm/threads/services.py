"""Thread writes: creating, editing and moving negotiation threads through their stages.

Only the keepers of the register (chair, secretariat, focal person) write threads; every
write is audited in the same transaction, and every stage a thread has been at is kept as a
StageChange, the first one (None → initial stage) written with the thread itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from crm.accounts.models import User
from crm.audit.services import Target, record, snapshot
from crm.companies.models import Company, Priority
from crm.companies.policy import can_maintain_register
from crm.db import utcnow
from crm.designations.queries import focal_person_id
from crm.errors import Conflict, Forbidden, Invalid, NotFound
from crm.http import MAX_ID
from crm.organisations.models import Organisation
from crm.threads import policy
from crm.threads.models import Stage, StageChange, Thread
from crm.validation import FieldErrors, length_errors, merge

MAX_TEXT = 20_000  # objective, our ask, their position: Text columns, but not unbounded
LONG_TEXTS = ("objective", "our_ask", "their_position")
AUDITED_FIELDS = ("title", "objective", "our_ask", "their_position", "stage", "priority", "lead_organisation_id",
                  "target_date", "next_step", "next_step_owner_id")  # fmt: skip
REFUSAL = "Only the chair, the secretariat and the focal person create and edit negotiation threads."
CONFLICT = "This thread was changed by someone else meanwhile. Check the current record, then save again."


@dataclass
class ThreadInput:
    """Everything about a thread a person edits (its stage moves only through change_stage)."""

    title: str
    company_ids: list[int] = field(default_factory=list)
    objective: str = ""
    our_ask: str = ""
    their_position: str = ""
    priority: Priority = Priority.MEDIUM
    lead_organisation_id: int | None = None
    target_date: date | None = None
    next_step: str = ""
    next_step_owner_id: int | None = None

    def cleaned(self) -> ThreadInput:
        """The same input with text trimmed and company ids de-duplicated (order kept)."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        # Enums are str too (StrEnum): only plain text is trimmed.
        texts = {name: value.strip() for name, value in values.items() if type(value) is str}
        return ThreadInput(**{**self.__dict__, **texts, "company_ids": list(dict.fromkeys(self.company_ids))})

    @classmethod
    def of(cls, thread: Thread) -> ThreadInput:
        """The current values of a thread (for partial updates such as an API PATCH)."""
        values = {f.name: getattr(thread, f.name) for f in fields(cls) if f.name != "company_ids"}
        return cls(**values, company_ids=[company.id for company in thread.companies])


def can_maintain(session: Session, *, actor: User) -> bool:
    """Whether the actor keeps the register now (views ask it only to hide buttons)."""
    return can_maintain_register(actor, is_focal_person=focal_person_id(session) == actor.id)


def _require_maintainer(session: Session, actor: User) -> None:
    if not can_maintain(session, actor=actor):
        raise Forbidden(REFUSAL, code=policy.NOT_PERMITTED)


def _known(session: Session, model: type[Any], ids: list[int]) -> set[int]:
    """Which of `ids` name a row of `model` (out-of-range ids name none, without a query)."""
    valid = [i for i in ids if 1 <= i <= MAX_ID]
    if not valid:
        return set()
    return set(session.scalars(select(model.id).where(model.id.in_(valid))))


def _reference_errors(session: Session, data: ThreadInput) -> FieldErrors:
    errors: FieldErrors = {}
    if not data.company_ids:
        errors["company_ids"] = ["Choose at least one company."]
    elif _known(session, Company, data.company_ids) != set(data.company_ids):
        errors["company_ids"] = ["Choose companies from the list."]
    organisation = data.lead_organisation_id
    if organisation is not None and not _known(session, Organisation, [organisation]):
        errors["lead_organisation_id"] = ["Choose the lead organisation from the list, or none."]
    owner = data.next_step_owner_id
    if owner is not None and not _active_user(session, owner):
        errors["next_step_owner_id"] = ["Choose an active user as the owner of the next step, or none."]
    return errors


def _active_user(session: Session, user_id: int) -> bool:
    user = session.get(User, user_id) if 1 <= user_id <= MAX_ID else None
    return user is not None and user.is_active


def _validate(session: Session, data: ThreadInput) -> FieldErrors:
    errors = length_errors(Thread, {"title": data.title, "next_step": data.next_step})
    if not data.title:
        errors.setdefault("title", []).append("Give the thread a title.")
    for name in LONG_TEXTS:
        if len(getattr(data, name)) > MAX_TEXT:
            errors[name] = [f"Use at most {MAX_TEXT} characters (this has {len(getattr(data, name))})."]
    return merge(errors, _reference_errors(session, data))


def _apply(session: Session, thread: Thread, data: ThreadInput) -> None:
    # The companies are read first, so no autoflush splits the change into two versions.
    companies = list(session.scalars(select(Company).where(Company.id.in_(data.company_ids))))
    for name in AUDITED_FIELDS:
        if name != "stage":
            setattr(thread, name, getattr(data, name))
    thread.companies = companies
    # A change of companies alone touches no column: this makes the version move with it.
    thread.updated_at = utcnow()


def _audit_state(thread: Thread) -> dict[str, Any]:
    return {**snapshot(thread, *AUDITED_FIELDS), "company_ids": sorted(c.id for c in thread.companies)}


def _add_stage_change(
    session: Session, actor: User, thread: Thread, from_stage: Stage | None, note: str
) -> StageChange:
    """Keep the move of `thread` from `from_stage` (None at its creation) to its stage now."""
    change = StageChange(thread_id=thread.id, from_stage=from_stage, to_stage=thread.stage, note=note,
                         changed_by_id=actor.id)  # fmt: skip
    session.add(change)
    session.flush()
    return change


def create_thread(
    session: Session, *, actor: User, data: ThreadInput, stage: Stage = Stage.IDENTIFIED, note: str = ""
) -> Thread:
    """Open a negotiation thread with one or more existing companies, at `stage`.

    Writes the thread, its first StageChange (None → `stage`) and one audit event. Raises
    Forbidden (not_permitted) before anything is written, or Invalid with field errors.
    """
    _require_maintainer(session, actor)
    data, note = data.cleaned(), note.strip()
    errors = merge(_validate(session, data), policy.stage_change_errors(None, stage, note),
                   length_errors(StageChange, {"note": note}))  # fmt: skip
    if errors:
        raise Invalid("The thread was not created: please correct the fields shown.", fields=errors)
    thread = Thread(stage=stage, created_by_id=actor.id)
    _apply(session, thread, data)
    session.add(thread)
    session.flush()
    _add_stage_change(session, actor, thread, None, note)
    record(session, actor=actor, action="thread.create", target=Target.of(thread), after=_audit_state(thread))
    return thread


def _get_for_change(session: Session, actor: User, thread_id: int, version: int | None) -> Thread:
    _require_maintainer(session, actor)
    thread = session.get(Thread, thread_id, options=[selectinload(Thread.companies)]) if thread_id <= MAX_ID else None
    if thread is None:
        raise NotFound("There is no such negotiation thread.")
    if version is not None and version != thread.version:
        raise Conflict(CONFLICT)
    return thread


def _flush(session: Session) -> None:
    """Flush; a concurrent edit caught by the version column is a Conflict, not a crash."""
    try:
        session.flush()
    except StaleDataError:
        raise Conflict(CONFLICT) from None


def update_thread(session: Session, *, actor: User, thread_id: int, version: int | None, data: ThreadInput) -> Thread:
    """Edit every field of a thread except its stage (see change_stage).

    Raises Forbidden (not_permitted), NotFound, Conflict (a stale `version`: someone saved
    meanwhile) or Invalid; nothing is written when it raises. Audited with before and after.
    """
    thread = _get_for_change(session, actor, thread_id, version)
    data = data.cleaned()
    errors = _validate(session, data)
    if errors:
        raise Invalid("The thread was not saved: please correct the fields shown.", fields=errors)
    before = _audit_state(thread)
    _apply(session, thread, data)
    _flush(session)
    record(session, actor=actor, action="thread.update", target=Target.of(thread), before=before,
           after=_audit_state(thread))  # fmt: skip
    return thread


def change_stage(
    session: Session, *, actor: User, thread_id: int, stage: Stage, note: str = "", version: int | None
) -> StageChange:
    """Move a thread to another stage, keeping who moved it, when and why.

    Any stage may follow any other except itself; closed and abandoned need a note. Raises
    Forbidden (not_permitted), NotFound, Conflict (stale `version`) or Invalid; nothing is
    written when it raises.
    """
    thread = _get_for_change(session, actor, thread_id, version)
    note = note.strip()
    errors = merge(policy.stage_change_errors(thread.stage, stage, note), length_errors(StageChange, {"note": note}))
    if errors:
        raise Invalid("The stage was not changed: please correct the fields shown.", fields=errors)
    before = thread.stage
    thread.stage = stage
    _flush(session)  # the version check first: a concurrent save leaves no stage change behind
    change = _add_stage_change(session, actor, thread, before, note)
    after = {"stage": stage.value, "note": note, "stage_change_id": change.id}
    record(session, actor=actor, action="thread.change_stage", target=Target.of(thread),
           before={"stage": before.value}, after=after)  # fmt: skip
    return change


def record_export(session: Session, *, actor: User, rows: int, filters: dict[str, Any]) -> None:
    """R8: an export of the thread list is audited (what was asked for, how many rows)."""
    record(session, actor=actor, action="thread.export", target=Target("threads", "csv"),
           after={"rows": rows, "filters": filters})  # fmt: skip
