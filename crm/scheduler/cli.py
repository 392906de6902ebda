"""`flask --app app scheduler`, `flask --app app jobs list` and `flask --app app jobs run JOB_ID`."""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from crm.scheduler.registry import BY_ID, JOBS
from crm.scheduler.runner import SchedulerProcess, run_job

# Tests (and a curious developer) run every job every N seconds instead of on its schedule.
TEST_INTERVAL_VARIABLE = "SCHEDULER_TEST_INTERVAL_SECONDS"

jobs_cli = AppGroup("jobs", help="Scheduled jobs: list them, or run one now.")


@click.command("scheduler")
@with_appcontext
def scheduler_command() -> None:
    """Run the scheduler (its own process, never in web workers): one active at a time."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s scheduler %(levelname)s %(name)s: %(message)s")
    # APScheduler logs every start and end of every job at INFO; our runner logs the summaries.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    raw = os.environ.get(TEST_INTERVAL_VARIABLE, "").strip()
    if raw and not raw.isdigit():
        raise click.UsageError(f"{TEST_INTERVAL_VARIABLE} must be a whole number of seconds, got {raw!r}.")
    SchedulerProcess(current_app._get_current_object(), interval_seconds=int(raw) if raw else None).serve()  # type: ignore[attr-defined]


@jobs_cli.command("list")
def list_command() -> None:
    """Print the job ids, one a line."""
    for job in JOBS:
        click.echo(job.id)


def _parse_now(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("give an ISO 8601 time, e.g. 2026-03-05T09:00:00+05:00", param_hint="--now") from None
    if parsed.tzinfo is None:
        raise click.BadParameter("give a time zone, e.g. +05:00 or Z", param_hint="--now")
    return parsed.astimezone(UTC)


@jobs_cli.command("run")
@click.argument("job_id")
@click.option("--now", "now_text", metavar="ISO_TIME", help="Run as if it were this time (testing).")
def run_command(job_id: str, now_text: str | None) -> None:
    """Run one job once, now; exit 1 if it fails, 2 for an unknown JOB_ID."""
    if job_id not in BY_ID:
        raise click.BadParameter(
            f"no job {job_id!r}. The jobs are: {', '.join(BY_ID)} (`flask --app app jobs list`).", param_hint="JOB_ID"
        )
    outcome = run_job(current_app._get_current_object(), job_id, _parse_now(now_text))  # type: ignore[attr-defined]
    if not outcome.ok:
        last_line = outcome.error.strip().splitlines()[-1] if outcome.error.strip() else "unknown error"
        click.echo(f"{job_id} failed: {last_line}", err=True)
        raise SystemExit(1)
    click.echo(f"{job_id}: {outcome.summary}")
