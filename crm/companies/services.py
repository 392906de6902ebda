"""Company register writes: companies with their compliance profile, services and access history.

Every function checks the register-keeper rule (chair, secretariat, focal person), validates
all fields at once, flushes and audits in the caller's transaction. The caller commits.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from crm.accounts.models import User
from crm.audit.services import Target, record, snapshot
from crm.companies import policy
from crm.companies.models import (
    AccessStatus,
    Company,
    Health,
    LocalPresence,
    OfficerStatus,
    Priority,
    PtaRegistration,
    Service,
    ServiceAccessPeriod,
    TaxStatus,
)
from crm.designations.queries import focal_person_id
from crm.errors import Conflict, Forbidden, Invalid, NotFound
from crm.formatting import KARACHI, format_date
from crm.validation import FieldErrors, length_errors, merge

NOT_PERMITTED = "not_permitted"
REFUSAL = "Only the chair, the secretariat and the focal person keep the register of companies and contacts."
MAX_NOTES = 20_000
MAX_USERS = 500_000_000  # more than Pakistan's population: a typo, not an estimate


def today() -> date:
    """Today's date in Pakistan, the date people mean when they record one."""
    return datetime.now(KARACHI).date()


def require_register_keeper(session: Session, *, actor: User) -> None:
    """Raise Forbidden (`not_permitted`) unless the actor may maintain the register."""
    if not policy.can_maintain_register(actor, is_focal_person=focal_person_id(session) == actor.id):
        raise Forbidden(REFUSAL, code=NOT_PERMITTED)


def _flush(session: Session, stale_message: str) -> None:
    """Flush; a row changed by a concurrent writer since it was read becomes a Conflict (R7)."""
    try:
        session.flush()
    except StaleDataError:
        raise Conflict(stale_message) from None


def _check_version(current: int, given: int | None, message: str) -> None:
    if given is not None and given != current:
        raise Conflict(message)


def future_errors(values: dict[str, date | None]) -> FieldErrors:
    """Dates of things verified or observed cannot be later than today."""
    limit = today()
    return {name: ["This date is in the future."] for name, value in values.items() if value and value > limit}


@dataclass(frozen=True)
class CompanyInput:
    """Everything a person records about a company (page, API and import share it)."""

    name: str
    legal_name: str = ""
    parent: str = ""
    hq_jurisdiction: str = ""
    website: str = ""
    priority: Priority = Priority.MEDIUM
    health: Health = Health.AMBER
    health_reason: str = ""
    notes: str = ""
    presence: LocalPresence = LocalPresence.NONE
    presence_city: str = ""
    presence_evidence: str = ""
    presence_verified_on: date | None = None
    pta_registration: PtaRegistration = PtaRegistration.NOT_REGISTERED
    pta_evidence: str = ""
    pta_verified_on: date | None = None
    officer_status: OfficerStatus = OfficerStatus.NOT_NAMED
    officer_name: str = ""
    officer_is_resident: bool = False
    officer_evidence: str = ""
    officer_verified_on: date | None = None
    tax_status: TaxStatus = TaxStatus.NOT_REGISTERED
    tax_evidence: str = ""
    tax_verified_on: date | None = None

    @classmethod
    def of(cls, company: Company) -> CompanyInput:
        """The stored values of a company, to compare with or to overlay changes on."""
        return cls(**{name: getattr(company, name) for name in COMPANY_FIELDS})

    def cleaned(self) -> CompanyInput:
        """Surrounding blanks removed from every text (notes keep their inner layout)."""
        # `type(...) is str`: the enums are str too, and must stay enums.
        stripped: dict[str, Any] = {k: v.strip() for k, v in asdict(self).items() if type(v) is str}
        return replace(self, **stripped)

    def dates(self) -> dict[str, date | None]:
        return {name: getattr(self, name) for name in COMPANY_FIELDS if name.endswith("_verified_on")}


COMPANY_FIELDS = tuple(f.name for f in fields(CompanyInput))
COMPANY_ENUMS: dict[str, type[StrEnum]] = {
    "priority": Priority, "health": Health, "presence": LocalPresence, "pta_registration": PtaRegistration,
    "officer_status": OfficerStatus, "tax_status": TaxStatus,
}  # fmt: skip


def company_errors(data: CompanyInput) -> FieldErrors:
    """Field errors of a company's values alone (no database): shared with the import preview."""
    errors = merge(length_errors(Company, asdict(data)), future_errors(data.dates()))
    if not data.name:
        errors.setdefault("name", []).append("Give the company's name.")
    if len(data.notes) > MAX_NOTES:
        errors.setdefault("notes", []).append(f"Use at most {MAX_NOTES} characters.")
    if data.website and not data.website.lower().startswith(("https://", "http://")):
        errors.setdefault("website", []).append("Give the full address, starting with https://.")
    if data.presence is not LocalPresence.NONE and not data.presence_city:
        errors.setdefault("presence_city", []).append("Say in which city the local presence is.")
    if data.officer_status is OfficerStatus.NAMED and not data.officer_name:
        errors.setdefault("officer_name", []).append("Give the named compliance officer's name.")
    return errors


