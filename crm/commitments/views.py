"""Commitments register: the filtered list (and its CSV), the form to record and edit a
promise, its page, status changes, verification and evidence files.

Handlers are thin: parse → service (in a savepoint, via crm.http.submit_form) → commit once.
"""

from __future__ import annotations

from enum import Enum
from typing import Any, TypeVar

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.blueprints import BlueprintSetupState
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from crm.authz import actor, require_login
from crm.commitments import policy, queries, services, tallies
from crm.commitments.forms import CommitmentForm, EditCommitmentForm, EvidenceFileForm, StatusForm, VerifyForm
from crm.commitments.models import Commitment, CommitmentDirection, CommitmentStatus
from crm.commitments.queries import DueCursor, DueWindow, Filters
from crm.db import get_session
from crm.errors import Forbidden, NotFound
from crm.exports import CSV, XLSX, export_response
from crm.formatting import format_date
from crm.http import db_id, send_stored_file, store_upload, submit_form, url_if_exists, writes
from crm.organisations.queries import list_organisations

bp = Blueprint("commitments", __name__)
require_login(bp)


@bp.record_once
def _maintain_tallies(state: BlueprintSetupState) -> None:
    tallies.install(state.app.extensions["rabta.db"].sessionmaker)


E = TypeVar("E", bound=Enum)
Page = Response | str | tuple[str, int]
NONE_CHOICE = SelectChoice("", "— None —")
CSV_HEADER = ("Due date", "Overdue", "Status", "Direction", "Company", "Party", "Delivering organisation",
              "Negotiation thread", "What was promised", "Status note", "Evidence", "Engagement id",
              "Verified at")  # fmt: skip


@bp.before_request
def _readers_only() -> None:
    """An admin's role is accounts: the register is for the content roles (after the login guard)."""
    if not policy.can_view(actor()):
        raise Forbidden("Your role does not read the commitments register.", code=policy.NOT_PERMITTED)


def _enum_arg(enum: type[E], name: str) -> E | None:
    """A filter from the query string; an unknown value is ignored (never an error page)."""
    try:
        return enum(request.args.get(name, ""))
    except ValueError:
        return None


def _filters() -> Filters:
    return Filters(
        company_id=request.args.get("company_id", type=db_id),
        thread_id=request.args.get("thread_id", type=db_id),
        direction=_enum_arg(CommitmentDirection, "direction"),
        status=_enum_arg(CommitmentStatus, "status"),
        overdue=request.args.get("status") == "overdue",
        window=_enum_arg(DueWindow, "window") or DueWindow.ANY,
    )


@bp.route("/commitments")
def register() -> str:
    session, filters, today = get_session(), _filters(), queries.today()
    after = DueCursor.parse(request.args.get("after"))
    rows = queries.list_commitments(session, filters=filters, on=today, after=after, limit=queries.PAGE_SIZE + 1)
    shown = rows[: queries.PAGE_SIZE]
    return render_template(
        "commitments/register.html", rows=shown, filters=filters, today=today, paged=after is not None,
        next_after=DueCursor.after(shown[-1]).token() if len(rows) > queries.PAGE_SIZE else None,
        companies=queries.company_choices(session), can_record=services.can_record(session, actor=actor()),
        directions=list(CommitmentDirection), statuses=list(CommitmentStatus), windows=list(DueWindow),
    )  # fmt: skip


def _csv_row(c: Commitment, today: Any) -> tuple[Any, ...]:
    return (c.due_date, c.is_overdue(today), c.status.label, c.direction.label, c.company.name, c.party,
            c.organisation.short_name if c.organisation else "", c.thread.title if c.thread else "", c.text,
            c.status_note, c.evidence, c.engagement_id, c.verified_at)  # fmt: skip


@bp.route("/commitments.xlsx", defaults=XLSX)
@bp.route("/commitments.csv", defaults=CSV)
@writes
def export(fmt: str) -> Response:
    """The filtered register (soonest due first), audited as an export (R8)."""
    session, filters, today = get_session(), _filters(), queries.today()
    rows = queries.list_commitments(session, filters=filters, on=today, limit=queries.EXPORT_LIMIT)
    services.record_export(session, actor=actor(), filters=filters.as_dict(), rows=len(rows))
    session.commit()
    return export_response([_csv_row(c, today) for c in rows], CSV_HEADER, filename="commitments", format=fmt)


# The form to record and edit a commitment.


