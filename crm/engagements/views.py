"""Engagement pages: the log (with CSV export), the form (R2 explained), detail, corrections, files."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from crm.accounts.models import Clearance, User
from crm.authz import actor, require_login
from crm.commitments import policy as commitment_policy
from crm.commitments import queries as commitment_queries
from crm.commitments import services as commitment_services
from crm.db import get_session
from crm.designations.queries import focal_person_id
from crm.engagements import policy, queries, services
from crm.engagements.forms import AttachmentForm, CorrectionForm, EngagementForm
from crm.engagements.models import Direction, Engagement, EngagementKind
from crm.engagements.queries import Filters, Position
from crm.errors import Conflict, Forbidden, Invalid, NotFound
from crm.exports import CSV, XLSX, export_response, highest
from crm.formatting import KARACHI
from crm.http import apply_field_errors, db_id, send_stored_file, store_upload, writes
from crm.markdown import render
from crm.organisations.queries import list_organisations

bp = Blueprint("engagements", __name__)
require_login(bp)

CSV_HEADER = ("Date (PKT)", "Company", "Thread", "Kind", "Direction", "Subject", "Summary", "Classification",
              "Our letter no.", "Their reference", "Diary no.", "Logged by")  # fmt: skip
CLEARANCE_VALUES = frozenset(c.value for c in Clearance)


def _filters() -> Filters:
    args = request.args
    return Filters(
        company_id=args.get("company_id", type=db_id),
        thread_id=args.get("thread_id", type=db_id),
        direction=args.get("direction", type=Direction),
        kind=args.get("kind", type=EngagementKind),
        date_from=args.get("date_from", type=date.fromisoformat),
        date_to=args.get("date_to", type=date.fromisoformat),
    )


def _is_focal(session: Any, user: User) -> bool:
    return focal_person_id(session) == user.id


@bp.route("/engagements")
def index() -> str:
    session, filters = get_session(), _filters()
    before = Position.parse(request.args.get("before"))
    rows = queries.list_engagements(session, filters=filters, before=before, limit=queries.PAGE_SIZE + 1)
    more = len(rows) > queries.PAGE_SIZE
    return render_template(
        "engagements/index.html",
        engagements=rows[: queries.PAGE_SIZE],
        filters=filters,
        next_before=Position.after(rows[queries.PAGE_SIZE - 1]).token() if more else None,
        companies=queries.companies(session),
        threads=queries.threads_of(session, filters.company_id),
        can_log=policy.can_record(actor(), is_focal_person=_is_focal(session, actor())),
        kinds=list(EngagementKind),
        directions=list(Direction),
    )


def _csv_row(engagement: Engagement) -> tuple[Any, ...]:
    thread = engagement.thread.title if engagement.thread else ""
    return (engagement.occurred_at, engagement.company.name, thread, engagement.kind.label,
            engagement.direction.label, engagement.subject, engagement.summary, engagement.classification.label,
            engagement.our_ref, engagement.their_ref, engagement.diary_no, engagement.logged_by.full_name)  # fmt: skip


@bp.route("/engagements.xlsx", defaults=XLSX)
@bp.route("/engagements.csv", defaults=CSV)
@writes
def export_csv(fmt: str) -> Response:
    """The filtered list (newest first, never the minutes), audited as an export (R8)."""
    session, filters = get_session(), _filters()
    rows = queries.list_engagements(session, filters=filters, limit=queries.EXPORT_LIMIT)
    services.record_export(session, actor=actor(), filters=filters.as_dict(), rows=len(rows))
    session.commit()
    marking = highest(e.classification for e in rows)
    return export_response([_csv_row(e) for e in rows], CSV_HEADER, filename="engagements", format=fmt,
                           classification=marking)  # fmt: skip


# The form: choices, the R2 explanation, and the engagement-request link.


def _set_choices(session: Any, form: EngagementForm, user: User, company_id: int | None) -> None:
    form.company_id.choices = [SelectChoice("", "Choose a company")] + [
        SelectChoice(c.id, c.name) for c in queries.companies(session)
    ]
    threads = queries.threads_of(session, company_id) if company_id else []
    form.thread_id.choices = [SelectChoice("", "None")] + [SelectChoice(t.id, t.title) for t in threads]
    form.participant_ids.choices = [
        SelectChoice(u.id, f"{u.full_name} ({u.organisation.short_name}){'' if u.is_active else ' — former'}")
        for u in queries.people(session)
    ]
    form.organisation_ids.choices = [
        SelectChoice(o.id, f"{o.short_name} — {o.name}") for o in list_organisations(session)
    ]
    contacts = queries.contacts_of(session, company_id)
    form.contact_ids.choices = [SelectChoice(c.id, f"{c.name}, {c.title}" if c.title else c.name) for c in contacts]
    form.set_classifications(user.clearance)


def _request_url(company_id: int | None) -> str | None:
    """The engagement-request page for this company, once that feature is installed."""
    if "requests.new" not in current_app.view_functions:
        return None
    return url_for("requests.new", company_id=company_id) if company_id else url_for("requests.new")


def _service_errors(form: Any, fields: dict[str, Any]) -> None:
    apply_field_errors(form, {("occurred_on" if name == "occurred_at" else name): m for name, m in fields.items()})


def _company_for_new(session: Any) -> int | None:
    """The company the form is for: posted, asked for (?company_id=), or the thread's only one."""
    source = request.form if request.method == "POST" else request.args
    company_id = source.get("company_id", type=db_id)
    thread_id = request.args.get("thread_id", type=db_id)
    if company_id is None and thread_id is not None:
        companies = queries.company_ids_of_thread(session, thread_id)
        company_id = companies[0] if len(companies) == 1 else None
    return company_id


