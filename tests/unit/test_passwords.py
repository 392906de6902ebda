"""The password policy (NIST SP 800-63B style), argon2id hashing and one-time passwords."""

from __future__ import annotations

import re

import pytest

from crm.accounts.passwords import (
    MIN_LENGTH,
    common_passwords,
    hash_password,
    one_time_password,
    password_problems,
    verify_password,
)

GOOD = "violet lantern orbits quietly"
COMMON = "qwertyuiop123"


def test_a_long_passphrase_is_accepted():
    assert password_problems(GOOD, username="ayesha.khan") == []


def test_a_short_password_is_refused():
    assert password_problems("Xk7#pQ2!zR9", username="ayesha") == [f"Use at least {MIN_LENGTH} characters."]


def test_twelve_characters_is_long_enough():
    assert password_problems("Xk7#pQ2!zR9w") == []


def test_an_overlong_password_is_refused():
    assert any("at most" in problem for problem in password_problems("ab cd ef gh " * 20))


@pytest.mark.parametrize("common", ["password1234", COMMON, "1qaz2wsx3edc"])
def test_the_blocklist_holds_the_usual_suspects(common):
    assert common in common_passwords()


def test_a_common_password_is_refused_for_that_reason_alone():
    assert password_problems(COMMON) == ["This password is on a list of commonly used passwords."]


def test_the_blocklist_ignores_case():
    assert "This password is on a list of commonly used passwords." in password_problems(COMMON.upper())


def test_a_password_containing_the_username_is_refused():
    problems = password_problems("zaheer.abbas likes tea", username="Zaheer.Abbas")
    assert problems == ["The password must not contain your username."]


@pytest.mark.parametrize("word", ["rabta", "NSMCWG", "password", "Pakistan"])
def test_a_password_containing_a_context_word_is_refused(word):
    problems = password_problems(f"blue {word} morning 42")
    assert problems == ["The password must not contain the system's name or obvious words."]


def test_a_password_of_too_few_distinct_characters_is_refused():
    assert password_problems("abababababababab") == ["Use more different characters."]


def test_every_problem_is_reported_at_once():
    assert len(password_problems("rabtarabta", username="rabta")) == 4


def test_a_hash_is_argon2id():
    assert hash_password(GOOD).startswith("$argon2id$")


def test_hashes_are_salted():
    assert hash_password(GOOD) != hash_password(GOOD)


def test_the_right_password_verifies():
    assert verify_password(hash_password(GOOD), GOOD) is True


def test_a_wrong_password_does_not_verify():
    assert verify_password(hash_password(GOOD), GOOD + "!") is False


def test_no_hash_never_verifies():
    assert verify_password(None, GOOD) is False


def test_a_corrupt_hash_does_not_verify():
    assert verify_password("not-a-hash", GOOD) is False


def test_a_one_time_password_is_four_readable_groups():
    assert re.fullmatch(r"[a-hjkmnp-z2-9]{5}(-[a-hjkmnp-z2-9]{5}){3}", one_time_password())


def test_one_time_passwords_are_unique():
    assert len({one_time_password() for _ in range(200)}) == 200


def test_a_one_time_password_passes_the_policy():
    assert password_problems(one_time_password()) == []