def _require_keeper(session: Session) -> None:
    """Refuse the form pages up front to those the services would refuse anyway."""
    if not services.can_record(session, actor=actor()):
        raise Forbidden(policy.REFUSAL_MESSAGES[policy.NOT_PERMITTED], code=policy.NOT_PERMITTED)


def _set_choices(session: Session, form: CommitmentForm, company_id: int | None) -> None:
    companies = queries.company_choices(session)
    form.company_id.choices = [SelectChoice("", "Choose a company")] + [SelectChoice(i, n) for i, n in companies]
    threads = queries.thread_choices(session, company_id)
    form.thread_id.choices = [NONE_CHOICE] + [SelectChoice(i, t) for i, t in threads]
    engagements = queries.engagement_choices(session, company_id, include=form.engagement_id.data)
    form.engagement_id.choices = [NONE_CHOICE] + [
        SelectChoice(e.id, f"{format_date(e.occurred_at)} — {e.subject}") for e in engagements
    ]
    organisations = [SelectChoice(o.id, f"{o.short_name} — {o.name}") for o in list_organisations(session)]
    form.organisation_id.choices = [NONE_CHOICE, *organisations]


def _input(form: CommitmentForm) -> services.CommitmentInput:
    return services.CommitmentInput(
        direction=CommitmentDirection(form.direction.data), company_id=form.company_id.data,
        text=form.text.data or "", due_date=form.due_date.data, party=form.party.data or "",
        organisation_id=form.organisation_id.data, engagement_id=form.engagement_id.data,
        thread_id=form.thread_id.data, evidence=form.evidence.data or "",
    )  # fmt: skip


def _prefill(session: Session) -> dict[str, Any]:
    """What ?engagement_id=, ?thread_id= and ?company_id= say about a new commitment."""
    values = {name: request.args.get(name, type=db_id) for name in ("company_id", "thread_id", "engagement_id")}
    implied = queries.implied_links(session, thread_id=values["thread_id"], engagement_id=values["engagement_id"])
    return {**values, **implied}


@bp.route("/commitments/new", methods=["GET", "POST"])
def new() -> Page:
    session = get_session()
    _require_keeper(session)
    posted = request.method == "POST"
    prefill = {} if posted else _prefill(session)
    company_id = request.form.get("company_id", type=db_id) if posted else prefill.get("company_id")
    if company_id is None and not posted:
        return render_template("commitments/choose_company.html", companies=queries.company_choices(session))
    form = CommitmentForm(**prefill)
    _set_choices(session, form, company_id)
    saved, outcome = submit_form(
        form,
        lambda s: services.record_commitment(s, actor=actor(), data=_input(form)),
        lambda **kw: render_template("commitments/form.html", form=form, commitment=None, **kw),
    )
    if not saved:
        return outcome
    flash("The commitment is recorded.", "success")
    return redirect(url_for("commitments.detail", commitment_id=outcome.id))


def _commitment_or_404(session: Session, commitment_id: int) -> Commitment:
    commitment = queries.get_commitment(session, commitment_id)
    if commitment is None:
        raise NotFound(services.NOT_FOUND)
    return commitment


def _carry_current_version(form: EditCommitmentForm | StatusForm | VerifyForm, commitment_id: int) -> None:
    """After a conflict the form carries the current version: saving again is deliberate (R7)."""
    version = _commitment_or_404(get_session(), commitment_id).version
    form.version.data, form.version.raw_data = version, [str(version)]


def _edit_page(form: EditCommitmentForm, commitment_id: int, *, conflict: bool = False) -> str:
    if conflict:
        _carry_current_version(form, commitment_id)
    return render_template(
        "commitments/form.html", form=form, commitment=_commitment_or_404(get_session(), commitment_id),
        conflict=conflict, current_url=url_for("commitments.detail", commitment_id=commitment_id),
    )  # fmt: skip


@bp.route("/commitments/<int:commitment_id>/edit", methods=["GET", "POST"])
def edit(commitment_id: int) -> Page:
    session = get_session()
    commitment = _commitment_or_404(session, commitment_id)
    _require_keeper(session)
    posted = request.method == "POST"
    form = EditCommitmentForm() if posted else EditCommitmentForm(obj=commitment)
    _set_choices(session, form, request.form.get("company_id", type=db_id) if posted else commitment.company_id)
    saved, outcome = submit_form(
        form,
        lambda s: services.update_commitment(
            s, actor=actor(), commitment_id=commitment_id, version=form.version.data, data=_input(form)
        ),  # fmt: skip
        lambda **kw: _edit_page(form, commitment_id, **kw),
    )
    if not saved:
        return outcome
    flash("The commitment is saved.", "success")
    return redirect(url_for("commitments.detail", commitment_id=commitment_id))


