"""WG meeting pages: the list, the form to record and edit a meeting, and its page with the
agenda, the minutes under R5 (each read audited), decisions (which may become directives) and
action items (follow-ups linked to the meeting).

Handlers are thin: parse → service (in a savepoint, via crm.http.submit_form) → commit once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from crm.authz import actor, require_login
from crm.datarequests.queries import directive_choices
from crm.db import get_session
from crm.errors import Forbidden, NotFound
from crm.exports import CSV, EXPORT_LIMIT, XLSX, audited_export, highest
from crm.formatting import KARACHI
from crm.http import submit_form, url_if_exists, writes
from crm.markdown import render
from crm.meetings import policy, queries, services
from crm.meetings.forms import (
    ActionItemForm,
    DecisionForm,
    DirectiveForm,
    EditMeetingForm,
    LinkDirectiveForm,
    MeetingForm,
)
from crm.meetings.models import WGMeeting
from crm.meetings.queries import Position
from crm.organisations.queries import list_organisations

bp = Blueprint("meetings", __name__)
require_login(bp)

Page = Response | str | tuple[str, int]
NONE_CHOICE = SelectChoice("", "— None —")


@bp.before_request
def _readers_only() -> None:
    """An admin's role is accounts: the meetings are for the content roles (after the login guard)."""
    if not policy.can_view(actor()):
        raise Forbidden(policy.REFUSAL_MESSAGES[policy.NOT_PERMITTED], code=policy.NOT_PERMITTED)


EXPORT_HEADER = ("Id", "Title", "Held (PKT)", "Location", "Chaired by", "Organisations", "Invitees", "Classification")


@bp.route("/meetings.xlsx", defaults=XLSX)
@bp.route("/meetings.csv", defaults=CSV)
@writes
def export(fmt: str) -> Response:
    """Every meeting, latest first (never the agenda or minutes), marked with the most sensitive
    one and audited as an export (R8)."""
    session = get_session()
    found = queries.list_meetings(session, limit=EXPORT_LIMIT)
    rows = [(m.id, m.title, m.held_at, m.location, m.chaired_by, "; ".join(o.short_name for o in m.organisations),
             m.invitees, m.classification) for m in found]  # fmt: skip
    return audited_export(session, register="wg_meetings", fmt=fmt, filters={}, header=EXPORT_HEADER, rows=rows,
                          classification=highest(m.classification for m in found), filename="meetings")  # fmt: skip


def _require_keeper() -> None:
    refusal = policy.keeper_refusal(actor())
    if refusal:
        raise Forbidden(policy.REFUSAL_MESSAGES[refusal], code=refusal)


@bp.route("/meetings")
def index() -> str:
    before = Position.parse(request.args.get("before"))
    rows = queries.list_meetings(get_session(), before=before, limit=queries.PAGE_SIZE + 1)
    shown = rows[: queries.PAGE_SIZE]
    more = len(rows) > queries.PAGE_SIZE
    return render_template("meetings/index.html", rows=shown, paged=before is not None,
                           next_before=Position.after(shown[-1]).token() if more else None,
                           can_record=policy.keeper_refusal(actor()) is None)  # fmt: skip


def _set_choices(session: Session, form: MeetingForm) -> None:
    form.attendee_ids.choices = [SelectChoice(u.id, f"{u.full_name} ({u.organisation.short_name})")
                                 for u in queries.people(session)]  # fmt: skip
    form.organisation_ids.choices = [
        SelectChoice(o.id, f"{o.short_name} — {o.name} ({o.membership.value.replace('_', '-')})")
        for o in list_organisations(session)
    ]
    form.set_classifications(actor().clearance)


