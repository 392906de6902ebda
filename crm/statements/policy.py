"""Statements register (direction 5, rule R3): who drafts, who issues. Pure predicates.

Each `*_refusal` returns None when allowed, or the code the API shows as `error.code`.
"""

from __future__ import annotations

from crm.accounts.models import Role, User

NOT_PERMITTED = "not_permitted"
NOT_AUTHORIZED_SPOKESPERSON = "not_authorized_spokesperson"

# Everyone who works with the content reads the register; an admin's role is accounts.
VIEW_ROLES = frozenset({Role.CHAIR, Role.SECRETARIAT, Role.MEMBER, Role.OBSERVER})
# Those who record for the group may draft (observers only read).
DRAFT_ROLES = frozenset({Role.CHAIR, Role.SECRETARIAT, Role.MEMBER})


def can_view(actor: User) -> bool:
    """Every active user with a content role reads the register, drafts included."""
    return actor.is_active and actor.role in VIEW_ROLES


def draft_refusal(actor: User) -> str | None:
    """Drafting a statement, or editing a draft: the chair, the secretariat and members."""
    return None if actor.is_active and actor.role in DRAFT_ROLES else NOT_PERMITTED


def issue_refusal(actor: User, *, spokesperson_id: int | None, in_lead_ministry: bool) -> str | None:
    """R3: only a user of the lead ministry (MoIT) who records for the group, or the holder of
    the spokesperson designation, issues (or withdraws) a public statement."""
    if not actor.is_active:
        return NOT_AUTHORIZED_SPOKESPERSON
    if spokesperson_id is not None and actor.id == spokesperson_id:
        return None
    if in_lead_ministry and actor.role in DRAFT_ROLES:
        return None
    return NOT_AUTHORIZED_SPOKESPERSON


REFUSAL_MESSAGES = {
    NOT_PERMITTED: "Your role does not draft statements: the chair, the secretariat and members do.",
    NOT_AUTHORIZED_SPOKESPERSON: "Only the lead ministry (MoIT) or the designated spokesperson speaks publicly "
    "for the group (the Prime Minister's direction 5): they issue statements. Your draft is kept; "
    "ask them to issue it.",
}
