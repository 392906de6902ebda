"""Pages of direction 3 (focal-person nominations: consensus → PM's approval → designation)
and direction 2 (recommendations routed to the competent authority, and the decision)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from crm.authz import actor, require_login
from crm.db import get_session
from crm.designations.models import DesignationKind
from crm.designations.queries import eligible_holders
from crm.errors import Forbidden, NotFound
from crm.followups.forms import lines
from crm.governance import policy, queries, services
from crm.governance.forms import (
    ApproveForm,
    CloseForm,
    DecisionForm,
    ProposeForm,
    RecommendationForm,
    RecommendForm,
    RouteForm,
)
from crm.governance.models import Nomination, NominationStatus, Recommendation, RecommendationStatus
from crm.http import db_id, submit_form
from crm.organisations.queries import list_organisations

bp = Blueprint("governance", __name__, url_prefix="/governance")
require_login(bp)

Page = Response | str | tuple[str, int]


@bp.before_request
def _readers_only() -> None:
    if not policy.can_view(actor()):
        raise Forbidden("Nominations and recommendations are for the chair, the secretariat, members and observers.")


def _require_keeper() -> None:
    if not policy.can_keep(actor()):
        raise Forbidden(services.KEEPERS_ONLY, code=policy.NOT_PERMITTED)


def _meetings(field: Any) -> None:
    field.choices = [SelectChoice("", "None")] + [SelectChoice(*m) for m in queries.meeting_choices(get_session())]


# Nominations (direction 3).


def _propose_form() -> ProposeForm:
    form = ProposeForm()
    form.nominee_id.choices = [SelectChoice("", "Choose…")] + [
        SelectChoice(u.id, f"{u.full_name} — {u.organisation.short_name}") for u in eligible_holders(get_session())
    ]
    return form


PAGE_SIZE = 50


def _page(rows: list[Any]) -> dict[str, Any]:
    """PAGE_SIZE + 1 rows were read: the extra one says there is a next page (keyset on id)."""
    return {"rows": rows[:PAGE_SIZE], "next_after": rows[PAGE_SIZE - 1].id if len(rows) > PAGE_SIZE else None}


@bp.route("/nominations")
def nominations() -> str:
    after = request.args.get("after", type=db_id)
    rows = queries.list_nominations(get_session(), after_id=after, limit=PAGE_SIZE + 1)
    return render_template("governance/nominations.html", **_page(rows), can_keep=policy.can_keep(actor()),
                           form=_propose_form() if policy.can_keep(actor()) else None)  # fmt: skip


@bp.route("/nominations", methods=["POST"])
def propose() -> Page:
    _require_keeper()
    form = _propose_form()
    saved, outcome = submit_form(
        form, lambda session: services.propose_nomination(session, actor=actor(),
                                                           kind=DesignationKind(form.kind.data),
                                                           nominee_id=form.nominee_id.data or 0),
        lambda **kw: render_template("governance/nominations.html", rows=queries.list_nominations(get_session()),
                                     can_keep=True, form=form, **kw),
    )  # fmt: skip
    return _done(saved, outcome, "The nomination is proposed.", "governance.nomination", nomination_id=_id(outcome))


def _id(outcome: Any) -> int:
    return getattr(outcome, "id", 0)


def _done(saved: bool, outcome: Any, message: str, endpoint: str, **values: Any) -> Page:
    if not saved:
        return outcome
    flash(message, "success")
    return redirect(url_for(endpoint, **values))


def _nomination(nomination_id: int) -> Nomination:
    nomination = queries.get_nomination(get_session(), nomination_id)
    if nomination is None:
        raise NotFound("There is no such nomination.")
    return nomination


def _nomination_page(nomination_id: int, *, conflict: bool = False, **forms: Any) -> str:
    nomination, user = _nomination(nomination_id), actor()
    version = {"version": nomination.version}
    recommend = forms.get("recommend") or RecommendForm(formdata=None, **version)
    _meetings(recommend.meeting_id)
    titles = queries.meeting_titles(get_session(), {nomination.meeting_id} if nomination.meeting_id else set())
    return render_template(
        "governance/nomination.html", nomination=nomination, kind=DesignationKind(nomination.kind),
        meeting=titles.get(nomination.meeting_id or 0), recommend=recommend,
        approve=forms.get("approve") or ApproveForm(formdata=None, **version),
        close=forms.get("close") or CloseForm(formdata=None, **version), can_keep=policy.can_keep(user),
        can_approve=policy.can_approve(user), conflict=conflict, statuses=NominationStatus,
        current_url=url_for("governance.nomination", nomination_id=nomination_id),
    )  # fmt: skip


@bp.route("/nominations/<int:nomination_id>")
def nomination(nomination_id: int) -> str:
    return _nomination_page(nomination_id)


@bp.route("/nominations/<int:nomination_id>/recommend", methods=["POST"])
def recommend(nomination_id: int) -> Page:
    form = RecommendForm()
    _meetings(form.meeting_id)
    saved, outcome = submit_form(
        form, lambda session: services.recommend_nomination(
            session, actor=actor(), nomination_id=nomination_id, version=form.version.data,
            recommended_on=form.recommended_on.data, consensus_note=lines(form.consensus_note.data),
            meeting_id=form.meeting_id.data),
        lambda **kw: _nomination_page(nomination_id, recommend=form, **kw),
    )  # fmt: skip
    return _done(saved, outcome, "The group's recommendation is recorded.", "governance.nomination",
                 nomination_id=nomination_id)  # fmt: skip


@bp.route("/nominations/<int:nomination_id>/approve", methods=["POST"])
def approve(nomination_id: int) -> Page:
    form = ApproveForm()
    saved, outcome = submit_form(
        form, lambda session: services.approve_nomination(
            session, actor=actor(), nomination_id=nomination_id, version=form.version.data,
            approval_ref=form.approval_ref.data or "", approved_on=form.approved_on.data),
        lambda **kw: _nomination_page(nomination_id, approve=form, **kw),
    )  # fmt: skip
    return _done(saved, outcome, "The PM's approval and the designation are recorded.", "governance.nomination",
                 nomination_id=nomination_id)  # fmt: skip


@bp.route("/nominations/<int:nomination_id>/close", methods=["POST"])
def close(nomination_id: int) -> Page:
    form = CloseForm()
    saved, outcome = submit_form(
        form, lambda session: services.close_nomination(
            session, actor=actor(), nomination_id=nomination_id, version=form.version.data,
            outcome=NominationStatus(form.outcome.data), note=lines(form.note.data),
            reference=form.reference.data or ""),
        lambda **kw: _nomination_page(nomination_id, close=form, **kw),
    )  # fmt: skip
    return _done(saved, outcome, "The nomination is closed.", "governance.nomination", nomination_id=nomination_id)


# Recommendations (direction 2).


@bp.route("/recommendations")
def recommendations() -> str:
    after = request.args.get("after", type=db_id)
    rows = queries.list_recommendations(get_session(), after_id=after, limit=PAGE_SIZE + 1)
    return render_template("governance/recommendations.html", **_page(rows), can_keep=policy.can_keep(actor()))


@bp.route("/recommendations/new", methods=["GET", "POST"])
def new_recommendation() -> Page:
    _require_keeper()
    form = RecommendationForm()
    _meetings(form.meeting_id)
    saved, outcome = submit_form(
        form, lambda session: services.draft_recommendation(
            session, actor=actor(), title=form.title.data or "", text=lines(form.text.data),
            meeting_id=form.meeting_id.data),
        lambda **kw: render_template("governance/recommendation_form.html", form=form, item=None, **kw),
    )  # fmt: skip
    return _done(saved, outcome, "The recommendation is drafted.", "governance.recommendation",
                 recommendation_id=_id(outcome))  # fmt: skip


def _recommendation(recommendation_id: int) -> Recommendation:
    item = queries.get_recommendation(get_session(), recommendation_id)
    if item is None:
        raise NotFound("There is no such recommendation.")
    return item


def _recommendation_page(recommendation_id: int, *, conflict: bool = False, **forms: Any) -> str:
    item, session = _recommendation(recommendation_id), get_session()
    version = {"version": item.version}
    route = forms.get("route") or RouteForm(formdata=None, **version)
    route.authority_organisation_id.choices = [SelectChoice("", "None")] + [
        SelectChoice(o.id, f"{o.short_name} — {o.name}") for o in list_organisations(session)]  # fmt: skip
    organisations = {o.id: o for o in list_organisations(session)}
    return render_template(
        "governance/recommendation.html", item=item, route=route, statuses=RecommendationStatus,
        decide=forms.get("decide") or DecisionForm(formdata=None, **version), can_keep=policy.can_keep(actor()),
        meeting=queries.meeting_titles(session, {item.meeting_id} if item.meeting_id else set()).get(
            item.meeting_id or 0), authority_org=organisations.get(item.authority_organisation_id or 0),
        conflict=conflict, current_url=url_for("governance.recommendation", recommendation_id=recommendation_id),
    )  # fmt: skip


@bp.route("/recommendations/<int:recommendation_id>")
def recommendation(recommendation_id: int) -> str:
    return _recommendation_page(recommendation_id)


@bp.route("/recommendations/<int:recommendation_id>/route", methods=["POST"])
def route(recommendation_id: int) -> Page:
    form = RouteForm()
    form.authority_organisation_id.choices = []
    saved, outcome = submit_form(
        form, lambda session: services.route_recommendation(
            session, actor=actor(), recommendation_id=recommendation_id, version=form.version.data,
            authority=form.authority.data or "", authority_organisation_id=form.authority_organisation_id.data,
            routed_on=form.routed_on.data, routing_ref=form.routing_ref.data or ""),
        lambda **kw: _recommendation_page(recommendation_id, route=form, **kw),
    )  # fmt: skip
    return _done(saved, outcome, "The recommendation is routed.", "governance.recommendation",
                 recommendation_id=recommendation_id)  # fmt: skip


@bp.route("/recommendations/<int:recommendation_id>/decision", methods=["POST"])
def decide(recommendation_id: int) -> Page:
    form = DecisionForm()
    saved, outcome = submit_form(
        form, lambda session: services.record_decision(
            session, actor=actor(), recommendation_id=recommendation_id, version=form.version.data,
            outcome=RecommendationStatus(form.outcome.data), decision=lines(form.decision.data),
            decided_on=form.decided_on.data),
        lambda **kw: _recommendation_page(recommendation_id, decide=form, **kw),
    )  # fmt: skip
    return _done(saved, outcome, "The decision is recorded.", "governance.recommendation",
                 recommendation_id=recommendation_id)  # fmt: skip