@bp.route("/meetings/new", methods=["GET", "POST"])
def new() -> Page:
    session = get_session()
    _require_keeper()
    now = datetime.now(KARACHI)
    form = MeetingForm(held_on=now.date(), held_time=now.time().replace(second=0, microsecond=0))
    _set_choices(session, form)
    saved, outcome = submit_form(
        form,
        lambda s: services.record_meeting(s, actor=actor(), data=form.to_input()),
        lambda **kw: render_template("meetings/form.html", form=form, meeting=None),
    )
    if not saved:
        return outcome
    flash(f"The meeting “{outcome.title}” is recorded.", "success")
    return redirect(url_for("meetings.detail", meeting_id=outcome.id))


def _meeting_or_404(session: Session, meeting_id: int) -> WGMeeting:
    meeting = queries.get_meeting(session, meeting_id)
    if meeting is None:
        raise NotFound(services.NOT_FOUND)
    return meeting


def _edit_data(session: Session, meeting: WGMeeting) -> dict[str, Any]:
    held = meeting.held_at.astimezone(KARACHI)
    return {
        "title": meeting.title, "location": meeting.location, "chaired_by": meeting.chaired_by,
        "agenda": meeting.agenda, "invitees": meeting.invitees, "classification": meeting.classification.value,
        "held_on": held.date(), "held_time": held.time().replace(second=0, microsecond=0), "version": meeting.version,
        "minutes": services.read_minutes(session, actor=actor(), meeting=meeting),  # audited (R8)
        "attendee_ids": [u.id for u in meeting.attendees], "organisation_ids": [o.id for o in meeting.organisations],
    }  # fmt: skip


def _edit_page(form: EditMeetingForm, meeting_id: int, *, conflict: bool = False) -> str:
    meeting = _meeting_or_404(get_session(), meeting_id)
    if conflict:
        form.version.data, form.version.raw_data = meeting.version, [str(meeting.version)]
    return render_template("meetings/form.html", form=form, meeting=meeting, conflict=conflict,
                           current_url=url_for("meetings.detail", meeting_id=meeting_id))  # fmt: skip


@bp.route("/meetings/<int:meeting_id>/edit", methods=["GET", "POST"])
@writes
def edit(meeting_id: int) -> Page:
    session, user = get_session(), actor()
    meeting = _meeting_or_404(session, meeting_id)
    refusal = policy.keeper_refusal(user) or services.minutes_refusal(session, actor=user, meeting=meeting)
    if refusal:
        raise Forbidden(policy.REFUSAL_MESSAGES[refusal], code=refusal)
    posted = request.method == "POST"
    form = EditMeetingForm() if posted else EditMeetingForm(data=_edit_data(session, meeting))
    _set_choices(session, form)
    saved, outcome = submit_form(
        form,
        lambda s: services.update_meeting(
            s, actor=user, meeting_id=meeting_id, version=form.version.data, data=form.to_input()
        ),  # fmt: skip
        lambda **kw: _edit_page(form, meeting_id, **kw),
    )
    if saved:
        flash("The meeting is saved.", "success")
        return redirect(url_for("meetings.detail", meeting_id=meeting_id))
    session.commit()  # the audited read of the minutes that prefilled the form
    return outcome


def _keeper_forms(session: Session, forms: dict[str, Any]) -> dict[str, Any]:
    action = forms.get("action_form") or ActionItemForm()
    people = [SelectChoice(u.id, f"{u.full_name} ({u.organisation.short_name})") for u in queries.people(session)]
    organisations = [SelectChoice(o.id, f"{o.short_name} — {o.name}") for o in list_organisations(session)]
    action.assignee_id.choices = [NONE_CHOICE, *people]
    action.assignee_organisation_id.choices = [NONE_CHOICE, *organisations]
    directive = forms.get("directive_form") or DirectiveForm()
    directive.organisation_ids.choices = organisations
    link = forms.get("link_form") or LinkDirectiveForm()
    link.directive_id.choices = [SelectChoice("", "Choose a directive")] + [
        SelectChoice(i, t) for i, t in directive_choices(session)
    ]
    return {"decision_form": forms.get("decision_form") or DecisionForm(), "action_form": action,
            "directive_form": directive, "link_form": link, "form_decision_id": forms.get("decision_id")}  # fmt: skip