def _name_errors(session: Session, name: str, company_id: int | None) -> FieldErrors:
    """Names are unique regardless of case ("Meta" and "META" are one company)."""
    query = select(Company.id).where(func.lower(Company.name) == name.lower())
    if company_id is not None:
        query = query.where(Company.id != company_id)
    return {"name": ["A company with this name is already in the register."]} if session.scalar(query) else {}


def _flush_company(session: Session) -> None:
    try:
        _flush(session, "This company was changed by someone else meanwhile. Reload it and try again.")
    except IntegrityError:  # a concurrent writer took the name between our check and the insert
        raise Invalid("The company was not saved.", fields={"name": ["This name was just taken."]}) from None


def create_company(session: Session, *, actor: User, data: CompanyInput) -> Company:
    """Add a company to the register. Raises Forbidden (not_permitted) or Invalid (fields)."""
    require_register_keeper(session, actor=actor)
    data = data.cleaned()
    errors = merge(company_errors(data), _name_errors(session, data.name, None))
    if errors:
        raise Invalid("The company was not saved: please correct the fields shown.", fields=errors)
    company = Company(**asdict(data))
    session.add(company)
    _flush_company(session)
    record(session, actor=actor, action="company.create", target=Target.of(company),
           after=snapshot(company, *COMPANY_FIELDS))  # fmt: skip
    return company


def _company_for_change(session: Session, company_id: int) -> Company:
    company = session.get(Company, company_id)
    if company is None:
        raise NotFound("There is no such company.")
    return company


def update_company(
    session: Session, *, actor: User, company_id: int, version: int | None, data: CompanyInput
) -> Company:
    """Change a company's record. A `version` other than the stored one is a Conflict (R7).

    Raises Forbidden, NotFound, Conflict or Invalid; writes nothing when the values are unchanged.
    """
    require_register_keeper(session, actor=actor)
    company = _company_for_change(session, company_id)
    _check_version(company.version, version, f"{company.name} was changed by someone else since you opened it.")
    data = data.cleaned()
    errors = merge(company_errors(data), _name_errors(session, data.name, company.id))
    if errors:
        raise Invalid("The company was not saved: please correct the fields shown.", fields=errors)
    before = snapshot(company, *COMPANY_FIELDS)
    for name, value in asdict(data).items():
        setattr(company, name, value)
    after = snapshot(company, *COMPANY_FIELDS)
    if after != before:
        _flush_company(session)
        changed = [name for name in COMPANY_FIELDS if before[name] != after[name]]
        record(session, actor=actor, action="company.update", target=Target.of(company),
               before={k: before[k] for k in changed}, after={k: after[k] for k in changed})  # fmt: skip
    return company


@dataclass(frozen=True)
class ServiceInput:
    """A service's name and reach in Pakistan (an estimate, with its source and date)."""

    name: str
    estimated_users: int | None = None
    users_source: str = ""
    users_as_of: date | None = None

    def cleaned(self) -> ServiceInput:
        return replace(self, name=self.name.strip(), users_source=self.users_source.strip())


SERVICE_FIELDS = ("company_id", "name", "estimated_users", "users_source", "users_as_of", "access_status")


def service_errors(data: ServiceInput) -> FieldErrors:
    """Field errors of a service's values alone (no database)."""
    errors = merge(length_errors(Service, asdict(data)), future_errors({"users_as_of": data.users_as_of}))
    if not data.name:
        errors.setdefault("name", []).append("Give the service's name, e.g. YouTube.")
    if data.estimated_users is not None:
        if not 0 <= data.estimated_users <= MAX_USERS:
            errors.setdefault("estimated_users", []).append(f"Give a number of people from 0 to {MAX_USERS:,}.")
        if not data.users_source:
            errors.setdefault("users_source", []).append("Say where the estimate comes from.")
        if data.users_as_of is None:
            errors.setdefault("users_as_of", []).append("Give the date of the estimate.")
    return errors


def _service_name_errors(session: Session, company_id: int, name: str, service_id: int | None) -> FieldErrors:
    query = select(Service.id).where(Service.company_id == company_id, func.lower(Service.name) == name.lower())
    if service_id is not None:
        query = query.where(Service.id != service_id)
    return {"name": ["This company already has a service with this name."]} if session.scalar(query) else {}


def _status_date_errors(name: str, started_on: date | None, open_since: date | None) -> FieldErrors:
    if started_on is None:
        return {name: ["Give the date from which the status holds."]}
    if started_on > today():
        return {name: ["Record a status once it holds (this date is in the future)."]}
    if open_since is not None and started_on < open_since:
        return {name: [f"The current status holds since {format_date(open_since)}; give that date or a later one."]}
    return {}


def _open_period(session: Session, service: Service, *, actor: User, status: AccessStatus, started_on: date,
                 reason: str) -> None:  # fmt: skip
    session.add(ServiceAccessPeriod(service_id=service.id, status=status, started_on=started_on,
                                    reason=reason, recorded_by_id=actor.id))  # fmt: skip


