"""Direction 3 (nomination → consensus → PM's approval → designation) and direction 2
(recommendation → routed to the competent authority → decision)."""

from __future__ import annotations

from datetime import date

import pytest

from crm.designations.models import Designation, DesignationKind
from crm.directives.models import Directive, Milestone, MilestoneRecord
from crm.errors import Conflict, Forbidden, Invalid
from crm.governance import services
from crm.governance.models import Nomination, NominationStatus, Recommendation, RecommendationStatus
from tests.channel.factories import fresh


def propose(seed, world, nominee):
    return seed(
        lambda s: services.propose_nomination(
            s, actor=fresh(s, world.secretariat), kind=DesignationKind.FOCAL_PERSON, nominee_id=nominee.id
        )
    )


def recommend(seed, world, n):
    return seed(
        lambda s: services.recommend_nomination(
            s,
            actor=fresh(s, world.secretariat),
            nomination_id=n.id,
            version=n.version,
            recommended_on=date(2021, 11, 1),
            consensus_note="Agreed unanimously at the second meeting.",
        )
    )


def test_the_path_ends_in_a_designation_recorded_by_the_chair(world, seed):
    n = recommend(seed, world, propose(seed, world, world.moit))
    assert n.status is NominationStatus.RECOMMENDED
    approved = seed(
        lambda s: services.approve_nomination(
            s,
            actor=fresh(s, world.chair),
            nomination_id=n.id,
            version=n.version,
            approval_ref="PM-Sectt 123/2021",
            approved_on=date(2021, 11, 10),
        )
    )
    designation = seed(lambda s: s.get(Designation, approved.designation_id))
    assert approved.status is NominationStatus.APPROVED
    assert designation.user_id == world.moit.id
    assert designation.approval_ref == "PM-Sectt 123/2021"
    assert designation.ended_at is None
    assert designation.kind is DesignationKind.FOCAL_PERSON


def test_the_consensus_resolves_direction_3s_due_date(world, seed):
    recommend(seed, world, propose(seed, world, world.moit))
    due, milestone = seed(
        lambda s: (
            s.get(Directive, world.directives["3"].id).due_date,
            s.get(MilestoneRecord, Milestone.FOCAL_PERSON_NOMINATED),
        )
    )
    assert due == date(2021, 11, 1)
    assert milestone.occurred_on == date(2021, 11, 1)


def test_only_the_chair_approves_and_a_refusal_writes_nothing(world, seed, rows):
    n = recommend(seed, world, propose(seed, world, world.moit))
    before = rows(Nomination, Designation)
    with pytest.raises(Forbidden) as error:
        seed(
            lambda s: services.approve_nomination(
                s,
                actor=fresh(s, world.secretariat),
                nomination_id=n.id,
                version=n.version,
                approval_ref="X",
                approved_on=date(2021, 11, 10),
            )
        )
    assert error.value.code == "not_chair"
    assert rows(Nomination, Designation) == before


def test_approving_needs_the_consensus_first(world, seed, rows):
    n = propose(seed, world, world.moit)
    before = rows(Nomination, Designation)
    with pytest.raises(Conflict) as error:
        seed(
            lambda s: services.approve_nomination(
                s,
                actor=fresh(s, world.chair),
                nomination_id=n.id,
                version=n.version,
                approval_ref="X",
                approved_on=date(2021, 11, 10),
            )
        )
    assert error.value.code == "wrong_state"
    assert rows(Nomination, Designation) == before


def test_members_do_not_propose_and_observers_cannot_be_nominated(world, seed, rows):
    before = rows(Nomination)
    with pytest.raises(Forbidden):
        seed(
            lambda s: services.propose_nomination(
                s, actor=fresh(s, world.law), kind=DesignationKind.FOCAL_PERSON, nominee_id=world.moit.id
            )
        )
    with pytest.raises(Invalid):
        propose(seed, world, world.observer)
    assert rows(Nomination) == before


def test_a_nomination_can_be_withdrawn_with_a_note_or_not_approved(world, seed):
    n = propose(seed, world, world.moit)
    with pytest.raises(Invalid):
        seed(
            lambda s: services.close_nomination(
                s,
                actor=fresh(s, world.chair),
                nomination_id=n.id,
                version=n.version,
                outcome=NominationStatus.WITHDRAWN,
            )
        )
    done = seed(
        lambda s: services.close_nomination(
            s,
            actor=fresh(s, world.chair),
            nomination_id=n.id,
            version=n.version,
            outcome=NominationStatus.WITHDRAWN,
            note="Nominee moved abroad",
        )
    )
    assert done.status is NominationStatus.WITHDRAWN


def test_a_recommendation_is_routed_then_decided(world, seed, rows):
    item = seed(
        lambda s: services.draft_recommendation(
            s, actor=fresh(s, world.secretariat), title="Local data-protection law", text="Enact it."
        )
    )
    before = rows(Recommendation)
    with pytest.raises(Conflict):  # not routed yet
        seed(
            lambda s: services.record_decision(
                s,
                actor=fresh(s, world.chair),
                recommendation_id=item.id,
                version=item.version,
                outcome=RecommendationStatus.ACCEPTED,
                decision="OK",
                decided_on=date(2021, 12, 1),
            )
        )
    with pytest.raises(Forbidden):
        seed(
            lambda s: services.route_recommendation(
                s,
                actor=fresh(s, world.law),
                recommendation_id=item.id,
                version=item.version,
                authority="Federal Cabinet",
                authority_organisation_id=None,
                routed_on=date(2021, 11, 20),
                routing_ref="Summary 1",
            )
        )
    assert rows(Recommendation) == before
    routed = seed(
        lambda s: services.route_recommendation(
            s,
            actor=fresh(s, world.secretariat),
            recommendation_id=item.id,
            version=item.version,
            authority="Federal Cabinet",
            authority_organisation_id=None,
            routed_on=date(2021, 11, 20),
            routing_ref="Summary No. 1/2021",
        )
    )
    decided = seed(
        lambda s: services.record_decision(
            s,
            actor=fresh(s, world.chair),
            recommendation_id=item.id,
            version=routed.version,
            outcome=RecommendationStatus.RETURNED,
            decision="Consult the provinces",
            decided_on=date(2021, 12, 1),
        )
    )
    assert decided.status is RecommendationStatus.RETURNED
    assert decided.routed_on == date(2021, 11, 20)
    with pytest.raises(Invalid) as error:  # a returned one is routed again, naming the authority
        seed(
            lambda s: services.route_recommendation(
                s,
                actor=fresh(s, world.secretariat),
                recommendation_id=item.id,
                version=decided.version,
                authority="",
                authority_organisation_id=None,
                routed_on=date(2021, 12, 2),
                routing_ref="S2",
            )
        )
    assert "authority" in error.value.fields