def _detail_page(meeting_id: int, *, conflict: bool = False, **forms: Any) -> str:
    session, user = get_session(), actor()
    meeting = _meeting_or_404(session, meeting_id)
    refusal = services.minutes_refusal(session, actor=user, meeting=meeting)
    minutes = None if refusal else render(services.read_minutes(session, actor=user, meeting=meeting))
    decisions = queries.decisions_of(session, meeting_id)
    is_keeper = policy.keeper_refusal(user) is None
    page = render_template(
        "meetings/detail.html", meeting=meeting, agenda=render(meeting.agenda), minutes=minutes, refusal=refusal,
        refusal_message=policy.REFUSAL_MESSAGES.get(refusal or ""), decisions=decisions,
        directives=queries.directive_labels(session, {d.directive_id for d in decisions if d.directive_id}),
        action_items=queries.action_items_of(session, meeting_id), is_keeper=is_keeper,
        can_edit=is_keeper and refusal is None, conflict=conflict, link=url_if_exists,
        **(_keeper_forms(session, forms) if is_keeper else {}),
    )  # fmt: skip
    session.commit()  # the audited read of the minutes (R8)
    return page


@bp.route("/meetings/<int:meeting_id>")
@writes
def detail(meeting_id: int) -> str:
    return _detail_page(meeting_id)


def _done(message: str, meeting_id: int, anchor: str) -> Response:
    flash(message, "success")
    return redirect(url_for("meetings.detail", meeting_id=meeting_id, _anchor=anchor))


@bp.route("/meetings/<int:meeting_id>/decisions", methods=["POST"])
def add_decision(meeting_id: int) -> Page:
    form = DecisionForm()
    saved, outcome = submit_form(
        form,
        lambda s: services.add_decision(s, actor=actor(), meeting_id=meeting_id, text=form.text.data or ""),
        lambda **kw: _detail_page(meeting_id, decision_form=form, **kw),
    )
    return _done("The decision is recorded.", meeting_id, "decisions") if saved else outcome


@bp.route("/meetings/<int:meeting_id>/decisions/<int:decision_id>/directive", methods=["POST"])
def make_directive(meeting_id: int, decision_id: int) -> Page:
    form = DirectiveForm()
    saved, outcome = submit_form(
        form,
        lambda s: services.make_directive(
            s,
            actor=actor(),
            meeting_id=meeting_id,
            decision_id=decision_id,
            timeline_text=form.timeline_text.data or "",
            organisation_ids=list(form.organisation_ids.data or []),
        ),  # fmt: skip
        lambda **kw: _detail_page(meeting_id, directive_form=form, decision_id=decision_id, **kw),
    )
    return _done("The decision is now a directive in the tracker.", meeting_id, "decisions") if saved else outcome


@bp.route("/meetings/<int:meeting_id>/decisions/<int:decision_id>/link", methods=["POST"])
def link_directive(meeting_id: int, decision_id: int) -> Page:
    form = LinkDirectiveForm()
    _keeper_forms(get_session(), {"link_form": form})  # the choices, so the posted value validates
    saved, outcome = submit_form(
        form,
        lambda s: services.link_directive(
            s, actor=actor(), meeting_id=meeting_id, decision_id=decision_id, directive_id=form.directive_id.data or 0
        ),  # fmt: skip
        lambda **kw: _detail_page(meeting_id, link_form=form, decision_id=decision_id, **kw),
    )
    return _done("The decision is linked to its directive.", meeting_id, "decisions") if saved else outcome


@bp.route("/meetings/<int:meeting_id>/action-items", methods=["POST"])
def add_action_item(meeting_id: int) -> Page:
    form = ActionItemForm()
    saved, outcome = submit_form(
        form,
        lambda s: services.add_action_item(s, actor=actor(), meeting_id=meeting_id, data=form.to_input()),
        lambda **kw: _detail_page(meeting_id, action_form=form, **kw),
    )
    return _done("The action item is recorded as a follow-up.", meeting_id, "actions") if saved else outcome
