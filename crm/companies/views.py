"""Company pages: the register, the profile, company and service forms, CSV export and import.

Handlers are thin: parse → service (in a savepoint, so a refused write leaves nothing) →
commit once → redirect. The import helpers at the end serve the contacts pages too.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, TypeVar

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from crm.authz import actor, require_login
from crm.commitments import policy as commitment_policy
from crm.commitments import queries as commitment_queries
from crm.companies import importing, policy, queries, services
from crm.companies.forms import (
    AccessStatusForm,
    CompanyForm,
    ConfirmImportForm,
    EditCompanyForm,
    EditServiceForm,
    ImportForm,
    NewServiceForm,
    ServiceForm,
)
from crm.companies.models import Company, Health, Priority, Service
from crm.contacts.policy import is_current
from crm.csvio import MAX_IMPORT_BYTES
from crm.dashboard.policy import sees_board
from crm.db import get_session
from crm.designations.queries import focal_person_id
from crm.errors import Conflict, Forbidden, Invalid, NotFound
from crm.exports import CSV, XLSX, export_response
from crm.http import apply_field_errors, db_id, url_if_exists, writes

bp = Blueprint("companies", __name__)
require_login(bp)

E = TypeVar("E", bound=StrEnum)
Page = str | tuple[str, int] | Response


# Shared helpers (the contacts pages use them too).


def can_write(session: Session) -> bool:
    """Whether the signed-in user keeps the register (only to show or hide buttons)."""
    return _can_write_with(focal_person_id(session))


def _can_write_with(focal_id: int | None) -> bool:
    """can_write, when the page has already read who the focal person is."""
    user = actor()
    return policy.can_maintain_register(user, is_focal_person=focal_id == user.id)


def require_writer(session: Session) -> None:
    """Refuse a form page up front to those the services would refuse anyway."""
    if not can_write(session):
        raise Forbidden(services.REFUSAL, code=services.NOT_PERMITTED)


def enum_arg(enum: type[E], name: str) -> E | None:
    """A query-string choice; anything else is ignored (never an error)."""
    try:
        return enum(request.args.get(name, ""))
    except ValueError:
        return None


def save(form: FlaskForm, write: Callable[[], Any], current_version: Callable[[], int] | None = None) -> str:
    """Run a service write in a savepoint and commit it: "saved", "invalid" or "conflict".

    Field errors go beside the fields; on a conflict the form keeps the user's input and
    carries the current version, so saving again replaces the record knowingly (R7).
    """
    session = get_session()
    try:
        with session.begin_nested():
            write()
    except Invalid as error:
        apply_field_errors(form, error.fields)
        return "invalid"
    except Conflict:
        if current_version is not None:
            version = current_version()
            form.version.data, form.version.raw_data = version, [str(version)]
        return "conflict"
    session.commit()
    return "saved"


def form_text(form: FlaskForm, names: tuple[str, ...]) -> dict[str, Any]:
    """The named fields' data, with absent text as "" (services strip and validate)."""
    return {name: "" if getattr(form, name).data is None else getattr(form, name).data for name in names}


# The register.


def _filters() -> dict[str, Any]:
    sort = request.args.get("sort", "name")
    return {
        "sort": sort if sort in queries.SORTS else "name",
        "priority": enum_arg(Priority, "priority"),
        "health": enum_arg(Health, "health"),
    }


@bp.route("/companies")
def index() -> str:
    session = get_session()
    filters = _filters()
    return render_template(
        "companies/index.html", companies=queries.list_companies(session, **filters), filters=filters,
        priorities=list(Priority), healths=list(Health), can_write=can_write(session),
        export_args={name: str(value) for name, value in filters.items() if value},
    )  # fmt: skip


@bp.route("/companies.xlsx", defaults=XLSX)
@bp.route("/companies.csv", defaults=CSV)
@writes
def export(fmt: str) -> Response:
    session = get_session()
    filters = _filters()
    rows = queries.list_companies(session, **filters)
    services.record_export(session, actor=actor(), register="companies", filters=filters, rows=len(rows))
    session.commit()
    fields = services.COMPANY_FIELDS
    values = ([getattr(c, name) for name in fields] for c in rows)
    return export_response(values, fields, filename="companies", format=fmt)


def _before_arg() -> queries.Cursor | None:
    """`?before=<occurred_at ISO>,<id>`: the timeline's keyset cursor; garbage means the first page."""
    at_text, _, id_text = request.args.get("before", "").rpartition(",")
    try:
        at, last_id = datetime.fromisoformat(at_text), db_id(id_text)
        return (at.astimezone(UTC), last_id) if at.tzinfo else None
    except (ValueError, OverflowError):
        return None


def _commitments_section(session: Session, company_id: int) -> dict[str, Any]:
    """The company's open commitments and their counts, for those who read that register."""
    if not commitment_policy.can_view(actor()):
        return {"commitments": None}
    today = commitment_queries.today()
    return {
        "commitments": commitment_queries.open_commitments_of_company(session, company_id),
        "commitment_counts": commitment_queries.company_counts(session, company_id, on=today),
        "commitments_today": today,
    }


