"""Data requests (direction 4): who reads, asks, answers and closes. Pure predicates.

The group asks; the asked organisation answers. The secretariat and the chair file requests
and mark them answered, closed or cancelled. Members (and the secretariat or chair) of the
requested organisation answer, as often as needed, while the request is open or answered.
The PM's direction is that ministries share data *with the group*, so every content role
reads the requests and every response (an admin's role is accounts); nothing here carries a
classification.

Each `*_refusal` returns None when allowed, or the code the API shows as `error.code`.
"""

from __future__ import annotations

from crm.accounts.models import Role, User
from crm.datarequests.models import DataRequest, DataRequestStatus

NOT_PERMITTED = "not_permitted"
NOT_KEEPER = "not_keeper"
NOT_REQUESTED_ORGANISATION = "not_requested_organisation"
REQUEST_CLOSED = "request_closed"

VIEW_ROLES = frozenset({Role.CHAIR, Role.SECRETARIAT, Role.MEMBER, Role.OBSERVER})
KEEPER_ROLES = frozenset({Role.CHAIR, Role.SECRETARIAT})
ANSWER_ROLES = frozenset({Role.CHAIR, Role.SECRETARIAT, Role.MEMBER})
ANSWERABLE = frozenset({DataRequestStatus.OPEN, DataRequestStatus.ANSWERED})
# Any status may follow any other but itself: a closed request may be reopened, an answered
# one found incomplete goes back to open.
STATUSES = tuple(DataRequestStatus)


def can_view(actor: User) -> bool:
    """Every active content role reads requests and responses (the group shares the data)."""
    return actor.is_active and actor.role in VIEW_ROLES


def keeper_refusal(actor: User) -> str | None:
    """Filing, editing and marking requests: the secretariat and the chair."""
    return None if actor.is_active and actor.role in KEEPER_ROLES else NOT_KEEPER


def respond_refusal(actor: User, request: DataRequest) -> str | None:
    """Answering: an acting user of the requested organisation, while the request is open or answered."""
    if not actor.is_active or actor.role not in ANSWER_ROLES:
        return NOT_PERMITTED
    if actor.organisation_id != request.requested_from_id:
        return NOT_REQUESTED_ORGANISATION
    return None if request.status in ANSWERABLE else REQUEST_CLOSED


REFUSAL_MESSAGES = {
    NOT_PERMITTED: "Your role does not answer data requests.",
    NOT_KEEPER: "Only the secretariat or the chair files data requests and changes their status.",
    NOT_REQUESTED_ORGANISATION: "Only the requested organisation's people answer this request.",
    REQUEST_CLOSED: "This request is closed or cancelled: it takes no more responses.",
}
