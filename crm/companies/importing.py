"""CSV import of companies and of contacts: a read-only preview, then one confirmed transaction.

Each row of the file is classified as new, update (matched by key), unchanged or rejected
(with its reasons). Confirming applies the new and update rows through the same services as
the pages and the API, so the register-keeper rule, validation and audit all apply.

Carrying the file from preview to confirmation: the CSV text travels in a hidden field,
signed with the app's SECRET_KEY (itsdangerous URLSafeTimedSerializer, a salt per register,
compressed), bound to the user and valid for an hour. Not the session: Flask's session is a
~4 KB cookie. Not a temporary file: Rabta runs workers on several hosts (the confirmation may
reach another one) and files need cleaning up. The signed field needs no storage and cannot
be altered unnoticed. Its size is bounded by `read_csv` (5 MB) and, compressed, must fit the
form limit (MAX_FORM_MEMORY_SIZE); a preview that would not fit asks for a smaller file.

At confirmation the rows are classified again. If the outcome differs from what the user saw
(the register changed meanwhile), nothing is written and the new preview is shown (R7).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from crm.accounts.models import User
from crm.companies import queries as company_queries
from crm.companies import services as company_services
from crm.contacts import queries as contact_queries
from crm.contacts import services as contact_services
from crm.csvio import needs_formula_guard, read_csv
from crm.organisations.queries import list_organisations

NEW, UPDATE, UNCHANGED, REJECTED = "new", "update", "unchanged", "rejected"
MAX_ROWS = 20_000
TOKEN_MAX_AGE = 3600  # seconds a preview stays confirmable
Parser = Callable[[str], Any]


@dataclass
class RowPlan:
    """What confirming would do with one row of the file."""

    row: int  # the spreadsheet row: the header is row 1
    key: str
    action: str
    reasons: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    data: Any = None
    target_id: int | None = None
    target_version: int | None = None


@dataclass
class ImportPlan:
    register: str
    rows: list[RowPlan]

    def counts(self) -> dict[str, int]:
        return {
            action: sum(1 for r in self.rows if r.action == action) for action in (NEW, UPDATE, UNCHANGED, REJECTED)
        }

    def fingerprint(self, text: str) -> str:
        """Identifies the file and what the preview said would happen to each row."""
        outcome = [(r.row, r.action, r.target_id, r.target_version) for r in self.rows]
        return hashlib.sha256(json.dumps([self.register, text, outcome]).encode()).hexdigest()


# Parsing cells: each parser returns the value or raises ValueError with a readable reason.


def parse_text(raw: str) -> str:
    """Cell text; an export's formula guard (a leading apostrophe) is taken off again."""
    text = raw.strip()
    return text[1:] if text.startswith("'") and needs_formula_guard(text[1:]) else text


def choice(enum: type[StrEnum]) -> Parser:
    def parse(raw: str) -> StrEnum:
        value = raw.strip().lower().replace(" ", "_").replace("-", "_")
        for member in enum:
            if member.value == value:
                return member
        raise ValueError("use one of " + ", ".join(m.value for m in enum))

    return parse


