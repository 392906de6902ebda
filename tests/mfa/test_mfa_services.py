"""Second-factor services: enrolment, the code after the password, recovery codes, resets."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from crm.accounts import policy, services
from crm.accounts.digests import token_digest
from crm.accounts.mfa import services as mfa_services
from crm.accounts.mfa import totp
from crm.accounts.models import RecoveryCode, Role, User, UserSession
from crm.accounts.sessions.services import start_session
from crm.audit.models import AuditEvent
from crm.db import utcnow
from crm.errors import Conflict, Forbidden, Invalid
from tests.factories import PASSWORD, make_user
from tests.mfa.factories import KEYS, code_at, enrol, later

LOCKOUT = services.LockoutPolicy(threshold=3, minutes=15)


def events(session, action: str) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq)))


def total(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def half_open(session, user: User, now=None) -> tuple[UserSession, str]:
    user_session, token = start_session(
        session, user=user, ip="10.0.0.1", user_agent="test", lifetime=timedelta(hours=8), now=now
    )
    return user_session, token


def pass_code(session, user, user_session, code, now):
    return mfa_services.pass_second_factor(
        session, user=user, user_session=user_session, code=code, secret_keys=KEYS, lockout=LOCKOUT, now=now
    )


# Enrolment


def test_enrolling_stores_the_secret_encrypted_and_ten_hashed_recovery_codes(session):
    user = make_user(session)
    secret, codes = enrol(session, user)
    assert user.totp_enabled_at is not None
    assert secret not in user.totp_secret
    assert totp.decrypt_secret(user.totp_secret, KEYS) == secret
    stored = session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id)).all()
    assert len(stored) == len(codes) == 10
    assert not {c.code_hash for c in stored} & {*codes, *(c.replace("-", "") for c in codes)}
    assert stored[0].code_hash.startswith("$argon2id$")
    assert [e.target_id for e in events(session, "mfa.enable")] == [str(user.id)]


def test_enrolling_with_a_wrong_code_writes_nothing(session):
    user = make_user(session)
    before = (total(session, RecoveryCode), total(session, AuditEvent))
    secret = totp.new_secret()
    wrong = code_at(secret, later(utcnow(), 5))
    with pytest.raises(Invalid) as refused, session.begin_nested():
        mfa_services.enable_mfa(session, actor=user, secret=secret, code=wrong, secret_keys=KEYS)
    assert list(refused.value.fields) == ["code"]
    session.refresh(user)
    assert user.totp_enabled_at is None
    assert user.totp_secret == ""
    assert (total(session, RecoveryCode), total(session, AuditEvent)) == before


def test_enrolling_twice_is_a_conflict(session):
    user = make_user(session)
    enrol(session, user)
    secret = totp.new_secret()
    with pytest.raises(Conflict):
        mfa_services.enable_mfa(session, actor=user, secret=secret, code=code_at(secret, utcnow()), secret_keys=KEYS)


def test_enrolling_during_sign_in_passes_the_second_factor_and_changes_the_token(session):
    chair = make_user(session, role=Role.CHAIR)
    user_session, token = half_open(session, chair)
    assert user_session.mfa_passed_at is None
    secret = totp.new_secret()
    _, new_token = mfa_services.enable_mfa(
        session, actor=chair, secret=secret, code=code_at(secret, utcnow()), secret_keys=KEYS, user_session=user_session
    )
    assert user_session.mfa_passed_at is not None
    assert new_token != token
    assert user_session.token_digest == token_digest(new_token)


# Who must have a second factor


@pytest.mark.parametrize(("role", "required"), [(Role.CHAIR, True), (Role.ADMIN, True), (Role.MEMBER, False)])
def test_the_chair_and_admins_start_half_signed_in_others_without_mfa_do_not(session, role, required):
    user = make_user(session, role=role)
    user_session, _ = half_open(session, user)
    assert (user_session.mfa_passed_at is None) is required


def test_a_designation_holder_must_use_a_second_factor(session):
    from crm.designations.models import DesignationKind
    from crm.designations.services import designate

    chair, member = make_user(session, role=Role.CHAIR), make_user(session, role=Role.MEMBER)
    designate(session, actor=chair, kind=DesignationKind.SPOKESPERSON, user_id=member.id, approval_ref="PM/1")
    user_session, _ = half_open(session, member)
    assert user_session.mfa_passed_at is None


def test_a_member_with_optional_mfa_is_asked_for_the_code(session):
    member = make_user(session)
    enrol(session, member)
    user_session, _ = half_open(session, member)
    assert user_session.mfa_passed_at is None


# The code after the password


def test_the_right_code_passes_rotates_the_token_and_is_audited(session):
    now = utcnow()
    user = make_user(session, role=Role.CHAIR)
    secret, _ = enrol(session, user, now=later(now, -3))
    user_session, token = half_open(session, user, now=now)
    result = pass_code(session, user, user_session, code_at(secret, now), now)
    assert result.passed
    assert user_session.mfa_passed_at == now
    assert result.token != token
    assert user_session.token_digest == token_digest(result.token)
    assert events(session, "auth.mfa_passed")[-1].after == {"method": "totp", "recovery_codes_left": 10}


def test_a_code_used_once_is_refused_the_second_time(session):
    now = utcnow()
    user = make_user(session, role=Role.CHAIR)
    secret, _ = enrol(session, user, now=later(now, -3))
    first, _ = half_open(session, user, now=now)
    assert pass_code(session, user, first, code_at(secret, now), now).passed
    second, _ = half_open(session, user, now=now)
    replay = pass_code(session, user, second, code_at(secret, now), later(now, 0))
    assert not replay.passed
    assert replay.message == mfa_services.REPLAYED_CODE
    assert second.mfa_passed_at is None
    assert events(session, "auth.mfa_failed")[-1].after == {"reason": "replayed"}


def test_wrong_codes_count_toward_the_password_lockout_and_end_the_half_open_session(session):
    now = utcnow()
    user = make_user(session, role=Role.CHAIR)
    enrol(session, user, now=later(now, -3))
    services.authenticate(session, username=user.username, password="wrong password!", lockout=LOCKOUT, now=now)
    assert user.failed_sign_ins == 1
    user_session, _ = half_open(session, user, now=now)
    assert not pass_code(session, user, user_session, "000000", now).passed
    assert user.failed_sign_ins == 2
    assert user_session.ended_at is None
    locked = pass_code(session, user, user_session, "000001", now)
    assert not locked.passed
    assert "locked" in locked.message
    assert policy.is_locked(user, now)
    assert (user_session.ended_at, user_session.end_reason) == (now, "locked")
    assert [e.after["reason"] for e in events(session, "auth.mfa_failed")] == ["wrong", "wrong"]


def test_a_locked_account_is_refused_even_with_the_right_code(session):
    now = utcnow()
    user = make_user(session, role=Role.CHAIR)
    secret, _ = enrol(session, user, now=later(now, -3))
    user_session, _ = half_open(session, user, now=now)
    user.locked_until = now + timedelta(minutes=5)
    assert not pass_code(session, user, user_session, code_at(secret, now), now).passed
    assert user_session.mfa_passed_at is None
    assert user_session.end_reason == "locked"


def test_a_recovery_code_works_once(session):
    now = utcnow()
    user = make_user(session, role=Role.CHAIR)
    _, codes = enrol(session, user, now=later(now, -3))
    first, _ = half_open(session, user, now=now)
    assert pass_code(session, user, first, codes[3].upper(), now).passed
    assert events(session, "auth.mfa_passed")[-1].after == {"method": "recovery_code", "recovery_codes_left": 9}
    second, _ = half_open(session, user, now=now)
    assert not pass_code(session, user, second, codes[3], now).passed
    assert pass_code(session, user, second, codes[4], now).passed


def test_new_recovery_codes_replace_the_old_ones(session):
    now = utcnow()
    user = make_user(session)
    _, old_codes = enrol(session, user, now=now)
    new_codes = mfa_services.regenerate_recovery_codes(session, actor=user)
    assert not set(new_codes) & set(old_codes)
    user_session, _ = half_open(session, user, now=now)
    assert not pass_code(session, user, user_session, old_codes[0], now).passed
    assert pass_code(session, user, user_session, new_codes[0], now).passed
    assert len(events(session, "mfa.recovery_codes_regenerate")) == 1


# Turning off, and the admin's reset


def test_a_member_may_turn_off_their_optional_second_factor_with_a_code(session):
    now = utcnow()
    member = make_user(session)
    secret, _ = enrol(session, member, now=later(now, -3))
    mfa_services.disable_mfa(session, actor=member, code=code_at(secret, now), secret_keys=KEYS, now=now)
    assert not policy.has_mfa(member)
    assert session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == member.id)).all() == []
    assert len(events(session, "mfa.disable")) == 1


def test_the_chair_cannot_turn_off_the_second_factor(session):
    now = utcnow()
    chair = make_user(session, role=Role.CHAIR)
    secret, _ = enrol(session, chair, now=later(now, -3))
    with pytest.raises(Forbidden) as refused:
        mfa_services.disable_mfa(session, actor=chair, code=code_at(secret, now), secret_keys=KEYS, now=now)
    assert refused.value.code == "mfa_required"
    assert policy.has_mfa(chair)


def test_an_admin_resets_another_users_second_factor_ending_their_sessions_audited(session):
    admin, chair = make_user(session, role=Role.ADMIN), make_user(session, role=Role.CHAIR)
    enrol(session, chair)
    user_session, _ = half_open(session, chair)
    mfa_services.reset_mfa(session, actor=admin, user_id=chair.id, version=chair.version)
    assert not policy.has_mfa(chair)
    assert chair.totp_last_step is None
    assert session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == chair.id)).all() == []
    session.refresh(user_session)
    assert user_session.end_reason == "mfa_reset"
    event = events(session, "mfa.reset")[-1]
    assert (event.actor_id, event.target_id, event.before, event.after) == (
        admin.id,
        str(chair.id),
        {"mfa": True},
        {"mfa": False, "sessions_ended": 1},
    )


def test_an_admin_cannot_reset_their_own_second_factor_and_nothing_is_written(session):
    admin = make_user(session, role=Role.ADMIN)
    enrol(session, admin)
    before = total(session, AuditEvent)
    with pytest.raises(Forbidden):
        mfa_services.reset_mfa(session, actor=admin, user_id=admin.id, version=admin.version)
    assert policy.has_mfa(admin)
    assert total(session, AuditEvent) == before


def test_only_an_admin_resets_a_second_factor(session):
    chair, member = make_user(session, role=Role.CHAIR), make_user(session)
    enrol(session, member)
    with pytest.raises(Forbidden):
        mfa_services.reset_mfa(session, actor=chair, user_id=member.id, version=member.version)
    assert policy.has_mfa(member)


def test_reencryption_moves_every_secret_to_the_new_key(session):
    user = make_user(session)
    secret, _ = enrol(session, user)
    new_keys = ["a brand new secret key of enough length!!", *KEYS]
    assert mfa_services.reencrypt_mfa_secrets(session, secret_keys=new_keys) >= 1
    assert totp.decrypt_secret(user.totp_secret, new_keys[:1]) == secret


def test_the_password_alone_still_signs_in_a_user_without_mfa(session):
    member = make_user(session)
    assert services.authenticate(session, username=member.username, password=PASSWORD).user is member


def test_the_operator_resets_a_second_factor_from_the_command_line(runner, seed, load_user):
    admin = seed(lambda s: make_user(s, role=Role.ADMIN))
    seed(lambda s: enrol(s, s.get(User, admin.id)))
    result = runner.invoke(args=["users", "reset-mfa", admin.username])
    assert result.exit_code == 0, result.output
    assert load_user(admin.id).totp_enabled_at is None


def test_the_reencrypt_command_reports_the_secrets_it_moved(runner, seed):
    member = seed(lambda s: make_user(s))
    seed(lambda s: enrol(s, s.get(User, member.id)))
    result = runner.invoke(args=["users", "reencrypt-mfa"])
    assert result.exit_code == 0, result.output
    assert "Re-encrypted 1 TOTP secret(s)" in result.output
