"""Top-level commands: `db` (Alembic migrations) and `setup`."""

from __future__ import annotations

import click
from alembic import command
from alembic.config import Config
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from crm import ROOT
from crm.db import database, get_session, write_intent

db_cli = AppGroup("db", help="Database migrations (Alembic).")


def alembic_config() -> Config:
    """Alembic settings built from the app's, so one DATABASE_URL drives everything."""
    config = Config()
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", current_app.config["DATABASE_URL"].replace("%", "%%"))
    config.attributes["engine"] = database().engine
    return config


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def upgrade_command(revision: str) -> None:
    """Apply migrations up to REVISION (default: head)."""
    command.upgrade(alembic_config(), revision)


@db_cli.command("downgrade")
@click.argument("revision")
def downgrade_command(revision: str) -> None:
    """Revert migrations down to REVISION (e.g. -1, base)."""
    command.downgrade(alembic_config(), revision)


@db_cli.command("current")
def current_command() -> None:
    """Show the revision the database is at."""
    command.current(alembic_config(), verbose=False)


@db_cli.command("revision")
@click.option("-m", "--message", required=True)
@click.option("--autogenerate/--empty", default=True)
def revision_command(message: str, autogenerate: bool) -> None:
    """Write a new migration (review it before committing)."""
    command.revision(alembic_config(), message=message, autogenerate=autogenerate)


@click.command("setup")
@with_appcontext
@click.option("--admin-username", default="admin", show_default=True)
@click.option("--admin-org", default="MoIT", show_default=True, help="Short name of the first admin's organisation.")
def setup_command(admin_username: str, admin_org: str) -> None:
    """Migrate, load reference data, and create the first admin if there is none."""
    from crm.accounts import queries as account_queries
    from crm.accounts import services as account_services
    from crm.accounts.models import Clearance, Role
    from crm.directives.services import load_reference_directives
    from crm.organisations import queries as organisation_queries
    from crm.organisations.services import load_reference_organisations

    command.upgrade(alembic_config(), "head")
    with write_intent():
        session = get_session()
        added = load_reference_organisations(session)
        click.echo(f"Reference data: {added} organisation(s) added.")
        directives = load_reference_directives(session)
        click.echo(f"Reference data: {directives} directive(s) of the PMO letter added.")
        if account_queries.count_admins(session) == 0:
            organisation = organisation_queries.get_by_short_name(session, admin_org)
            if organisation is None:
                raise click.BadParameter(f"no organisation with short name {admin_org!r}", param_hint="--admin-org")
            user, password = account_services.create_user(
                session,
                actor=None,
                username=admin_username,
                full_name="Rabta administrator",
                role=Role.ADMIN,
                organisation_id=organisation.id,
                clearance=Clearance.UNCLASSIFIED,
            )
            session.commit()
            click.echo("First administrator created. Sign in and choose a new password:")
            click.echo(f"  username: {user.username}")
            click.echo(f"  one-time password: {password}")
        else:
            session.commit()
            click.echo("An administrator exists already; no account created.")