def add_service(
    session: Session,
    *,
    actor: User,
    company_id: int,
    data: ServiceInput,
    access_status: AccessStatus = AccessStatus.AVAILABLE,
    status_since: date | None = None,
) -> Service:
    """Add a service to a company, opening its access history with `access_status` from
    `status_since` (today by default). Raises Forbidden, NotFound or Invalid."""
    require_register_keeper(session, actor=actor)
    company = _company_for_change(session, company_id)
    data, since = data.cleaned(), status_since or today()
    errors = merge(service_errors(data), _service_name_errors(session, company.id, data.name, None),
                   _status_date_errors("status_since", since, None))  # fmt: skip
    if errors:
        raise Invalid("The service was not saved: please correct the fields shown.", fields=errors)
    service = Service(company_id=company.id, access_status=access_status, **asdict(data))
    session.add(service)
    session.flush()
    _open_period(session, service, actor=actor, status=access_status, started_on=since, reason="")
    session.flush()
    record(session, actor=actor, action="service.create", target=Target.of(service),
           after={**snapshot(service, *SERVICE_FIELDS), "status_since": since})  # fmt: skip
    return service


def _service_for_change(session: Session, service_id: int, version: int | None) -> Service:
    service = session.get(Service, service_id)
    if service is None:
        raise NotFound("There is no such service.")
    _check_version(service.version, version, f"{service.name} was changed by someone else since you opened it.")
    return service


def update_service(
    session: Session, *, actor: User, service_id: int, version: int | None, data: ServiceInput
) -> Service:
    """Change a service's name or reach estimate. Raises Forbidden, NotFound, Conflict, Invalid."""
    require_register_keeper(session, actor=actor)
    service = _service_for_change(session, service_id, version)
    data = data.cleaned()
    errors = merge(service_errors(data), _service_name_errors(session, service.company_id, data.name, service.id))
    if errors:
        raise Invalid("The service was not saved: please correct the fields shown.", fields=errors)
    before = snapshot(service, *SERVICE_FIELDS)
    for name, value in asdict(data).items():
        setattr(service, name, value)
    if snapshot(service, *SERVICE_FIELDS) != before:
        _flush(session, "This service was changed by someone else meanwhile. Reload it and try again.")
        record(session, actor=actor, action="service.update", target=Target.of(service), before=before,
               after=snapshot(service, *SERVICE_FIELDS))  # fmt: skip
    return service


def _open_periods(session: Session, service_id: int) -> list[ServiceAccessPeriod]:
    query = select(ServiceAccessPeriod).where(
        ServiceAccessPeriod.service_id == service_id, ServiceAccessPeriod.ended_on.is_(None)
    )
    return list(session.scalars(query))


def _access_errors(service: Service, status: AccessStatus, started_on: date | None, reason: str,
                   open_since: date | None) -> FieldErrors:  # fmt: skip
    errors = merge(length_errors(ServiceAccessPeriod, {"reason": reason}),
                   _status_date_errors("started_on", started_on, open_since))  # fmt: skip
    if status is service.access_status:
        errors["status"] = [f"{service.name} is already {status.label.lower()}."]
    if not reason:
        errors.setdefault("reason", []).append("Say why the access status changed (e.g. PTA order no.).")
    return errors


def change_access_status(
    session: Session,
    *,
    actor: User,
    service_id: int,
    version: int | None,
    status: AccessStatus,
    started_on: date | None,
    reason: str,
) -> Service:
    """Record that a service became available, blocked or throttled from `started_on`.

    The open period of the history ends on that date and a new one opens, so the history
    is a run of from–to periods. Raises Forbidden, NotFound, Conflict or Invalid.
    """
    require_register_keeper(session, actor=actor)
    service = _service_for_change(session, service_id, version)
    reason = reason.strip()
    current = _open_periods(session, service.id)
    open_since = max((period.started_on for period in current), default=None)
    errors = _access_errors(service, status, started_on, reason, open_since)
    if errors or started_on is None:
        raise Invalid("The access status was not changed: please correct the fields shown.", fields=errors)
    for period in current:
        period.ended_on = started_on
    before = snapshot(service, "access_status")
    service.access_status = status
    _open_period(session, service, actor=actor, status=status, started_on=started_on, reason=reason)
    _flush(session, "This service was changed by someone else meanwhile. Reload it and try again.")
    record(session, actor=actor, action="service.access_change", target=Target.of(service), before=before,
           after={"access_status": status, "started_on": started_on, "reason": reason})  # fmt: skip
    return service


def record_export(session: Session, *, actor: User, register: str, filters: dict[str, Any], rows: int) -> None:
    """R8: every export of a register ("companies", "contacts") is audited with its filters."""
    record(session, actor=actor, action=f"{register}.export", target=Target(register, "export"),
           after={"filters": filters, "rows": rows})  # fmt: skip


def record_import(session: Session, *, actor: User, register: str, counts: dict[str, int]) -> None:
    """R8: one event for the whole import, besides the event of each record it wrote."""
    record(session, actor=actor, action=f"{register}.import", target=Target(register, "import"), after=counts)
