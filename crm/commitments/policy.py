"""Who may read, record, close and verify commitments. Pure predicates (no session, no Flask).

Recording and editing a commitment, and changing its status, is the register rule of
crm/companies/policy.py (`can_maintain_register`): the chair, the secretariat and the focal
person keep the record of promises as they keep the rest of the register. Verifying that a
promise was kept (or not) is a judgement the PM's directions give to the focal person and
the chair only.

Evidence files carry no classification (a commitment has none): whoever may read the
register may open them, the same rule as the commitment's evidence text.
"""

from __future__ import annotations

from crm.accounts.models import Role, User
from crm.commitments.models import CommitmentStatus
from crm.companies.policy import can_maintain_register

NOT_PERMITTED = "not_permitted"
NOT_VERIFIER = "not_verifier"

# Everyone who works with the content; an admin's role is accounts (DESIGN.md §1).
VIEW_ROLES = frozenset({Role.CHAIR, Role.SECRETARIAT, Role.MEMBER, Role.OBSERVER})
# A status change away from open is a finding someone must be able to explain later.
NOTE_REQUIRED = frozenset(status for status in CommitmentStatus if status.is_closed)


def can_view(actor: User) -> bool:
    """Every active user with a content role reads the register, its evidence and files."""
    return actor.is_active and actor.role in VIEW_ROLES


def can_record(actor: User, *, is_focal_person: bool) -> bool:
    """The register keepers (chair, secretariat, focal person) record, edit, close, reopen
    commitments and attach evidence."""
    return can_maintain_register(actor, is_focal_person=is_focal_person)


def can_verify(actor: User, *, is_focal_person: bool) -> bool:
    """Only the focal person or the chair verifies the outcome of a commitment."""
    return actor.is_active and (is_focal_person or actor.role is Role.CHAIR)


def status_change_errors(current: CommitmentStatus, new: CommitmentStatus, note: str) -> dict[str, list[str]]:
    """Field errors for moving a commitment from `current` to `new`.

    Any status may follow any other (a keeper may reopen), except itself; every status but
    open needs a note saying what happened.
    """
    errors: dict[str, list[str]] = {}
    if current is new:
        errors["status"] = [f"The commitment is already “{new.label.lower()}”; choose another status."]
    if new in NOTE_REQUIRED and not note.strip():
        errors["note"] = [f"Say why the commitment is {new.label.lower()}: a note is required."]
    return errors


REFUSAL_MESSAGES = {
    NOT_PERMITTED: "Only the chair, the secretariat and the focal person record and update commitments.",
    NOT_VERIFIER: "Only the focal person or the chair verifies a commitment.",
}
