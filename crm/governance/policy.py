"""Who may move nominations (direction 3) and recommendations (direction 2). Pure predicates.

The secretariat and the chair keep both paths. The step from a nomination to a designation
is R1's: only the chair records a designation, so only the chair records the PM's approval.
"""

from __future__ import annotations

from crm.accounts.models import Role, User
from crm.governance.models import NominationStatus, RecommendationStatus

NOT_PERMITTED = "not_permitted"
NOT_CHAIR = "not_chair"
WRONG_STATE = "wrong_state"

VIEW_ROLES = frozenset({Role.CHAIR, Role.SECRETARIAT, Role.MEMBER, Role.OBSERVER})
KEEPER_ROLES = frozenset({Role.CHAIR, Role.SECRETARIAT})

# Where each step of a nomination may start from.
NOMINATION_STEPS: dict[str, frozenset[NominationStatus]] = {
    "recommend": frozenset({NominationStatus.PROPOSED}),
    "approve": frozenset({NominationStatus.RECOMMENDED}),
    "not_approved": frozenset({NominationStatus.RECOMMENDED}),
    "withdrawn": frozenset({NominationStatus.PROPOSED, NominationStatus.RECOMMENDED}),
}
# Where each step of a recommendation may start from: a returned one is reworked and routed again.
RECOMMENDATION_STEPS: dict[str, frozenset[RecommendationStatus]] = {
    "edit": frozenset({RecommendationStatus.DRAFT, RecommendationStatus.RETURNED}),
    "route": frozenset({RecommendationStatus.DRAFT, RecommendationStatus.RETURNED}),
    "decide": frozenset({RecommendationStatus.ROUTED}),
}
DECISIONS = (RecommendationStatus.ACCEPTED, RecommendationStatus.REJECTED, RecommendationStatus.RETURNED)


def can_view(actor: User) -> bool:
    """Everyone with a content role reads nominations and recommendations."""
    return actor.is_active and actor.role in VIEW_ROLES


def can_keep(actor: User) -> bool:
    """The chair and the secretariat propose, record consensus, route and record decisions."""
    return actor.is_active and actor.role in KEEPER_ROLES


def can_approve(actor: User) -> bool:
    """Recording the PM's approval records the designation (R1): the chair only."""
    return actor.is_active and actor.role is Role.CHAIR


def nomination_step_allowed(step: str, status: NominationStatus) -> bool:
    """Whether `step` may follow a nomination's present `status`."""
    return status in NOMINATION_STEPS[step]


def recommendation_step_allowed(step: str, status: RecommendationStatus) -> bool:
    """Whether `step` may follow a recommendation's present `status`."""
    return status in RECOMMENDATION_STEPS[step]