def _new_form(company_id: int | None) -> EngagementForm:
    now = datetime.now(KARACHI)
    direction = request.args.get("direction", type=Direction)
    return EngagementForm(
        company_id=company_id,
        thread_id=request.args.get("thread_id", type=db_id),
        direction=(direction or Direction.INBOUND).value,
        occurred_on=now.date(),
        occurred_time=now.time().replace(second=0, microsecond=0),
    )


def _log(session: Any, user: User, form: EngagementForm) -> Engagement | str | None:
    """The logged engagement; or R2's refusal code; or None (field errors are on the form)."""
    try:
        with session.begin_nested():
            direction = Direction(form.direction.data)
            return services.log_engagement(session, actor=user, data=form.to_input(direction))
    except Invalid as error:
        _service_errors(form, error.fields)
    except Forbidden as error:
        return error.code
    return None


@bp.route("/engagements/new", methods=["GET", "POST"])
def new() -> Response | tuple[str, int]:
    session, user = get_session(), actor()
    focal_id = focal_person_id(session)
    if not policy.can_record(user, is_focal_person=focal_id == user.id):
        raise Forbidden(policy.REFUSAL_MESSAGES[policy.NOT_PERMITTED], code=policy.NOT_PERMITTED)
    company_id = _company_for_new(session)
    if company_id is None and request.method == "GET":
        return render_template("engagements/choose_company.html", companies=queries.companies(session)), 200
    form = _new_form(company_id)
    _set_choices(session, form, user, company_id)
    outcome = _log(session, user, form) if form.validate_on_submit() else None
    if isinstance(outcome, Engagement):
        session.commit()
        flash(f"The engagement “{outcome.subject}” is recorded.", "success")
        return redirect(url_for("engagements.detail", engagement_id=outcome.id))
    page = render_template(
        "engagements/new.html", form=form, refusal=outcome, messages=policy.REFUSAL_MESSAGES,
        channel_note=policy.outbound_refusal(user, focal_id), request_url=_request_url(company_id),
    )  # fmt: skip
    return page, 403 if outcome else 200


# Detail: metadata for everyone; minutes and files under R5, every read audited (R8).


def _previous_minutes_readable(user: User, refusal: str | None, detail: queries.EngagementDetail) -> set[int]:
    """Revisions whose earlier minutes this reader may see: R5 now, and cleared for their level then."""
    if refusal is not None:
        return set()
    return {
        view.revision.id
        for view in detail.revisions
        if view.previous.get("classification") in CLEARANCE_VALUES
        and user.clearance.covers(Clearance(view.previous["classification"]))
    }


def _commitments_section(session: Any, user: User, engagement_id: int) -> dict[str, Any]:
    """The commitments made in this engagement, for those who read that register (else None)."""
    if not commitment_policy.can_view(user):
        return {"commitments": None}
    return {
        "commitments": commitment_queries.commitments_of_engagement(session, engagement_id),
        "can_record_commitment": commitment_services.can_record(session, actor=user),
        "commitments_today": commitment_queries.today(),
    }


def _can_change(session: Any, user: User, engagement: Engagement) -> bool:
    """Corrections and files: R5 without notes grants (a grant opens reading only) and a recording role."""
    refusal = services.minutes_refusal(session, actor=user, engagement=engagement, include_grants=False)
    return policy.change_refusal(user, refusal) is None


def _render_detail(engagement_id: int, upload_form: AttachmentForm) -> str:
    session, user = get_session(), actor()
    detail = queries.get_detail(session, engagement_id)
    if detail is None:
        raise NotFound("There is no such engagement.")
    refusal = services.minutes_refusal(session, actor=user, engagement=detail.engagement)
    minutes = None if refusal else render(services.read_minutes(session, actor=user, engagement=detail.engagement))
    session.commit()  # the audited read of the minutes
    return render_template(
        "engagements/detail.html", detail=detail, engagement=detail.engagement, minutes=minutes, refusal=refusal,
        refusal_message=policy.REFUSAL_MESSAGES.get(refusal or ""), upload_form=upload_form,
        can_change=refusal is None and _can_change(session, user, detail.engagement),
        previous_minutes=_previous_minutes_readable(user, refusal, detail), labels=FIELD_LABELS,
        **_commitments_section(session, user, engagement_id),
    )  # fmt: skip


@bp.route("/engagements/<int:engagement_id>")
@writes
def detail(engagement_id: int) -> str:
    return _render_detail(engagement_id, AttachmentForm())


