"""Account services: creation, sign-in and lockout, passwords, activation and API tokens."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from crm.accounts import services
from crm.accounts.digests import token_digest
from crm.accounts.models import ApiToken, Role, User
from crm.accounts.queries import session_for_token, user_for_token
from crm.accounts.sessions.services import start_session
from crm.audit.models import AuditEvent
from crm.db import utcnow
from crm.errors import Conflict, Forbidden, Invalid
from crm.organisations.queries import get_by_short_name
from tests.factories import PASSWORD, make_user

NEW_PASSWORD = "violet lantern orbits quietly"
LOCKOUT = services.LockoutPolicy(threshold=3, minutes=15)


def counts(session) -> tuple[int, int]:
    """How many users and audit events exist (to prove a refusal wrote nothing)."""
    users = session.scalar(select(func.count()).select_from(User))
    events = session.scalar(select(func.count()).select_from(AuditEvent))
    return users, events


def last_event(session) -> AuditEvent:
    return session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).one()


def new_user_args(session, **overrides) -> dict:
    args = {
        "username": "sana.mir",
        "full_name": "Sana Mir",
        "role": Role.MEMBER,
        "organisation_id": get_by_short_name(session, "MoIB").id,
    }
    return args | overrides


def sign_in(session, username: str, password: str = PASSWORD) -> services.SignInResult:
    return services.authenticate(session, username=username, password=password, ip="10.0.0.1", lockout=LOCKOUT)


# create_user


def test_an_admin_creates_a_user_with_a_one_time_password(session):
    admin = make_user(session, role=Role.ADMIN)
    user, issued = services.create_user(session, actor=admin, **new_user_args(session))
    assert issued is not None
    assert user.must_change_password is True
    assert sign_in(session, "sana.mir", issued).user is user


def test_creating_a_user_is_audited(session):
    admin = make_user(session, role=Role.ADMIN)
    user, _ = services.create_user(session, actor=admin, **new_user_args(session))
    event = last_event(session)
    assert (event.action, event.actor_id, event.target_id) == ("user.create", admin.id, str(user.id))


def test_the_username_is_normalised_to_lower_case(session):
    user, _ = services.create_user(session, actor=None, **new_user_args(session, username="  Sana.Mir "))
    assert user.username == "sana.mir"


def test_bad_fields_are_all_reported_and_nothing_is_written(session):
    before = counts(session)
    args = new_user_args(session, username="S", full_name="  ", organisation_id=999_999)
    with pytest.raises(Invalid) as refused:
        services.create_user(session, actor=None, password="short", **args)
    assert set(refused.value.fields) == {"username", "full_name", "organisation_id", "password"}
    assert counts(session) == before


def test_a_weak_given_password_is_refused(session):
    with pytest.raises(Invalid) as refused:
        services.create_user(session, actor=None, password="sana.mir is here", **new_user_args(session))
    assert refused.value.fields["password"] == ["The password must not contain your username."]


def test_a_duplicate_username_is_refused_and_nothing_is_written(session):
    make_user(session, username="sana.mir")
    before = counts(session)
    with pytest.raises(Invalid) as refused:
        services.create_user(session, actor=None, **new_user_args(session, username="SANA.MIR"))
    assert refused.value.fields == {"username": ["This username is taken."]}
    assert counts(session) == before


def test_an_unknown_organisation_is_refused(session):
    with pytest.raises(Invalid) as refused:
        services.create_user(session, actor=None, **new_user_args(session, organisation_id=999_999))
    assert list(refused.value.fields) == ["organisation_id"]


@pytest.mark.parametrize("role", [Role.CHAIR, Role.SECRETARIAT, Role.MEMBER, Role.OBSERVER])
def test_a_non_admin_cannot_create_a_user_and_nothing_is_written(session, role):
    actor = make_user(session, role=role)
    before = counts(session)
    with pytest.raises(Forbidden) as refused:
        services.create_user(session, actor=actor, **new_user_args(session))
    assert refused.value.code == "not_admin"
    assert counts(session) == before


# authenticate


def test_signing_in_resets_failures_and_is_audited(session):
    user = make_user(session)
    user.failed_sign_ins = 2
    result = sign_in(session, user.username)
    assert result.user is user
    assert (user.failed_sign_ins, user.locked_until) == (0, None)
    assert user.last_sign_in_at is not None
    event = last_event(session)
    assert (event.action, event.actor_id, event.ip) == ("auth.sign_in", user.id, "10.0.0.1")


def test_a_wrong_password_is_counted_and_audited(session):
    user = make_user(session)
    result = sign_in(session, user.username, "not the password at all")
    assert result == services.SignInResult(None, services.GENERIC_FAILURE)
    assert user.failed_sign_ins == 1
    event = last_event(session)
    assert (event.action, event.target_id) == ("auth.sign_in_failed", str(user.id))


def test_the_account_locks_after_the_threshold(session):
    user = make_user(session)
    results = [sign_in(session, user.username, "wrong guess number x") for _ in range(3)]
    assert [r.message for r in results[:2]] == [services.GENERIC_FAILURE] * 2
    assert "locked for 15 minutes" in results[2].message
    assert user.locked_until > utcnow() + timedelta(minutes=14)


def test_a_locked_account_refuses_even_the_right_password(session):
    user = make_user(session)
    for _ in range(3):
        sign_in(session, user.username, "wrong guess number x")
    result = sign_in(session, user.username)
    assert result.user is None
    assert "locked" in result.message
    assert last_event(session).action == "auth.sign_in_failed"


def test_an_expired_lock_lets_the_right_password_in(session):
    user = make_user(session)
    user.locked_until = utcnow() - timedelta(minutes=1)
    assert sign_in(session, user.username).user is user
    assert user.locked_until is None


def test_an_unknown_user_gets_the_same_message_as_a_wrong_password(session):
    user = make_user(session)
    unknown = sign_in(session, "nobody.here")
    wrong = sign_in(session, user.username, "not the password at all")
    assert unknown.user is None
    assert unknown.message == wrong.message == services.GENERIC_FAILURE


def test_an_unknown_user_attempt_is_audited_by_name(session):
    sign_in(session, "nobody.here")
    event = last_event(session)
    assert (event.action, event.actor_id, event.target_id) == ("auth.sign_in_failed", None, "nobody.here")


def test_an_inactive_user_cannot_sign_in(session):
    user = make_user(session)
    user.is_active = False
    result = sign_in(session, user.username)
    assert result.user is None
    assert last_event(session).action == "auth.sign_in_failed"


# sign_out and change_password


def test_signing_out_ends_that_session_only(session):
    user = make_user(session)
    this, token = start_session(session, user=user, ip="", user_agent="", lifetime=timedelta(hours=8))
    other, other_token = start_session(session, user=user, ip="", user_agent="", lifetime=timedelta(hours=8))
    services.sign_out(session, user=user, user_session=this)
    session.flush()
    assert session_for_token(session, token_digest(token), user.session_nonce) is None
    assert session_for_token(session, token_digest(other_token), user.session_nonce) is not None
    assert last_event(session).action == "auth.sign_out"


def test_changing_password_needs_the_current_one(session):
    user = make_user(session)
    with pytest.raises(Invalid) as refused:
        services.change_password(session, actor=user, current_password="wrong guess x", new_password=NEW_PASSWORD)
    assert list(refused.value.fields) == ["current_password"]


def test_a_weak_new_password_is_refused(session):
    user = make_user(session)
    with pytest.raises(Invalid) as refused:
        services.change_password(session, actor=user, current_password=PASSWORD, new_password="qwertyuiop123")
    assert list(refused.value.fields) == ["new_password"]


def test_the_new_password_must_differ_from_the_old(session):
    user = make_user(session)
    with pytest.raises(Invalid) as refused:
        services.change_password(session, actor=user, current_password=PASSWORD, new_password=PASSWORD)
    assert refused.value.fields == {"new_password": ["Choose a password different from the current one."]}


def test_changing_the_one_time_password_clears_the_flag_and_rotates_the_nonce(session):
    user, issued = services.create_user(session, actor=None, **new_user_args(session))
    old_nonce = user.session_nonce
    services.change_password(session, actor=user, current_password=issued, new_password=NEW_PASSWORD)
    assert user.must_change_password is False
    assert user.session_nonce != old_nonce
    assert last_event(session).action == "user.password_change"
    assert sign_in(session, user.username, NEW_PASSWORD).user is user


# set_user_active and reset_password


def test_deactivating_a_user_rotates_the_nonce_and_is_audited(session):
    admin, user = make_user(session, role=Role.ADMIN), make_user(session)
    old_nonce = user.session_nonce
    services.set_user_active(session, actor=admin, user_id=user.id, active=False, version=user.version)
    assert user.is_active is False
    assert user.session_nonce != old_nonce
    event = last_event(session)
    assert (event.action, event.before, event.after) == ("user.deactivate", {"is_active": True}, {"is_active": False})


def test_a_stale_version_is_a_conflict_and_changes_nothing(session):
    admin, user = make_user(session, role=Role.ADMIN), make_user(session)
    seen = user.version
    services.set_user_active(session, actor=admin, user_id=user.id, active=False, version=seen)
    before = counts(session)
    with pytest.raises(Conflict):
        services.set_user_active(session, actor=admin, user_id=user.id, active=True, version=seen)
    assert user.is_active is False
    assert counts(session) == before


def test_an_admin_cannot_deactivate_themselves(session):
    admin = make_user(session, role=Role.ADMIN)
    with pytest.raises(Forbidden) as refused:
        services.set_user_active(session, actor=admin, user_id=admin.id, active=False)
    assert refused.value.code == "self_change"
    assert admin.is_active is True


def test_a_member_cannot_deactivate_anyone(session):
    member, user = make_user(session), make_user(session)
    with pytest.raises(Forbidden):
        services.set_user_active(session, actor=member, user_id=user.id, active=False)
    assert user.is_active is True


def test_a_reset_password_is_single_use_and_works_once(session):
    admin, user = make_user(session, role=Role.ADMIN), make_user(session)
    issued = services.reset_password(session, actor=admin, user_id=user.id)
    assert user.must_change_password is True
    assert sign_in(session, user.username, PASSWORD).user is None
    assert sign_in(session, user.username, issued).user is user


def test_a_reset_clears_a_lockout(session):
    admin, user = make_user(session, role=Role.ADMIN), make_user(session)
    user.locked_until = utcnow() + timedelta(minutes=10)
    issued = services.reset_password(session, actor=admin, user_id=user.id)
    assert sign_in(session, user.username, issued).user is user


# API tokens


def test_an_issued_token_identifies_its_user(session):
    user = make_user(session)
    token = services.issue_api_token(session, actor=user, user=user, name="laptop")
    assert token.startswith("rbt_")
    assert user_for_token(session, services.token_digest(token)) is user
    assert last_event(session).action == "token.issue"


def test_only_the_tokens_digest_is_stored(session):
    user = make_user(session)
    token = services.issue_api_token(session, actor=None, user=user)
    stored = session.scalars(select(ApiToken.token_hash).where(ApiToken.user_id == user.id)).one()
    assert stored == services.token_digest(token) != token


def test_a_member_cannot_issue_a_token_for_someone_else(session):
    member, other = make_user(session), make_user(session)
    with pytest.raises(Forbidden):
        services.issue_api_token(session, actor=member, user=other)


def test_a_revoked_token_identifies_nobody(session):
    user = make_user(session)
    tokens = [services.issue_api_token(session, actor=None, user=user) for _ in range(2)]
    assert services.revoke_api_tokens(session, actor=user, user=user) == 2
    assert [user_for_token(session, services.token_digest(t)) for t in tokens] == [None, None]
    assert last_event(session).after == {"revoked": 2}


def test_a_deactivated_users_token_identifies_nobody(session):
    user = make_user(session)
    token = services.issue_api_token(session, actor=None, user=user)
    services.set_user_active(session, actor=None, user_id=user.id, active=False)
    session.flush()
    assert user_for_token(session, services.token_digest(token)) is None


def test_an_unknown_token_identifies_nobody(session):
    assert user_for_token(session, services.token_digest("rbt_made_up")) is None
