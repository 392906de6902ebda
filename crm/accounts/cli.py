"""`flask --app app users ...`: accounts and API tokens from the command line.

The operator at the shell is trusted (they hold the database too); their actions are
audited as the system actor.
"""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import AppGroup

from crm.accounts import queries, services
from crm.accounts.mfa import services as mfa_services
from crm.accounts.models import Clearance, Role, User
from crm.db import get_session, write_intent
from crm.errors import DomainError
from crm.organisations import queries as organisation_queries

users_cli = AppGroup("users", help="User accounts and API tokens.")


def _fail(error: DomainError) -> None:
    details = "; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in error.fields.items())
    raise click.ClickException(f"{error.message} {details}".strip())


def _user(username: str) -> User:
    user = queries.get_by_username(get_session(), username)
    if user is None:
        raise click.ClickException(f"No user named {username!r}.")
    return user


@users_cli.command("create")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--org", "org", required=True, help="Organisation short name, e.g. MoIT.")
@click.option("--clearance", default="unclassified", type=click.Choice([c.value for c in Clearance]))
@click.option("--full-name", default=None, help="Defaults to the username.")
@click.option("--email", default="")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_command(
    username: str, role: str, org: str, clearance: str, full_name: str | None, email: str, password_stdin: bool
) -> None:
    """Create a user. Without --password-stdin a one-time password is printed."""
    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else None
    with write_intent():
        session = get_session()
        organisation = organisation_queries.get_by_short_name(session, org)
        if organisation is None:
            raise click.BadParameter(f"no organisation with short name {org!r}", param_hint="--org")
        try:
            user, issued = services.create_user(
                session,
                actor=None,
                username=username,
                full_name=full_name or username,
                email=email,
                role=Role(role),
                organisation_id=organisation.id,
                clearance=Clearance(clearance),
                password=password,
            )
        except DomainError as error:
            _fail(error)
            return
        session.commit()
    click.echo(f"Created {user.username} ({role}, {organisation.short_name}, {clearance}).")
    if issued:
        click.echo(f"One-time password (must be changed at first sign-in): {issued}")


@users_cli.command("token")
@click.argument("username")
@click.option("--name", default="", help="What the token is for.")
def token_command(username: str, name: str) -> None:
    """Print a new API token for USERNAME (shown once; only its hash is kept)."""
    with write_intent():
        session = get_session()
        token = services.issue_api_token(session, actor=None, user=_user(username), name=name)
        session.commit()
    click.echo(token)


@users_cli.command("revoke-tokens")
@click.argument("username")
def revoke_tokens_command(username: str) -> None:
    """Revoke every API token of USERNAME."""
    with write_intent():
        session = get_session()
        count = services.revoke_api_tokens(session, actor=None, user=_user(username))
        session.commit()
    click.echo(f"Revoked {count} token(s) of {username}.")


@users_cli.command("list")
def list_command() -> None:
    """One line per user: username, role, organisation, clearance, active."""
    for user in queries.list_users(get_session(), limit=10_000):
        state = "active" if user.is_active else "inactive"
        click.echo(
            f"{user.username}\t{user.role.value}\t{user.organisation.short_name}\t{user.clearance.value}\t{state}"
        )


@users_cli.command("reset-mfa")
@click.argument("username")
def reset_mfa_command(username: str) -> None:
    """Clear USERNAME's second factor (e.g. the only administrator lost their phone)."""
    with write_intent():
        session = get_session()
        user = _user(username)
        mfa_services.reset_mfa(session, actor=None, user_id=user.id)
        session.commit()
    click.echo(f"Two-step verification of {username} is reset; they set it up again at their next sign-in.")


@users_cli.command("reencrypt-mfa")
def reencrypt_mfa_command() -> None:
    """Re-encrypt every TOTP secret under SECRET_KEY (after rotating it; see accounts/mfa/totp.py)."""
    config = current_app.config
    keys = [config["SECRET_KEY"], *(config.get("SECRET_KEY_FALLBACKS") or [])]
    with write_intent():
        session = get_session()
        count = mfa_services.reencrypt_mfa_secrets(session, secret_keys=keys)
        session.commit()
    click.echo(f"Re-encrypted {count} TOTP secret(s) under the current SECRET_KEY.")
