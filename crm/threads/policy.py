"""The rules of a thread's stages, as pure predicates (no session, no Flask).

Who may create and edit threads is the register rule of crm/companies/policy.py
(`can_maintain_register`): the chair, the secretariat and the focal person.
"""

from __future__ import annotations

from datetime import date

from crm.threads.models import PIPELINE, Stage, Thread

# The board shows the main line in order, then the two side tracks.
BOARD_COLUMNS: tuple[Stage, ...] = (*PIPELINE, Stage.STALLED, Stage.ABANDONED)
# Ending a negotiation is a decision someone must be able to explain later.
NOTE_REQUIRED = frozenset({Stage.CLOSED, Stage.ABANDONED})
NOT_PERMITTED = "not_permitted"


def stage_change_errors(current: Stage | None, new: Stage, note: str) -> dict[str, list[str]]:
    """Field errors for moving a thread from `current` (None at creation) to `new`.

    Any stage may follow any other, except itself; closing or abandoning needs a note.
    """
    errors: dict[str, list[str]] = {}
    if current is new:
        errors["stage"] = [f"The thread is already at the stage “{new.label}”; choose another stage."]
    if new in NOTE_REQUIRED and not note.strip():
        errors["note"] = [f"Say why the thread is {new.label.lower()}: a note is required for this stage."]
    return errors


def is_overdue(thread: Thread, today: date) -> bool:
    """The target date has passed while the thread is still open (not closed or abandoned)."""
    return thread.target_date is not None and thread.target_date < today and thread.stage.is_open
