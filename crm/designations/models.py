"""Designation, with the database guarantee of one active holder per kind."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.accounts.models import User
from crm.db import Base, UTCDateTime, str_enum, utcnow


class DesignationKind(StrEnum):
    FOCAL_PERSON = "focal_person"
    SPOKESPERSON = "spokesperson"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class Designation(Base):
    __tablename__ = "designations"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[DesignationKind] = mapped_column(str_enum(DesignationKind))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    effective_from: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approval_ref: Mapped[str] = mapped_column(String(200))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="raise")
    recorded_by: Mapped[User] = relationship(foreign_keys=[recorded_by_id], lazy="raise")

    __mapper_args__ = {"version_id_col": version}
    # R1 held by the database itself: two active rows of one kind cannot both exist, whatever
    # code path (or concurrent transaction) tries.
    __table_args__ = (
        Index(
            "uq_designations_one_active_per_kind",
            "kind",
            unique=True,
            sqlite_where=ended_at.is_(None),
            postgresql_where=ended_at.is_(None),
        ),
    )

    @property
    def is_active(self) -> bool:
        return self.ended_at is None
