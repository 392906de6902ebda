"""The one registry of scheduled jobs: id, function, schedule and what it does.

`flask --app app jobs list`, `jobs run`, the scheduler process and the admin's health page
all read this list, so a job exists in one place. Functions are named by dotted path and
imported only when run: listing the jobs imports nothing heavy, and a job module that fails
to import breaks its own job, not the others.

Every job is `job(session, now) -> str` (a one-line summary), run inside an app context, and
idempotent: what it sends carries a unique key, so a second run (or a second scheduler) adds
nothing.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.orm import Session

from crm.formatting import KARACHI

JobFunction = Callable[[Session, datetime], str]


@dataclass(frozen=True)
class Every:
    """Every `seconds` seconds."""

    seconds: int

    def trigger(self, config: Mapping[str, Any]) -> BaseTrigger:
        return IntervalTrigger(seconds=self.seconds, timezone=KARACHI)

    def describe(self, config: Mapping[str, Any]) -> str:
        return "every minute" if self.seconds == 60 else f"every {self.seconds} seconds"


@dataclass(frozen=True)
class Hourly:
    """Every hour at `minute` past."""

    minute: int

    def trigger(self, config: Mapping[str, Any]) -> BaseTrigger:
        return CronTrigger(minute=self.minute, timezone=KARACHI)

    def describe(self, config: Mapping[str, Any]) -> str:
        return f"hourly at :{self.minute:02d}"


@dataclass(frozen=True)
class Daily:
    """Once a day at a Pakistan time; `hour_setting` names a config key that overrides `hour`."""

    hour: int
    minute: int = 0
    hour_setting: str = ""

    def _hour(self, config: Mapping[str, Any]) -> int:
        return int(config.get(self.hour_setting, self.hour)) if self.hour_setting else self.hour

    def trigger(self, config: Mapping[str, Any]) -> BaseTrigger:
        return CronTrigger(hour=self._hour(config), minute=self.minute, timezone=KARACHI)

    def describe(self, config: Mapping[str, Any]) -> str:
        return f"daily at {self._hour(config):02d}:{self.minute:02d} PKT"


Schedule = Every | Hourly | Daily


@dataclass(frozen=True)
class JobSpec:
    """One scheduled job.

    `at_start`: also run as soon as the scheduler becomes active, so reminders and
    escalations missed while no scheduler ran go out at once (they are idempotent).
    `quiet`: a frequent job whose runs are recorded on the health page only, neither
    audited nor logged (the outbox sender every minute would bury the audit log).
    """

    id: str
    function: str  # "package.module:function"
    schedule: Schedule
    description: str
    at_start: bool = False
    quiet: bool = False

    def load(self) -> JobFunction:
        module_name, _, attribute = self.function.partition(":")
        function: JobFunction = getattr(importlib.import_module(module_name), attribute)
        return function


JOBS: tuple[JobSpec, ...] = (
    JobSpec(
        "deliver_outbox",
        "crm.notifications.delivery:deliver_outbox",
        Every(60),
        "Send queued e-mails and webhooks; retry failures with backoff.",
        quiet=True,
    ),
    JobSpec(
        "follow_up_reminders",
        "crm.followups.jobs:follow_up_reminders",
        Hourly(5),
        "Remind assignees of open follow-ups before they fall due (REMINDER_DAYS).",
        at_start=True,
    ),
    JobSpec(
        "commitment_reminders",
        "crm.commitments.jobs:commitment_reminders",
        Hourly(10),
        "Remind the focal person (or chair) and the delivering organisation before a commitment falls due.",
        at_start=True,
    ),
    JobSpec(
        "overdue_escalation",
        "crm.commitments.jobs:overdue_escalation",
        Hourly(15),
        "Escalate overdue follow-ups and commitments to the chair (in-app, e-mail, webhook).",
        at_start=True,
    ),
    JobSpec(
        "directive_reminders",
        "crm.directives.jobs:directive_reminders",
        Hourly(20),
        "Remind the action-by organisations before a PM's directive falls due (REMINDER_DAYS).",
        at_start=True,
    ),
    JobSpec(
        "directive_escalation",
        "crm.directives.jobs:directive_escalation",
        Hourly(25),
        "Escalate directives that fell overdue to the chair (in-app, e-mail, webhook).",
        at_start=True,
    ),
    JobSpec(
        "notes_grant_expiry",
        "crm.notes.jobs:expire_grants",
        Hourly(30),
        "Expire lapsed notes grants (telling each requester once); remind requesters 3 days before a grant ends.",
        at_start=True,
    ),
    JobSpec(
        "draft_review_reminders",
        "crm.reviews.jobs:draft_review_reminders",
        Hourly(35),
        "Remind the reviewers (or the secretariat) before the group's input on a draft is due (REMINDER_DAYS).",
        at_start=True,
    ),
    JobSpec(
        "draft_review_escalation",
        "crm.reviews.jobs:draft_review_escalation",
        Hourly(40),
        "Tell the chair (and webhooks) when the group's input on a draft is overdue.",
        at_start=True,
    ),
    JobSpec(
        "data_request_reminders",
        "crm.datarequests.jobs:data_request_reminders",
        Hourly(45),
        "Remind the requested organisation before an open data request is due (REMINDER_DAYS).",
        at_start=True,
    ),
    JobSpec(
        "data_request_escalation",
        "crm.datarequests.jobs:data_request_escalation",
        Hourly(50),
        "Tell the chair (and webhooks) when an open data request is late.",
        at_start=True,
    ),
    JobSpec(
        "daily_digest",
        "crm.notifications.jobs:daily_digest",
        Daily(8, hour_setting="DIGEST_HOUR"),
        "Each user's open and overdue items, once a day.",
    ),
    JobSpec(
        "audit_verify",
        "crm.audit.jobs:audit_verify",
        Daily(2, 30),
        "Verify the audit log's hash chain; alert the chair and admins if it is broken.",
    ),
)

BY_ID: dict[str, JobSpec] = {job.id: job for job in JOBS}


class UnknownJob(LookupError):
    """No job has this id."""


def get_job(job_id: str) -> JobSpec:
    """The job with this id; raises UnknownJob."""
    try:
        return BY_ID[job_id]
    except KeyError:
        raise UnknownJob(job_id) from None