def _brief_url(company_id: int, focal_id: int | None) -> str | None:
    """The company's one-page brief, for those who may read briefs (the board's readers)."""
    user = actor()
    if not sees_board(user, is_focal_person=focal_id == user.id):
        return None
    return url_if_exists("reports.company_brief", company_id=company_id)


@bp.route("/companies/<int:company_id>")
def profile(company_id: int) -> str:
    session = get_session()
    today = services.today()
    found = queries.company_profile(session, company_id, on=today, before=_before_arg())
    if found is None:
        raise NotFound("There is no such company.")
    older = found.next_before
    focal_id = focal_person_id(session)  # read once: both the buttons and the brief link need it
    return render_template(
        "companies/profile.html", p=found, company=found.company, can_write=_can_write_with(focal_id),
        brief_url=_brief_url(company_id, focal_id), **_commitments_section(session, company_id),
        current_contacts={c.id for c in found.contacts if is_current(c, today)},
        thread_links={t.id: url_if_exists("threads.detail", thread_id=t.id) for t in found.threads},
        engagement_links={e.id: url_if_exists("engagements.detail", engagement_id=e.id) for e in found.engagements},
        older_url=url_for(".profile", company_id=company_id, before=f"{older[0].isoformat()},{older[1]}",
                          _anchor="timeline") if older else None,
        paged=request.args.get("before") is not None,
    )  # fmt: skip


# Company forms.


def form_page(template: str, outcome: str, current_url: str, **context: Any) -> Page:
    """A form page; after a version conflict, with the notice and status 409 (the input is kept)."""
    page = render_template(template, conflict=outcome == "conflict", current_url=current_url, **context)
    return (page, 409) if outcome == "conflict" else page


def _company_input(form: CompanyForm) -> services.CompanyInput:
    values = form_text(form, services.COMPANY_FIELDS)
    for name, enum in services.COMPANY_ENUMS.items():
        values[name] = enum(values[name])
    values["officer_is_resident"] = bool(form.officer_is_resident.data)
    for name in ("presence_verified_on", "pta_verified_on", "officer_verified_on", "tax_verified_on"):
        values[name] = getattr(form, name).data
    return services.CompanyInput(**values)


def _company(session: Session, company_id: int) -> Company:
    company = queries.get_company(session, company_id)
    if company is None:
        raise NotFound("There is no such company.")
    return company


@bp.route("/companies/new", methods=["GET", "POST"])
def create() -> Page:
    session = get_session()
    require_writer(session)
    form = CompanyForm()
    created: list[Company] = []

    def write() -> None:
        created.append(services.create_company(session, actor=actor(), data=_company_input(form)))

    if form.validate_on_submit() and save(form, write) == "saved":
        flash(f"{created[0].name} is added to the register.", "success")
        return redirect(url_for(".profile", company_id=created[0].id))
    return render_template("companies/form.html", form=form, company=None)


@bp.route("/companies/<int:company_id>/edit", methods=["GET", "POST"])
def edit(company_id: int) -> Page:
    session = get_session()
    company = _company(session, company_id)
    require_writer(session)
    form = EditCompanyForm(obj=company)

    def write() -> None:
        data = _company_input(form)
        services.update_company(session, actor=actor(), company_id=company_id, version=form.version.data, data=data)

    outcome = save(form, write, lambda: _company(session, company_id).version) if form.validate_on_submit() else ""
    if outcome == "saved":
        flash(f"{company.name} is saved.", "success")
        return redirect(url_for(".profile", company_id=company_id))
    current_url = url_for(".profile", company_id=company_id)
    return form_page("companies/form.html", outcome, current_url, form=form, company=company)


# Services and their access status.


def _service(session: Session, company_id: int, service_id: int) -> Service:
    service = queries.get_service(session, service_id)
    if service is None or service.company_id != company_id:
        raise NotFound("There is no such service.")
    return service


def _service_input(form: ServiceForm) -> services.ServiceInput:
    values = form_text(form, ("name", "users_source"))
    return services.ServiceInput(estimated_users=form.estimated_users.data, users_as_of=form.users_as_of.data, **values)


@bp.route("/companies/<int:company_id>/services/new", methods=["GET", "POST"])
def add_service(company_id: int) -> Page:
    session = get_session()
    company = _company(session, company_id)
    require_writer(session)
    form = NewServiceForm(data={"status_since": services.today()} if request.method == "GET" else None)

    def write() -> None:
        status = services.AccessStatus(form.access_status.data)
        services.add_service(session, actor=actor(), company_id=company_id, data=_service_input(form),
                             access_status=status, status_since=form.status_since.data)  # fmt: skip

    if form.validate_on_submit() and save(form, write) == "saved":
        flash(f"{form.name.data} is added to {company.name}.", "success")
        return redirect(url_for(".profile", company_id=company_id, _anchor="services"))
    return render_template("companies/service_form.html", form=form, company=company, service=None)


