"""Reading for the scheduler: the admin's health page, and the people the jobs notify.

Recipients are loaded in bulk (a fixed number of queries per job run, whatever the number
of items), so a job's only per-item statements are the exactly-once notification inserts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm.accounts.models import Role, User
from crm.notifications.models import OutboxMessage, OutboxStatus
from crm.organisations.models import Organisation
from crm.scheduler.models import JobRun, SchedulerLease
from crm.scheduler.registry import JOBS, JobSpec
from crm.scheduler.services import SCHEDULER_LEASE

# Who acts on an organisation's work (policy.can_complete in crm/followups): not observers,
# and not admins, whose role is accounts.
ACTING_ROLES = (Role.CHAIR, Role.SECRETARIAT, Role.MEMBER)


@dataclass
class Recipients:
    """Active users by id, and the acting members of organisations, loaded once per run."""

    by_id: dict[int, User] = field(default_factory=dict)
    by_organisation: dict[int, list[User]] = field(default_factory=dict)

    def user(self, user_id: int | None) -> list[User]:
        found = self.by_id.get(user_id) if user_id is not None else None
        return [found] if found else []

    def members(self, organisation_id: int | None) -> list[User]:
        return self.by_organisation.get(organisation_id, []) if organisation_id is not None else []


def load_recipients(session: Session, *, user_ids: Iterable[int], organisation_ids: Iterable[int]) -> Recipients:
    """The active users among `user_ids`, and the acting members of `organisation_ids`: two
    queries at most. Deactivated users are left out (they cannot act, and must not be mailed)."""
    recipients = Recipients()
    ids, organisations = set(user_ids), set(organisation_ids)
    if ids:
        recipients.by_id = {u.id: u for u in session.scalars(select(User).where(User.is_active, User.id.in_(ids)))}
    if organisations:
        query = (
            select(User)
            .where(User.is_active, User.organisation_id.in_(organisations), User.role.in_(ACTING_ROLES))
            .order_by(User.id)
        )
        for user in session.scalars(query):
            recipients.by_organisation.setdefault(user.organisation_id, []).append(user)
    return recipients


def active_users_with_roles(session: Session, *roles: Role) -> list[User]:
    """Every active user holding one of `roles` (the chairs, or the chairs and admins)."""
    return list(session.scalars(select(User).where(User.is_active, User.role.in_(roles)).order_by(User.id)))


def user_names(session: Session, ids: set[int]) -> dict[int, str]:
    """Full names by user id (deactivated users included: they may still own old items)."""
    if not ids:
        return {}
    query = select(User.id, User.full_name).where(User.id.in_(ids))
    return {row[0]: row[1] for row in session.execute(query)}


def organisation_names(session: Session, ids: set[int]) -> dict[int, str]:
    """Short names (MoIT, PTA) by organisation id."""
    if not ids:
        return {}
    query = select(Organisation.id, Organisation.short_name).where(Organisation.id.in_(ids))
    return {row[0]: row[1] for row in session.execute(query)}


@dataclass(frozen=True)
class JobHealth:
    """A registered job, and its last run as recorded (None: never run)."""

    spec: JobSpec
    schedule: str
    run: JobRun | None

    @property
    def failing(self) -> bool:
        """The last run failed (it finished after the last success, or none succeeded yet)."""
        if self.run is None or self.run.last_finished_at is None:
            return False
        return self.run.last_ok_at is None or self.run.last_finished_at > self.run.last_ok_at


def job_health(session: Session, config: dict[str, object]) -> list[JobHealth]:
    """Every registered job in registry order, with its health record: one query."""
    runs = {run.job_id: run for run in session.scalars(select(JobRun))}
    return [JobHealth(spec, spec.schedule.describe(config), runs.get(spec.id)) for spec in JOBS]


@dataclass(frozen=True)
class LeaseState:
    holder: str
    acquired_at: datetime
    expires_at: datetime

    def is_live(self, now: datetime) -> bool:
        return self.expires_at > now


def current_lease(session: Session) -> LeaseState | None:
    """Who holds (or last held) the scheduler lock, and until when."""
    lease = session.get(SchedulerLease, SCHEDULER_LEASE)
    return LeaseState(lease.holder, lease.acquired_at, lease.expires_at) if lease else None


def outbox_counts(session: Session) -> dict[OutboxStatus, int]:
    """How many outbox messages are pending, sent and failed (every status, zero included)."""
    query = select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    counts = {status: 0 for status in OutboxStatus}
    counts.update({OutboxStatus(status): count for status, count in session.execute(query)})
    return counts