def _engagement_for_change(session: Any, user: User, engagement_id: int) -> Engagement:
    engagement = queries.get_engagement(session, engagement_id)
    if engagement is None:
        raise NotFound("There is no such engagement.")
    refusal = policy.change_refusal(
        user, services.minutes_refusal(session, actor=user, engagement=engagement, include_grants=False)
    )
    if refusal:
        raise Forbidden(
            "Only people who may read this engagement's minutes can correct it or add files. "
            + policy.REFUSAL_MESSAGES[refusal],
            code=refusal,
        )
    return engagement


@bp.route("/engagements/<int:engagement_id>/attachments", methods=["POST"])
def upload(engagement_id: int) -> Response | str:
    session, user = get_session(), actor()
    _engagement_for_change(session, user, engagement_id)  # refuse before storing any byte
    form = AttachmentForm()
    if form.validate_on_submit():
        try:
            with session.begin_nested():
                stored = store_upload(form.file.data)
                attachment = services.add_attachment(session, actor=user, engagement_id=engagement_id, stored=stored)
        except Invalid as error:
            apply_field_errors(form, error.fields)
        else:
            session.commit()
            flash(f"{attachment.filename} is attached.", "success")
            return redirect(url_for("engagements.detail", engagement_id=engagement_id) + "#attachments")
    return _render_detail(engagement_id, form)


@bp.route("/engagements/files/<int:attachment_id>")
@writes
def download(attachment_id: int) -> Response:
    """The file, after R5 of its engagement (audited), always as a download, never rendered."""
    session = get_session()
    return send_stored_file(session, services.open_attachment(session, actor=actor(), attachment_id=attachment_id))


# Corrections (R7: versioned, with the previous values kept as a revision).

FIELD_LABELS = {
    "kind": "Kind", "direction": "Direction", "occurred_at": "Date and time", "location": "Location",
    "company_id": "Company", "thread_id": "Negotiation thread", "subject": "Subject", "summary": "Summary",
    "minutes": "Minutes", "classification": "Classification", "our_ref": "Our letter no.",
    "their_ref": "Their reference", "diary_no": "Diary / dispatch no.", "needs_no_response": "Needs no response",
    "participant_ids": "Government participants", "organisation_ids": "Organisations",
    "contact_ids": "Company participants",
}  # fmt: skip


def _correction_data(session: Any, user: User, engagement: Engagement) -> dict[str, Any]:
    local = engagement.occurred_at.astimezone(KARACHI)
    return {
        **{name: getattr(engagement, name) for name in ("company_id", "thread_id", "location", "subject", "summary",
                                                          "our_ref", "their_ref", "diary_no", "needs_no_response",
                                                          "version")},
        "kind": engagement.kind.value, "classification": engagement.classification.value,
        "occurred_on": local.date(), "occurred_time": local.time().replace(second=0, microsecond=0),
        "minutes": services.read_minutes(session, actor=user, engagement=engagement),  # audited (R8)
        "participant_ids": [u.id for u in engagement.participants],
        "organisation_ids": [o.id for o in engagement.organisations],
        "contact_ids": [c.id for c in engagement.contacts],
    }  # fmt: skip


def _correction_input(form: CorrectionForm, engagement: Engagement) -> services.EngagementInput:
    data = form.to_input(engagement.direction)
    # The form has minutes, not seconds: an unchanged time keeps its exact stored value.
    if data.occurred_at == engagement.occurred_at.replace(second=0, microsecond=0):
        data = dataclasses.replace(data, occurred_at=engagement.occurred_at)
    return data


def _correct(session: Any, user: User, form: CorrectionForm, engagement: Engagement) -> bool | None:
    """True when saved; False on a version conflict; None with field errors on the form."""
    try:
        with session.begin_nested():
            services.correct_engagement(
                session, actor=user, engagement_id=engagement.id, version=form.version.data,
                reason=form.reason.data or "", data=_correction_input(form, engagement),
            )  # fmt: skip
    except Invalid as error:
        _service_errors(form, error.fields)
    except Conflict:
        return False
    else:
        return True
    return None


@bp.route("/engagements/<int:engagement_id>/correct", methods=["GET", "POST"])
@writes
def correct(engagement_id: int) -> Response | tuple[str, int]:
    session, user = get_session(), actor()
    engagement = _engagement_for_change(session, user, engagement_id)
    posted = request.method == "POST"
    form = CorrectionForm(data=None if posted else _correction_data(session, user, engagement))
    company_id = request.form.get("company_id", type=db_id) if posted else engagement.company_id
    _set_choices(session, form, user, company_id)
    saved = _correct(session, user, form, engagement) if form.validate_on_submit() else None
    if saved:
        session.commit()
        flash("The correction is saved; the previous values are kept in the history.", "success")
        return redirect(url_for("engagements.detail", engagement_id=engagement_id))
    session.commit()  # the audited read of the minutes that prefilled the form
    engagement = queries.get_engagement(session, engagement_id) or engagement
    current_url = url_for("engagements.detail", engagement_id=engagement_id)
    page = render_template("engagements/correct.html", form=form, engagement=engagement, conflict=saved is False,
                           current_url=current_url)  # fmt: skip
    return page, 409 if saved is False else 200
