"""Contact: a person at a company or a government body, valid for a time (people rotate)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.companies.models import Company
from crm.db import Base, UTCDateTime, utcnow
from crm.organisations.models import Organisation


class Contact(Base):
    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(50), default="")
    valid_from: Mapped[date | None]
    valid_to: Mapped[date | None]
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    company: Mapped[Company | None] = relationship(lazy="raise")
    organisation: Mapped[Organisation | None] = relationship(lazy="raise")

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        # A contact belongs to exactly one side: a company or a government body.
        CheckConstraint(
            "(company_id IS NULL) <> (organisation_id IS NULL)",
            name="one_employer",
        ),
    )

    @property
    def employer(self) -> str:
        if self.company is not None:
            return self.company.name
        return self.organisation.short_name if self.organisation is not None else ""
