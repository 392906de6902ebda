"""Who may read, keep and report on directives. Pure predicates (no session, no Flask).

The secretariat keeps the tracker (DESIGN.md §1) with the chair: they create and edit
directives, record milestones and supersede. The organisations a directive names report
progress on it and say how it stands (status, reason for delay); the keepers may do so too,
e.g. when a ministry's progress arrives by letter.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from crm.accounts.models import Role, User
from crm.directives.models import Directive, DirectiveStatus

NOT_PERMITTED = "not_permitted"
NOT_ACTION_BY = "not_action_by"

VIEW_ROLES = frozenset({Role.CHAIR, Role.SECRETARIAT, Role.MEMBER, Role.OBSERVER})
KEEPER_ROLES = frozenset({Role.CHAIR, Role.SECRETARIAT})


def can_view(actor: User) -> bool:
    """Every active user with a content role reads the tracker, its reports and files."""
    return actor.is_active and actor.role in VIEW_ROLES


def can_keep(actor: User) -> bool:
    """The chair and the secretariat create, edit and supersede directives and record milestones."""
    return actor.is_active and actor.role in KEEPER_ROLES


def is_action_by_member(actor: User, organisation_ids: Collection[int]) -> bool:
    """A member of one of the organisations the directive is for."""
    return actor.is_active and actor.role is Role.MEMBER and actor.organisation_id in organisation_ids


def can_report(actor: User, organisation_ids: Collection[int]) -> bool:
    """Progress reports and status: the keepers, and members of an action-by organisation."""
    return can_keep(actor) or is_action_by_member(actor, organisation_ids)


def can_report_for(actor: User, organisation_id: int, organisation_ids: Collection[int]) -> bool:
    """A member reports for their own organisation; the keepers for any organisation."""
    return can_keep(actor) or (
        is_action_by_member(actor, organisation_ids) and organisation_id == actor.organisation_id
    )


def is_behind(directive: Directive, today: date) -> bool:
    """Open and past its due date: the tracker says "behind schedule" in words."""
    return directive.is_overdue(today)


def status_errors(directive: Directive, new: DirectiveStatus, delay_reason: str, today: date) -> dict[str, list[str]]:
    """Field errors for setting `new` on `directive` with `delay_reason`.

    Superseding has its own path (it names the directive that replaces it). A directive that
    is behind schedule (declared so, or still open past its due date) needs a reason for the
    delay, which the PMO's progress report asks for.
    """
    if new is DirectiveStatus.SUPERSEDED:
        return {"status": ["Supersede a directive with its own action, naming the directive that replaces it."]}
    late = new is DirectiveStatus.BEHIND_SCHEDULE or (
        new.is_open and directive.due_date is not None and directive.due_date < today
    )
    if late and not delay_reason.strip():
        return {"delay_reason": ["The directive is behind schedule: give the reason for the delay."]}
    return {}
