"""The TOTP mechanics: encryption of the secret, replay refusal, the window, the QR code."""

from __future__ import annotations

from datetime import UTC, datetime

import pyotp

from crm.accounts.mfa import totp
from tests.mfa.factories import code_at, later

KEY, OLD_KEY = "k" * 48, "o" * 48
NOW = datetime(2026, 3, 1, 10, 0, 10, tzinfo=UTC)


def test_the_secret_is_stored_encrypted_and_opens_only_with_the_key():
    secret = totp.new_secret()
    stored = totp.encrypt_secret(secret, [KEY])
    assert secret not in stored
    assert totp.decrypt_secret(stored, [KEY]) == secret
    assert totp.decrypt_secret(stored, ["another key entirely, long enough"]) is None


def test_a_retired_key_still_opens_old_secrets_and_reencryption_moves_them_to_the_new_key():
    secret = totp.new_secret()
    old = totp.encrypt_secret(secret, [OLD_KEY])
    assert totp.decrypt_secret(old, [KEY, OLD_KEY]) == secret
    moved = totp.reencrypt_secret(old, [KEY, OLD_KEY])
    assert totp.decrypt_secret(moved, [KEY]) == secret


def test_the_current_code_is_accepted_with_its_step():
    secret = totp.new_secret()
    result = totp.check_totp(secret, code_at(secret, NOW), now=NOW, last_step=None)
    assert result.check is totp.CodeCheck.ACCEPTED
    assert result.step == pyotp.TOTP(secret).timecode(NOW)


def test_a_code_one_step_either_side_is_accepted_but_two_steps_is_not():
    secret = totp.new_secret()
    for steps, expected in ((-1, "accepted"), (1, "accepted"), (-2, "wrong"), (2, "wrong")):
        code = code_at(secret, later(NOW, steps))
        assert totp.check_totp(secret, code, now=NOW, last_step=None).check == expected, steps


def test_a_code_of_a_step_already_used_is_a_replay():
    secret = totp.new_secret()
    step = pyotp.TOTP(secret).timecode(NOW)
    code = code_at(secret, NOW)
    assert totp.check_totp(secret, code, now=NOW, last_step=step).check is totp.CodeCheck.REPLAYED
    earlier = code_at(secret, later(NOW, -1))
    assert totp.check_totp(secret, earlier, now=NOW, last_step=step).check is totp.CodeCheck.REPLAYED
    assert totp.check_totp(secret, code, now=NOW, last_step=step - 1).check is totp.CodeCheck.ACCEPTED


def test_the_enrolment_seal_is_bound_to_its_user_and_refuses_tampering():
    sealed = totp.seal_enrolment(7, "SECRETSECRETSECRET", [KEY])
    assert totp.open_enrolment(sealed, 7, [KEY]) == "SECRETSECRETSECRET"
    assert "SECRETSECRET" not in sealed
    assert totp.open_enrolment(sealed, 8, [KEY]) is None
    assert totp.open_enrolment(sealed[:-4] + "AAAA", 7, [KEY]) is None
    assert totp.open_enrolment("not a token", 7, [KEY]) is None


def test_the_qr_code_is_plain_svg_with_no_script_or_inline_style():
    svg = totp.qr_svg(totp.provisioning_uri(totp.new_secret(), "chair.one"))
    assert svg.startswith("<svg")
    assert "<script" not in svg
    assert "style=" not in svg
    assert "<title>" in svg


def test_the_provisioning_uri_names_the_issuer_and_the_user():
    uri = totp.provisioning_uri(totp.new_secret(), "chair.one")
    assert uri.startswith("otpauth://totp/Rabta:chair.one?")
    assert "issuer=Rabta" in uri


def test_recovery_codes_are_ten_distinct_readable_codes():
    codes = totp.new_recovery_codes()
    assert len(set(codes)) == 10
    assert all(len(c) == 14 and c.count("-") == 2 for c in codes)
    assert totp.normalise_recovery_code(codes[0].upper().replace("-", " ")) == codes[0].replace("-", "")


def test_the_secret_is_shown_in_groups_of_four():
    assert totp.grouped("ABCDEFGHIJ") == "ABCD EFGH IJ"
