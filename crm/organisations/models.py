"""Organisation: a government body, with its NSMCWG membership."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from crm.db import Base, UTCDateTime, str_enum, utcnow


class OrganisationKind(StrEnum):
    MINISTRY = "ministry"
    DIVISION = "division"
    REGULATOR = "regulator"
    OFFICE = "office"
    AGENCY = "agency"
    THINK_TANK = "think_tank"


class Membership(StrEnum):
    PERMANENT = "permanent"
    CO_OPTED = "co_opted"
    NONE = "none"


class Organisation(Base):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    short_name: Mapped[str] = mapped_column(String(20), unique=True)
    kind: Mapped[OrganisationKind] = mapped_column(str_enum(OrganisationKind))
    membership: Mapped[Membership] = mapped_column(str_enum(Membership), default=Membership.NONE)
    co_opted_from: Mapped[date | None]
    co_opted_to: Mapped[date | None]
    is_lead: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Organisation {self.short_name}>"