@bp.route("/companies/<int:company_id>/services/<int:service_id>/edit", methods=["GET", "POST"])
def edit_service(company_id: int, service_id: int) -> Page:
    session = get_session()
    service = _service(session, company_id, service_id)
    require_writer(session)
    form = EditServiceForm(obj=service)

    def write() -> None:
        data = _service_input(form)
        services.update_service(session, actor=actor(), service_id=service_id, version=form.version.data, data=data)

    current = lambda: _service(session, company_id, service_id).version  # noqa: E731
    outcome = save(form, write, current) if form.validate_on_submit() else ""
    if outcome == "saved":
        flash(f"{form.name.data} is saved.", "success")
        return redirect(url_for(".profile", company_id=company_id, _anchor="services"))
    current_url = url_for(".profile", company_id=company_id)
    return form_page("companies/service_form.html", outcome, current_url, form=form, company=service.company,
                     service=service)  # fmt: skip


@bp.route("/companies/<int:company_id>/services/<int:service_id>/access", methods=["GET", "POST"])
def change_access(company_id: int, service_id: int) -> Page:
    session = get_session()
    service = _service(session, company_id, service_id)
    require_writer(session)
    initial = {"version": service.version, "started_on": services.today()}
    form = AccessStatusForm(data=initial if request.method == "GET" else None)

    def write() -> None:
        services.change_access_status(
            session, actor=actor(), service_id=service_id, version=form.version.data,
            status=services.AccessStatus(form.status.data), started_on=form.started_on.data,
            reason=form.reason.data or "",
        )  # fmt: skip

    current = lambda: _service(session, company_id, service_id).version  # noqa: E731
    outcome = save(form, write, current) if form.validate_on_submit() else ""
    if outcome == "saved":
        flash(f"The access status of {service.name} is recorded.", "success")
        return redirect(url_for(".profile", company_id=company_id, _anchor="services"))
    current_url = url_for(".profile", company_id=company_id)
    return form_page("companies/access_form.html", outcome, current_url, form=form, company=service.company,
                     service=service)  # fmt: skip


# CSV import: upload → preview (writes nothing) → confirm (one transaction).


def _form_limit() -> int:
    limit = current_app.config.get("MAX_FORM_MEMORY_SIZE")
    return int(limit) if limit else 500_000


def _preview(register: str, plan: importing.ImportPlan, text: str, *, changed: bool = False) -> tuple[str, int]:
    secret = current_app.config["SECRET_KEY"]
    token = importing.sign_preview(secret, register=register, user_id=actor().id, text=text,
                                   fingerprint=plan.fingerprint(text))  # fmt: skip
    page = render_template(
        "companies/import_preview.html", register=register, plan=plan, counts=plan.counts(), token=token,
        too_big=len(token) + 4096 > _form_limit(), form=ConfirmImportForm(formdata=None), changed=changed,
    )  # fmt: skip
    return page, 409 if changed else 200


def import_upload(register: str) -> Page:
    """The upload page of `register` ("companies" or "contacts"), and its preview."""
    session = get_session()
    require_writer(session)
    form = ImportForm()
    if form.validate_on_submit():
        try:
            plan, text = importing.plan_file(session, register=register, data=form.file.data.read(MAX_IMPORT_BYTES + 1))
        except ValueError as error:
            form.file.errors = [*form.file.errors, str(error)]
        else:
            return _preview(register, plan, text)
    return render_template(f"{register}/import.html", form=form)


def import_confirm(register: str, done_endpoint: str) -> Page:
    """Apply a previewed file, or show the preview again if the register changed meanwhile."""
    session = get_session()
    require_writer(session)
    form = ConfirmImportForm()
    try:
        if not form.validate_on_submit():
            raise ValueError("The confirmation was incomplete or has expired. Upload the file again.")
        text, fingerprint = importing.open_preview(current_app.config["SECRET_KEY"], register=register,
                                                   user_id=actor().id, token=form.token.data or "")  # fmt: skip
        with session.begin_nested():
            plan, counts = importing.confirm_import(session, actor=actor(), register=register, text=text,
                                                    fingerprint=fingerprint)  # fmt: skip
    except (ValueError, Invalid, Conflict) as error:
        flash(f"Nothing was imported. {getattr(error, 'message', error)}", "error")
        return redirect(url_for(f"{register}.import_upload"))
    if counts is None:
        return _preview(register, plan, text, changed=True)
    session.commit()
    flash(f"Import done: {counts['new']} added, {counts['update']} updated, {counts['unchanged']} unchanged, "
          f"{counts['rejected']} rejected (not imported).", "success")  # fmt: skip
    return redirect(url_for(done_endpoint))


bp.add_url_rule("/companies/import", "import_upload", lambda: import_upload("companies"), methods=["GET", "POST"])
bp.add_url_rule("/companies/import/confirm", "import_confirm", lambda: import_confirm("companies", ".index"),
                methods=["POST"])  # fmt: skip
