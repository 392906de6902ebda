"""Admin pages: list, create, deactivate and reactivate users; reset passwords; organisations."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from crm.accounts import queries, services
from crm.accounts.mfa import services as mfa_services
from crm.accounts.models import Clearance, Role
from crm.admin.forms import CreateUserForm, RoleForm, VersionedActionForm
from crm.authz import actor, require_login, role_required
from crm.db import get_session
from crm.errors import Invalid, NotFound
from crm.exports import CSV, EXPORT_LIMIT, XLSX, audited_export
from crm.http import apply_field_errors, client_ip, db_id, writes
from crm.organisations import queries as organisation_queries

bp = Blueprint("admin", __name__, url_prefix="/admin")
require_login(bp)

PAGE_SIZE = 50


@bp.route("/users")
@role_required(Role.ADMIN, Role.CHAIR)
def users() -> str:
    after = request.args.get("after", type=db_id)
    rows = queries.list_users(get_session(), after_id=after, limit=PAGE_SIZE + 1)
    next_after = rows[PAGE_SIZE - 1].id if len(rows) > PAGE_SIZE else None
    return render_template(
        "admin/users.html",
        users=rows[:PAGE_SIZE],
        next_after=next_after,
        action_form=VersionedActionForm(),
        can_manage=actor().role is Role.ADMIN,
    )


EXPORT_HEADER = ("Id", "Username", "Full name", "E-mail", "Role", "Organisation", "Clearance", "Active",
                 "Last sign-in (PKT)", "Created (PKT)")  # fmt: skip


@bp.route("/users.xlsx", defaults=XLSX)
@bp.route("/users.csv", defaults=CSV)
@role_required(Role.ADMIN, Role.CHAIR)
@writes
def export_users(fmt: str) -> Response:
    """Every account by id (never a password or secret), audited as an export (R8)."""
    session = get_session()
    found = queries.list_users(session, limit=EXPORT_LIMIT)
    rows = [(u.id, u.username, u.full_name, u.email, u.role, u.organisation.short_name, u.clearance, u.is_active,
             u.last_sign_in_at, u.created_at) for u in found]  # fmt: skip
    return audited_export(session, register="users", fmt=fmt, filters={}, header=EXPORT_HEADER, rows=rows)


def _create_form() -> CreateUserForm:
    form = CreateUserForm()
    organisations = organisation_queries.list_organisations(get_session())
    form.organisation_id.choices = [SelectChoice(o.id, f"{o.short_name} — {o.name}") for o in organisations]
    return form


@bp.route("/users/new", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def create_user() -> Response | str:
    form = _create_form()
    if form.validate_on_submit():
        session = get_session()
        try:
            with session.begin_nested():
                user, issued = services.create_user(
                    session,
                    actor=actor(),
                    username=form.username.data or "",
                    full_name=form.full_name.data or "",
                    email=form.email.data or "",
                    role=Role(form.role.data),
                    organisation_id=form.organisation_id.data,
                    clearance=Clearance(form.clearance.data),
                )
        except Invalid as error:
            apply_field_errors(form, error.fields)
        else:
            session.commit()
            # Shown once, on this response only: it is never stored in clear or sent again.
            return render_template("admin/user_created.html", user=user, password=issued)
    return render_template("admin/user_form.html", form=form)


def _versioned_action(user_id: int) -> int:
    form = VersionedActionForm()
    if not form.validate_on_submit() or form.version.data is None:
        raise Invalid("The request was incomplete; reload the page and try again.")
    if queries.get_user(get_session(), user_id) is None:
        raise NotFound("There is no such user.")
    return form.version.data


@bp.route("/users/<int:user_id>/deactivate", methods=["POST"])
@role_required(Role.ADMIN)
def deactivate_user(user_id: int) -> Response:
    session = get_session()
    user = services.set_user_active(
        session, actor=actor(), user_id=user_id, active=False, version=_versioned_action(user_id)
    )
    session.commit()
    flash(f"{user.full_name} is deactivated and signed out everywhere.", "success")
    return redirect(url_for("admin.users"))


@bp.route("/users/<int:user_id>/reactivate", methods=["POST"])
@role_required(Role.ADMIN)
def reactivate_user(user_id: int) -> Response:
    session = get_session()
    user = services.set_user_active(
        session, actor=actor(), user_id=user_id, active=True, version=_versioned_action(user_id)
    )
    session.commit()
    flash(f"{user.full_name} can sign in again.", "success")
    return redirect(url_for("admin.users"))


@bp.route("/users/<int:user_id>/reset-password", methods=["POST"])
@role_required(Role.ADMIN)
def reset_password(user_id: int) -> str:
    session = get_session()
    issued = services.reset_password(session, actor=actor(), user_id=user_id, version=_versioned_action(user_id))
    session.commit()
    user = queries.get_user(session, user_id)
    return render_template("admin/user_created.html", user=user, password=issued, reset=True)


@bp.route("/users/<int:user_id>/reset-mfa", methods=["POST"])
@role_required(Role.ADMIN)
def reset_mfa(user_id: int) -> Response:
    session = get_session()
    user = mfa_services.reset_mfa(
        session, actor=actor(), user_id=user_id, version=_versioned_action(user_id), ip=client_ip()
    )
    session.commit()
    flash(f"{user.full_name}'s two-step verification is reset and they are signed out everywhere.", "success")
    return redirect(url_for("admin.users"))


@bp.route("/users/<int:user_id>/role", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def change_role(user_id: int) -> Response | str:
    user = queries.get_user(get_session(), user_id)
    if user is None:
        raise NotFound("There is no such user.")
    form = RoleForm(role=user.role.value, version=user.version)
    if form.validate_on_submit():
        session = get_session()
        services.change_user_role(
            session, actor=actor(), user_id=user_id, role=Role(form.role.data), version=form.version.data
        )
        session.commit()
        flash(f"{user.full_name} is now {user.role.label} and was signed out everywhere.", "success")
        return redirect(url_for("admin.users"))
    return render_template("admin/user_role.html", form=form, user=user)


@bp.route("/organisations")
def organisations() -> str:
    session = get_session()
    return render_template(
        "admin/organisations.html",
        organisations=organisation_queries.list_organisations(session),
        user_counts=organisation_queries.user_counts(session),
    )
