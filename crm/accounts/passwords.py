"""Password hashing (argon2id) and the password policy.

The policy follows NIST SP 800-63B and OWASP ASVS 2.1: length matters, composition rules do
not; passwords found in breach/common lists are refused. The common list is Django's
(20,000 entries, BSD licence, see data/common-passwords.LICENSE).
"""

from __future__ import annotations

import gzip
import secrets
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 12
MAX_LENGTH = 128
# Words every attacker tries first against this particular system.
CONTEXT_WORDS = ("rabta", "nsmcwg", "password", "pakistan")

_hasher = PasswordHasher()  # argon2id with the library's RFC 9106 "low memory" profile
# Verified against when the username is unknown, so timing does not reveal which names exist.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


@cache
def common_passwords() -> frozenset[str]:
    path = Path(__file__).parent / "data" / "common-passwords.txt.gz"
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return frozenset(line.strip().lower() for line in handle if line.strip())


def password_problems(password: str, *, username: str = "") -> list[str]:
    """Every reason this password is refused (empty when acceptable)."""
    problems: list[str] = []
    lowered = password.lower()
    if len(password) < MIN_LENGTH:
        problems.append(f"Use at least {MIN_LENGTH} characters.")
    if len(password) > MAX_LENGTH:
        problems.append(f"Use at most {MAX_LENGTH} characters.")
    if lowered in common_passwords():
        problems.append("This password is on a list of commonly used passwords.")
    if username and username.lower() in lowered:
        problems.append("The password must not contain your username.")
    if any(word in lowered for word in CONTEXT_WORDS):
        problems.append("The password must not contain the system's name or obvious words.")
    if len(set(password)) < 5:
        problems.append("Use more different characters.")
    return problems


def use_cheapest_hashing_for_tests() -> None:
    """Swap in argon2's cheapest parameters: for the test suite only, never for real hashes."""
    global _hasher, _DUMMY_HASH
    _hasher = PasswordHasher.from_parameters(profiles.CHEAPEST)
    _DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when the password matches; constant work whether or not a hash exists."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


# No look-alike characters (0/O, 1/l/I): the password is read off a screen and typed.
_READABLE = "abcdefghjkmnpqrstuvwxyz23456789"


def one_time_password() -> str:
    """A random password for a new account, shown once and replaced at first sign-in."""
    return "-".join("".join(secrets.choice(_READABLE) for _ in range(5)) for _ in range(4))
