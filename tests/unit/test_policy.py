"""The pure predicates of accounts and designations, on users built in memory."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from crm.accounts import policy as accounts
from crm.accounts.models import Role, User
from crm.designations import policy as designations

NOW = datetime(2021, 10, 4, 9, 0, tzinfo=UTC)
_ids = iter(range(1, 10_000))


def person(role: Role = Role.MEMBER, *, active: bool = True, locked_until: datetime | None = None) -> User:
    return User(id=next(_ids), username=f"{role.value}-x", role=role, is_active=active, locked_until=locked_until)


def test_a_user_never_locked_is_not_locked():
    assert accounts.is_locked(person(), NOW) is False


def test_a_lock_in_the_future_is_in_force():
    assert accounts.is_locked(person(locked_until=NOW + timedelta(minutes=1)), NOW) is True


def test_a_lock_in_the_past_has_expired():
    assert accounts.is_locked(person(locked_until=NOW - timedelta(seconds=1)), NOW) is False


def test_a_lock_ending_exactly_now_has_expired():
    assert accounts.is_locked(person(locked_until=NOW), NOW) is False


def test_an_active_unlocked_user_can_sign_in():
    assert accounts.can_sign_in(person(), NOW) is True


def test_an_inactive_user_cannot_sign_in():
    assert accounts.can_sign_in(person(active=False), NOW) is False


def test_a_locked_user_cannot_sign_in():
    assert accounts.can_sign_in(person(locked_until=NOW + timedelta(minutes=5)), NOW) is False


def test_an_admin_can_manage_users():
    assert accounts.can_manage_users(person(Role.ADMIN)) is True


def test_the_command_line_operator_can_manage_users():
    assert accounts.can_manage_users(None) is True


@pytest.mark.parametrize("role", [Role.CHAIR, Role.SECRETARIAT, Role.MEMBER, Role.OBSERVER])
def test_non_admins_cannot_manage_users(role):
    assert accounts.can_manage_users(person(role)) is False


def test_an_inactive_admin_cannot_manage_users():
    assert accounts.can_manage_users(person(Role.ADMIN, active=False)) is False


@pytest.mark.parametrize("role", [Role.ADMIN, Role.CHAIR])
def test_admin_and_chair_can_view_users(role):
    assert accounts.can_view_users(person(role)) is True


@pytest.mark.parametrize("role", [Role.SECRETARIAT, Role.MEMBER, Role.OBSERVER])
def test_others_cannot_view_users(role):
    assert accounts.can_view_users(person(role)) is False


def test_an_inactive_chair_cannot_view_users():
    assert accounts.can_view_users(person(Role.CHAIR, active=False)) is False


def test_an_admin_can_change_another_account():
    assert accounts.can_change_account(person(Role.ADMIN), person()) is True


def test_an_admin_cannot_change_their_own_account():
    admin = person(Role.ADMIN)
    assert accounts.can_change_account(admin, admin) is False


def test_the_operator_can_change_any_account():
    assert accounts.can_change_account(None, person(Role.ADMIN)) is True


def test_a_member_cannot_change_another_account():
    assert accounts.can_change_account(person(), person()) is False


def test_the_chair_can_record_a_designation():
    assert designations.can_record_designation(person(Role.CHAIR)) is True


@pytest.mark.parametrize("role", [Role.ADMIN, Role.SECRETARIAT, Role.MEMBER, Role.OBSERVER])
def test_only_the_chair_can_record_a_designation(role):
    assert designations.can_record_designation(person(role)) is False


def test_an_inactive_chair_cannot_record_a_designation():
    assert designations.can_record_designation(person(Role.CHAIR, active=False)) is False


@pytest.mark.parametrize("role", [Role.CHAIR, Role.SECRETARIAT, Role.MEMBER])
def test_working_roles_can_hold_a_designation(role):
    assert designations.can_hold_designation(person(role)) is True


@pytest.mark.parametrize("role", [Role.OBSERVER, Role.ADMIN])
def test_observers_and_admins_cannot_hold_a_designation(role):
    assert designations.can_hold_designation(person(role)) is False


def test_an_inactive_member_cannot_hold_a_designation():
    assert designations.can_hold_designation(person(active=False)) is False