# The commitment's page: facts, verification, evidence and files, linked follow-ups.


def _detail_page(commitment_id: int, *, verify_form: VerifyForm | None = None,
                 upload_form: EvidenceFileForm | None = None, conflict: bool = False) -> str:  # fmt: skip
    session, user = get_session(), actor()
    commitment = _commitment_or_404(session, commitment_id)
    verify_form = verify_form or VerifyForm(version=commitment.version)
    if conflict:
        _carry_current_version(verify_form, commitment_id)
    return render_template(
        "commitments/detail.html", c=commitment, today=queries.today(), conflict=conflict,
        files=queries.evidence_files(session, commitment_id), follow_ups=queries.follow_ups_of(session, commitment_id),
        can_record=services.can_record(session, actor=user), can_verify=services.can_verify(session, actor=user),
        verify_form=verify_form, upload_form=upload_form or EvidenceFileForm(), link=url_if_exists,
        current_url=url_for("commitments.detail", commitment_id=commitment_id),
    )  # fmt: skip


@bp.route("/commitments/<int:commitment_id>")
def detail(commitment_id: int) -> str:
    return _detail_page(commitment_id)


def _status_page(form: StatusForm, commitment_id: int, *, conflict: bool = False) -> str:
    if conflict:
        _carry_current_version(form, commitment_id)
    return render_template(
        "commitments/status.html", form=form, c=_commitment_or_404(get_session(), commitment_id), conflict=conflict,
        current_url=url_for("commitments.detail", commitment_id=commitment_id),
    )  # fmt: skip


@bp.route("/commitments/<int:commitment_id>/status", methods=["GET", "POST"])
def status(commitment_id: int) -> Page:
    session = get_session()
    commitment = _commitment_or_404(session, commitment_id)
    _require_keeper(session)
    suggested = CommitmentStatus.FULFILLED if commitment.status is CommitmentStatus.OPEN else CommitmentStatus.OPEN
    posted = request.method == "POST"
    form = StatusForm() if posted else StatusForm(status=suggested.value, version=commitment.version)
    saved, outcome = submit_form(
        form,
        lambda s: services.set_commitment_status(
            s,
            actor=actor(),
            commitment_id=commitment_id,
            status=CommitmentStatus(form.status.data),
            note=form.note.data or "",
            version=form.version.data,
        ),  # fmt: skip
        lambda **kw: _status_page(form, commitment_id, **kw),
    )
    if not saved:
        return outcome
    flash(f"The commitment is now {outcome.status.label.lower()}.", "success")
    return redirect(url_for("commitments.detail", commitment_id=commitment_id))


@bp.route("/commitments/<int:commitment_id>/verify", methods=["POST"])
def verify(commitment_id: int) -> Page:
    form = VerifyForm()
    saved, outcome = submit_form(
        form,
        lambda s: services.verify_commitment(s, actor=actor(), commitment_id=commitment_id, version=form.version.data),
        lambda **kw: _detail_page(commitment_id, verify_form=form, **kw),
    )
    if not saved:
        return outcome
    flash("The commitment is verified.", "success")
    return redirect(url_for("commitments.detail", commitment_id=commitment_id))


@bp.route("/commitments/<int:commitment_id>/evidence", methods=["POST"])
def upload(commitment_id: int) -> Page:
    session = get_session()
    _commitment_or_404(session, commitment_id)
    _require_keeper(session)  # refuse before storing any byte
    form = EvidenceFileForm()

    def save(s: Session) -> Any:
        stored = store_upload(form.file.data)
        return services.attach_evidence(s, actor=actor(), commitment_id=commitment_id, stored=stored)

    saved, outcome = submit_form(form, save, lambda **kw: _detail_page(commitment_id, upload_form=form, **kw))
    if not saved:
        return outcome
    flash(f"{outcome.filename} is attached as evidence.", "success")
    return redirect(url_for("commitments.detail", commitment_id=commitment_id, _anchor="evidence"))


@bp.route("/commitments/files/<int:attachment_id>")
@writes
def download(attachment_id: int) -> Response:
    """An evidence file (its read audited), always as a download, never rendered."""
    session = get_session()
    return send_stored_file(session, services.open_evidence(session, actor=actor(), attachment_id=attachment_id))
