"""Company (a platform company, with its compliance profile), Service and its access history."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import BigInteger, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.db import Base, UTCDateTime, str_enum, utcnow


class Priority(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Health(StrEnum):
    """Relationship health; shown with its word, never by colour alone."""

    RED = "red"
    AMBER = "amber"
    GREEN = "green"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class LocalPresence(StrEnum):
    NONE = "none"
    REPRESENTATIVE = "representative"
    LIAISON_OFFICE = "liaison_office"
    BRANCH = "branch"
    SUBSIDIARY = "subsidiary"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class PtaRegistration(StrEnum):
    NOT_REGISTERED = "not_registered"
    APPLIED = "applied"
    REGISTERED = "registered"
    LAPSED = "lapsed"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class OfficerStatus(StrEnum):
    NOT_NAMED = "not_named"
    NAMED = "named"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class TaxStatus(StrEnum):
    NOT_REGISTERED = "not_registered"
    REGISTERED = "registered"
    COMPLIANT = "compliant"
    DISPUTED = "disputed"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class AccessStatus(StrEnum):
    AVAILABLE = "available"
    BLOCKED = "blocked"
    THROTTLED = "throttled"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Company(Base):
    __tablename__ = "companies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    legal_name: Mapped[str] = mapped_column(String(200), default="")
    parent: Mapped[str] = mapped_column(String(200), default="")
    hq_jurisdiction: Mapped[str] = mapped_column(String(120), default="")
    website: Mapped[str] = mapped_column(String(200), default="")
    priority: Mapped[Priority] = mapped_column(str_enum(Priority), default=Priority.MEDIUM)
    health: Mapped[Health] = mapped_column(str_enum(Health), default=Health.AMBER)
    health_reason: Mapped[str] = mapped_column(String(500), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    # Compliance profile: each aspect has a status, its evidence and when it was last verified.
    presence: Mapped[LocalPresence] = mapped_column(str_enum(LocalPresence), default=LocalPresence.NONE)
    presence_city: Mapped[str] = mapped_column(String(120), default="")
    presence_evidence: Mapped[str] = mapped_column(String(500), default="")
    presence_verified_on: Mapped[date | None]
    pta_registration: Mapped[PtaRegistration] = mapped_column(
        str_enum(PtaRegistration), default=PtaRegistration.NOT_REGISTERED
    )
    pta_evidence: Mapped[str] = mapped_column(String(500), default="")
    pta_verified_on: Mapped[date | None]
    officer_status: Mapped[OfficerStatus] = mapped_column(str_enum(OfficerStatus), default=OfficerStatus.NOT_NAMED)
    officer_name: Mapped[str] = mapped_column(String(200), default="")
    officer_is_resident: Mapped[bool] = mapped_column(default=False)
    officer_evidence: Mapped[str] = mapped_column(String(500), default="")
    officer_verified_on: Mapped[date | None]
    tax_status: Mapped[TaxStatus] = mapped_column(str_enum(TaxStatus), default=TaxStatus.NOT_REGISTERED)
    tax_evidence: Mapped[str] = mapped_column(String(500), default="")
    tax_verified_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class Service(Base):
    """A company's app or platform, with its reach in Pakistan and current access status."""

    __tablename__ = "services"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    estimated_users: Mapped[int | None] = mapped_column(BigInteger)
    users_source: Mapped[str] = mapped_column(String(300), default="")
    users_as_of: Mapped[date | None]
    access_status: Mapped[AccessStatus] = mapped_column(str_enum(AccessStatus), default=AccessStatus.AVAILABLE)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    company: Mapped[Company] = relationship(lazy="raise")

    __mapper_args__ = {"version_id_col": version}


class ServiceAccessPeriod(Base):
    """One stretch of an access status (from–to); the open one has no `ended_on`."""

    __tablename__ = "service_access_periods"

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"), index=True)
    status: Mapped[AccessStatus] = mapped_column(str_enum(AccessStatus))
    started_on: Mapped[date]
    ended_on: Mapped[date | None]
    reason: Mapped[str] = mapped_column(String(500), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
