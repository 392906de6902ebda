"""Contact pages: the list (current people by default), a contact, forms, CSV export and import."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from crm.authz import actor, require_login
from crm.companies import queries as company_queries
from crm.companies.services import record_export, today
from crm.companies.views import (
    Page,
    can_write,
    form_page,
    form_text,
    import_confirm,
    import_upload,
    require_writer,
    save,
)
from crm.contacts import queries, services
from crm.contacts.forms import ContactForm, EditContactForm
from crm.contacts.models import Contact
from crm.contacts.policy import is_current
from crm.db import get_session
from crm.errors import NotFound
from crm.exports import CSV, XLSX, export_response
from crm.http import db_id, writes
from crm.organisations.queries import list_organisations

bp = Blueprint("contacts", __name__)
require_login(bp)

PAGE_SIZE = 50
EXPORT_LIMIT = 50_000
EXPORT_COLUMNS = ("company", "organisation", "name", "title", "email", "phone", "valid_from", "valid_to", "notes")


def _filters() -> dict[str, object]:
    """`?company_id=` and `?all=1` (include people who have left their post); garbage is ignored."""
    include_past = request.args.get("all") == "1"
    return {"company_id": request.args.get("company_id", type=db_id), "current_on": None if include_past else today()}


@bp.route("/contacts")
def index() -> str:
    session = get_session()
    filters = _filters()
    rows = queries.list_contacts(session, **filters, after_id=request.args.get("after", type=db_id),  # type: ignore[arg-type]
                                 limit=PAGE_SIZE + 1)  # fmt: skip
    next_after = rows[PAGE_SIZE - 1].id if len(rows) > PAGE_SIZE else None
    return render_template(
        "contacts/index.html", contacts=rows[:PAGE_SIZE], next_after=next_after, can_write=can_write(session),
        companies=company_queries.company_choices(session), company_id=filters["company_id"],
        include_past=filters["current_on"] is None, current_ids={c.id for c in rows if is_current(c, today())},
    )  # fmt: skip


def _export_row(contact: Contact) -> list[object]:
    employer = [contact.company.name if contact.company else "",
                contact.organisation.short_name if contact.organisation else ""]  # fmt: skip
    return employer + [getattr(contact, name) for name in EXPORT_COLUMNS[2:]]


@bp.route("/contacts.xlsx", defaults=XLSX)
@bp.route("/contacts.csv", defaults=CSV)
@writes
def export(fmt: str) -> Response:
    session = get_session()
    filters = _filters()
    rows = queries.list_contacts(session, **filters, limit=EXPORT_LIMIT)  # type: ignore[arg-type]
    record_export(session, actor=actor(), register="contacts", filters=filters, rows=len(rows))
    session.commit()
    return export_response((_export_row(c) for c in rows), EXPORT_COLUMNS, filename="contacts", format=fmt)


def _contact(session: Session, contact_id: int) -> Contact:
    contact = queries.get_contact(session, contact_id)
    if contact is None:
        raise NotFound("There is no such contact.")
    return contact


@bp.route("/contacts/<int:contact_id>")
def detail(contact_id: int) -> str:
    session = get_session()
    contact = _contact(session, contact_id)
    return render_template("contacts/detail.html", contact=contact, can_write=can_write(session),
                           current=is_current(contact, today()))  # fmt: skip


def _with_choices(session: Session, form: ContactForm) -> ContactForm:
    none = [SelectChoice("", "— none —")]
    form.company_id.choices = none + [SelectChoice(i, name) for i, name in company_queries.company_choices(session)]
    form.organisation_id.choices = none + [
        SelectChoice(o.id, f"{o.short_name} — {o.name}") for o in list_organisations(session)
    ]
    return form


def _contact_input(form: ContactForm) -> services.ContactInput:
    return services.ContactInput(
        **form_text(form, ("name", "title", "email", "phone", "notes")), company_id=form.company_id.data,
        organisation_id=form.organisation_id.data, valid_from=form.valid_from.data, valid_to=form.valid_to.data,
    )  # fmt: skip


@bp.route("/contacts/new", methods=["GET", "POST"])
def create() -> Page:
    session = get_session()
    require_writer(session)
    preset = {"company_id": request.args.get("company_id", type=db_id)} if request.method == "GET" else None
    form = _with_choices(session, ContactForm(data=preset))
    created: list[Contact] = []

    def write() -> None:
        created.append(services.create_contact(session, actor=actor(), data=_contact_input(form)))

    if form.validate_on_submit() and save(form, write) == "saved":
        flash(f"{created[0].name} is added to the contacts.", "success")
        return redirect(url_for(".detail", contact_id=created[0].id))
    return render_template("contacts/form.html", form=form, contact=None)


@bp.route("/contacts/<int:contact_id>/edit", methods=["GET", "POST"])
def edit(contact_id: int) -> Page:
    session = get_session()
    contact = _contact(session, contact_id)
    require_writer(session)
    form = _with_choices(session, EditContactForm(obj=contact))

    def write() -> None:
        services.update_contact(session, actor=actor(), contact_id=contact_id, version=form.version.data,
                                data=_contact_input(form))  # fmt: skip

    outcome = save(form, write, lambda: _contact(session, contact_id).version) if form.validate_on_submit() else ""
    if outcome == "saved":
        flash(f"The record of {form.name.data} is saved.", "success")
        return redirect(url_for(".detail", contact_id=contact_id))
    current_url = url_for(".detail", contact_id=contact_id)
    return form_page("contacts/form.html", outcome, current_url, form=form, contact=contact)


bp.add_url_rule("/contacts/import", "import_upload", lambda: import_upload("contacts"), methods=["GET", "POST"])
bp.add_url_rule("/contacts/import/confirm", "import_confirm", lambda: import_confirm("contacts", "contacts.index"),
                methods=["POST"])  # fmt: skip
