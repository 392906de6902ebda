"""Who may find what: the features' own predicates, applied to search. Pure (no session, no Flask).

Search implements no access rule of its own. For each kind of document it asks the predicate
of the feature the record belongs to:
- companies, contacts, threads and the fact that an engagement happened (subject, summary):
  the register rule `companies.policy.can_read_register` (everyone signed in; R5 says all
  may see that an engagement happened);
- commitments, directives, draft reviews, data requests, statements (drafts included: the
  statements register shows drafts to every content role) and WG meetings (agenda): each
  feature's `can_view`;
- engagement minutes: R5 itself, `engagements.policy.minutes_refusal` (clearance at least the
  classification AND focal person, chair, secretariat or a live notes grant);
- WG meeting minutes: `meetings.policy.minutes_refusal` (the same rule, no grant path).

`Scope` turns those answers into what the SQL needs (kinds, classification levels, granted
engagements and threads), computed by asking the predicates for each classification level;
`may_see` asks them again, per result, as the second line of defence.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass

from crm.accounts.models import Clearance, User
from crm.commitments import policy as commitments
from crm.companies import policy as companies
from crm.datarequests import policy as datarequests
from crm.directives import policy as directives
from crm.engagements import policy as engagements
from crm.meetings import policy as meetings
from crm.reviews import policy as reviews
from crm.search.models import Kind
from crm.statements import policy as statements

# The record kinds whose documents hold nothing guarded beyond the feature's own view rule.
VIEW_RULES: dict[Kind, Callable[[User], bool]] = {
    Kind.COMPANY: companies.can_read_register,
    Kind.CONTACT: companies.can_read_register,
    Kind.THREAD: companies.can_read_register,
    Kind.ENGAGEMENT: companies.can_read_register,
    Kind.COMMITMENT: commitments.can_view,
    Kind.DIRECTIVE: directives.can_view,
    Kind.DRAFT_REVIEW: reviews.can_view,
    Kind.DATA_REQUEST: datarequests.can_view,
    Kind.STATEMENT: statements.can_view,
    Kind.MEETING: meetings.can_view,
}


@dataclass(frozen=True)
class Grants:
    """The reader's live notes grants: engagements named, and threads named (all their engagements)."""

    engagement_ids: frozenset[int] = frozenset()
    thread_ids: frozenset[int] = frozenset()

    def cover(self, engagement_id: int, thread_id: int | None) -> bool:
        return engagement_id in self.engagement_ids or (thread_id is not None and thread_id in self.thread_ids)


@dataclass(frozen=True)
class Scope:
    """What one reader may find, in the terms the SQL filter uses."""

    kinds: frozenset[Kind]  # whole kinds, no further condition
    minutes_levels: frozenset[Clearance]  # engagement minutes open by clearance and standing
    grant_levels: frozenset[Clearance]  # engagement minutes open by clearance and a live grant
    grants: Grants
    meeting_minutes_levels: frozenset[Clearance]

    @property
    def needs_grants(self) -> bool:
        return bool(self.grant_levels)


def _engagement_minutes_refusal(
    reader: User, level: Clearance, *, is_focal_person: bool, has_grant: bool
) -> str | None:
    if not companies.can_read_register(reader):
        return engagements.NOT_PERMITTED
    return engagements.minutes_refusal(reader, level, is_focal_person=is_focal_person, has_grant=has_grant)


def _meeting_minutes_refusal(reader: User, level: Clearance, *, is_focal_person: bool) -> str | None:
    if not meetings.can_view(reader):
        return meetings.NOT_PERMITTED
    return meetings.minutes_refusal(reader, level, is_focal_person=is_focal_person)


def scope_for(reader: User, *, is_focal_person: bool, grants: Grants | None = None) -> Scope:
    """The reader's scope. Call first without grants: when `needs_grants`, load them and call again."""
    standing = frozenset(
        level for level in Clearance
        if _engagement_minutes_refusal(reader, level, is_focal_person=is_focal_person, has_grant=False) is None
    )  # fmt: skip
    by_grant = frozenset(
        level for level in Clearance if level not in standing
        and _engagement_minutes_refusal(reader, level, is_focal_person=is_focal_person, has_grant=True) is None
    )  # fmt: skip
    return Scope(
        kinds=frozenset(kind for kind, rule in VIEW_RULES.items() if rule(reader)),
        minutes_levels=standing,
        grant_levels=by_grant,
        grants=grants or Grants(),
        meeting_minutes_levels=frozenset(
            level
            for level in Clearance
            if _meeting_minutes_refusal(reader, level, is_focal_person=is_focal_person) is None
        ),  # fmt: skip
    )


@dataclass(frozen=True)
class Found:
    """A result as the second check sees it: the kind, and for minutes the record as stored now."""

    kind: Kind
    record_id: int
    classification: Clearance | None = None
    thread_id: int | None = None


def may_see(reader: User, found: Found, *, is_focal_person: bool, grants: Grants) -> bool:
    """Ask the features' predicates again for one result (minutes: about the record as stored)."""
    if found.kind is Kind.ENGAGEMENT_MINUTES:
        has_grant = grants.cover(found.record_id, found.thread_id)
        return found.classification is not None and _engagement_minutes_refusal(
            reader, found.classification, is_focal_person=is_focal_person, has_grant=has_grant
        ) is None  # fmt: skip
    if found.kind is Kind.MEETING_MINUTES:
        return found.classification is not None and _meeting_minutes_refusal(
            reader, found.classification, is_focal_person=is_focal_person
        ) is None  # fmt: skip
    rule = VIEW_RULES.get(found.kind)
    return rule is not None and rule(reader)


def kinds_wanted(families: Collection[Kind]) -> frozenset[Kind]:
    """The document kinds of the record kinds a reader filters by (an engagement's minutes too)."""
    return frozenset(kind for kind in Kind if kind.family in families)