def parse_date(raw: str) -> date | None:
    if not raw.strip():
        return None
    for pattern in ("%d-%m-%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(raw.strip(), pattern).date()  # noqa: DTZ007 (a date, no time)
        except ValueError:
            continue
    raise ValueError("use a date like 31-12-2024")


def parse_bool(raw: str) -> bool:
    value = raw.strip().lower()
    if value not in ("yes", "y", "true", "1", "no", "n", "false", "0", ""):
        raise ValueError("use yes or no")
    return value in ("yes", "y", "true", "1")


@dataclass(frozen=True)
class Cell:
    parse: Parser
    blank_keeps: bool = False  # an empty cell keeps the current value (choices)


def _parse_row(row: dict[str, str], header: list[str], cells: dict[str, Cell]) -> tuple[dict[str, Any], list[str]]:
    """The values of the columns the file has, and the reasons some cells cannot be read."""
    values: dict[str, Any] = {}
    reasons: list[str] = []
    for name in header:
        cell, raw = cells.get(name), row.get(name, "")
        if cell is None or (cell.blank_keeps and not raw.strip()):
            continue
        try:
            values[name] = cell.parse(raw)
        except ValueError as error:
            reasons.append(f"{name}: {error}")
    return values, reasons


def _reasons(errors: dict[str, list[str]]) -> list[str]:
    return [f"{name}: {message}" for name, messages in errors.items() for message in messages]


def _changes(before: Any, after: Any) -> list[str]:
    return [f.name for f in fields(after) if getattr(before, f.name) != getattr(after, f.name)]


def check_header(header: list[str], columns: tuple[str, ...], required: set[str]) -> None:
    """File-level problems: unknown, repeated or missing columns (ValueError)."""
    unknown = [name for name in header if name not in columns]
    if unknown:
        raise ValueError(f"Unknown column(s): {', '.join(unknown)}. The columns Rabta reads are listed below.")
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        raise ValueError(f"Repeated column(s): {', '.join(repeated)}.")
    if not required <= set(header):
        raise ValueError(f"The file needs the column(s): {', '.join(sorted(required - set(header)))}.")


def _finish(plan: RowPlan, base: Any, data: Any, errors: dict[str, list[str]], exists: bool) -> RowPlan:
    plan.reasons += _reasons(errors)
    if plan.reasons:
        plan.action, plan.data = REJECTED, None
        return plan
    plan.data, plan.changes = data, _changes(base, data) if exists else []
    plan.action = (UPDATE if plan.changes else UNCHANGED) if exists else NEW
    return plan


# Companies: keyed by name, regardless of case.

ENUMS = company_services.COMPANY_ENUMS


def _company_cell(name: str) -> Cell:
    if name in ENUMS:
        return Cell(choice(ENUMS[name]), blank_keeps=True)
    if name.endswith("_verified_on"):
        return Cell(parse_date)
    return Cell(parse_bool) if name == "officer_is_resident" else Cell(parse_text)


COMPANY_CELLS = {name: _company_cell(name) for name in company_services.COMPANY_FIELDS}
COMPANY_COLUMNS = company_services.COMPANY_FIELDS  # documented on templates/companies/import.html


def _plan_company(row: dict[str, str], number: int, header: list[str], existing: dict[str, Any],
                  seen: dict[str, int]) -> RowPlan:  # fmt: skip
    values, reasons = _parse_row(row, header, COMPANY_CELLS)
    name = values.pop("name", "")
    plan = RowPlan(row=number, key=name or "(no name)", action=REJECTED, reasons=reasons)
    if not name:
        plan.reasons.append("name: the name is missing")
        return plan
    if name.lower() in seen:
        plan.reasons.append(f"name: repeats row {seen[name.lower()]} (the name is the key)")
        return plan
    seen[name.lower()] = number
    current = existing.get(name.lower())
    base = company_services.CompanyInput.of(current) if current else company_services.CompanyInput(name=name)
    data = replace(base, **values).cleaned()
    if current is not None:
        plan.target_id, plan.target_version = current.id, current.version
    return _finish(plan, base, data, company_services.company_errors(data), current is not None)


def plan_companies(session: Session, header: list[str], rows: list[dict[str, str]]) -> list[RowPlan]:
    """Classify every row of a companies file against the register. Reads only."""
    check_header(header, COMPANY_COLUMNS, {"name"})
    existing = company_queries.companies_by_names(session, [parse_text(row.get("name", "")) for row in rows])
    seen: dict[str, int] = {}
    return [_plan_company(row, number, header, existing, seen) for number, row in enumerate(rows, start=2)]


# Contacts: keyed by employer and e-mail, or employer and name when the row has no e-mail.

# Documented on templates/contacts/import.html.
CONTACT_COLUMNS = ("company", "organisation", "name", "title", "email", "phone", "valid_from", "valid_to", "notes")
CONTACT_CELLS = {name: Cell(parse_date if name.startswith("valid_") else parse_text) for name in CONTACT_COLUMNS[2:]}


@dataclass(frozen=True)
class Employer:
    company_id: int | None
    organisation_id: int | None
    label: str


@dataclass
class ContactContext:
    """What classifying a contacts file needs, loaded once for the whole file."""

    companies: dict[str, Any]
    organisations: dict[str, Any]
    existing: dict[tuple[Any, ...], list[Any]]
    seen: dict[tuple[Any, ...], int] = field(default_factory=dict)

    def employer(self, row: dict[str, str]) -> tuple[Employer | None, list[str]]:
        company, organisation = parse_text(row.get("company", "")), parse_text(row.get("organisation", ""))
        if company and organisation:
            return None, ["company: give a company or an organisation, not both"]
        if company:
            found = self.companies.get(company.lower())
            if found is None:
                return None, [f"company: unknown company {company!r} (add it to Rabta first)"]
            return Employer(found.id, None, found.name), []
        if organisation:
            body = self.organisations.get(organisation.lower())
            if body is None:
                return None, [f"organisation: unknown government body {organisation!r} (use its short name)"]
            return Employer(None, body.id, body.short_name), []
        return None, ["company: give the company the person works for"]


def contact_key(employer: Employer, email: str, name: str) -> tuple[Any, ...]:
    ids = (employer.company_id, employer.organisation_id)
    return (*ids, "email", email.lower()) if email else (*ids, "name", name.lower())


def _contact_context(session: Session, rows: list[dict[str, str]]) -> ContactContext:
    companies = company_queries.companies_by_names(session, [parse_text(r.get("company", "")) for r in rows])
    wanted = {parse_text(r.get("organisation", "")).lower() for r in rows}
    organisations = {o.short_name.lower(): o for o in list_organisations(session)}
    existing: dict[tuple[Any, ...], list[Any]] = {}
    for contact in contact_queries.contacts_of_employers(
        session, company_ids=[c.id for c in companies.values()],
        organisation_ids=[o.id for key, o in organisations.items() if key in wanted],
    ):  # fmt: skip
        employer = Employer(contact.company_id, contact.organisation_id, "")
        for key in {contact_key(employer, contact.email, contact.name), contact_key(employer, "", contact.name)}:
            existing.setdefault(key, []).append(contact)
    return ContactContext(companies, organisations, existing)


def _match(plan: RowPlan, key: tuple[Any, ...], number: int, context: ContactContext) -> tuple[bool, Any]:
    """(usable, the stored contact this row updates or None); a repeated or ambiguous key is rejected."""
    if key in context.seen:
        plan.reasons.append(f"repeats row {context.seen[key]} (same employer and {key[2].replace('email', 'e-mail')})")
        return False, None
    context.seen[key] = number
    matches = context.existing.get(key, [])
    if len(matches) > 1:
        plan.reasons.append(f"matches {len(matches)} contacts in Rabta; add an e-mail or edit them in Rabta")
        return False, None
    return True, (matches[0] if matches else None)


def _plan_contact(row: dict[str, str], number: int, header: list[str], context: ContactContext) -> RowPlan:
    values, reasons = _parse_row(row, header, CONTACT_CELLS)
    employer, employer_reasons = context.employer(row)
    name, email = values.get("name", ""), values.get("email", "")
    label = f"{employer.label if employer else '?'} / {email or name or '(no name)'}"
    plan = RowPlan(row=number, key=label, action=REJECTED, reasons=reasons + employer_reasons)
    if not name:
        plan.reasons.append("name: the name is missing")
    if employer is None or not name:
        return plan
    usable, current = _match(plan, contact_key(employer, email, name), number, context)
    if not usable:
        return plan
    base = contact_services.ContactInput(name=name, company_id=employer.company_id,
                                         organisation_id=employer.organisation_id)  # fmt: skip
    if current is not None:
        plan.target_id, plan.target_version = current.id, current.version
        base = contact_services.ContactInput.of(current)
        # The key keeps its stored spelling (it matched regardless of case); matched by name
        # (no e-mail in the row), the stored e-mail is kept too.
        values.pop("email", None)
        if not email:
            values.pop("name", None)
    data = replace(base, **values).cleaned()
    return _finish(plan, base, data, contact_services.contact_errors(data), current is not None)


def plan_contacts(session: Session, header: list[str], rows: list[dict[str, str]]) -> list[RowPlan]:
    """Classify every row of a contacts file against the register. Reads only."""
    check_header(header, CONTACT_COLUMNS, {"name"})
    if not {"company", "organisation"} & set(header):
        raise ValueError("The file needs a company column (or organisation, for officials).")
    context = _contact_context(session, rows)
    return [_plan_contact(row, number, header, context) for number, row in enumerate(rows, start=2)]


# The two registers, and the flow the pages drive.


Planner = Callable[[Session, list[str], list[dict[str, str]]], list[RowPlan]]
REGISTERS: dict[str, tuple[tuple[str, ...], Planner]] = {
    "companies": (COMPANY_COLUMNS, plan_companies),
    "contacts": (CONTACT_COLUMNS, plan_contacts),
}


def _write(session: Session, actor: User, register: str, row: RowPlan) -> None:
    if register == "companies" and row.action == NEW:
        company_services.create_company(session, actor=actor, data=row.data)
    elif register == "companies":
        company_services.update_company(
            session, actor=actor, company_id=row.target_id or 0, version=row.target_version, data=row.data
        )
    elif row.action == NEW:
        contact_services.create_contact(session, actor=actor, data=row.data)
    else:
        contact_services.update_contact(
            session, actor=actor, contact_id=row.target_id or 0, version=row.target_version, data=row.data
        )


def plan_file(session: Session, *, register: str, data: bytes) -> tuple[ImportPlan, str]:
    """Read and classify an uploaded file; writes nothing. ValueError names a file-level problem."""
    header, rows = read_csv(data)
    if not rows:
        raise ValueError("The file has a header row but no data rows.")
    if len(rows) > MAX_ROWS:
        raise ValueError(f"The file has {len(rows):,} rows; import at most {MAX_ROWS:,} at a time.")
    return ImportPlan(register, REGISTERS[register][1](session, header, rows)), data.decode("utf-8-sig")


def apply_plan(session: Session, *, actor: User, plan: ImportPlan) -> dict[str, int]:
    """Write the new and update rows through the services (each audited), then audit the
    import itself. Raises what the services raise (Forbidden, Conflict, Invalid)."""
    company_services.require_register_keeper(session, actor=actor)
    for row in plan.rows:
        if row.action in (NEW, UPDATE):
            _write(session, actor, plan.register, row)
    counts = plan.counts()
    company_services.record_import(session, actor=actor, register=plan.register, counts=counts)
    return counts


def _serializer(secret_key: str, register: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=f"rabta.import.{register}")


def sign_preview(secret_key: str, *, register: str, user_id: int, text: str, fingerprint: str) -> str:
    """The hidden field that carries the previewed file to the confirmation."""
    return _serializer(secret_key, register).dumps({"user": user_id, "csv": text, "fingerprint": fingerprint})


def open_preview(secret_key: str, *, register: str, user_id: int, token: str) -> tuple[str, str]:
    """The file and fingerprint a preview showed this user; ValueError if expired, altered or another's."""
    try:
        payload = _serializer(secret_key, register).loads(token, max_age=TOKEN_MAX_AGE)
    except BadSignature:
        payload = None
    if not isinstance(payload, dict) or payload.get("user") != user_id:
        raise ValueError("This preview has expired or cannot be read. Upload the file again.")
    return str(payload.get("csv", "")), str(payload.get("fingerprint", ""))


def confirm_import(
    session: Session, *, actor: User, register: str, text: str, fingerprint: str
) -> tuple[ImportPlan, dict[str, int] | None]:
    """Apply a confirmed preview. Counts are None (and nothing is written) when the rows
    would now be handled differently from what the preview showed; the plan is the new one."""
    plan, text = plan_file(session, register=register, data=text.encode("utf-8"))
    if plan.fingerprint(text) != fingerprint:
        return plan, None
    return plan, apply_plan(session, actor=actor, plan=plan)
