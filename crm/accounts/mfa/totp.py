"""The second factor's mechanics: TOTP (RFC 6238), the secret's encryption, recovery codes, QR.

Pure functions of their arguments (no database, no request): the services decide when they
run and record what happened.

The TOTP secret is stored encrypted with Fernet (AES-128-CBC + HMAC-SHA256). Its key is
derived from SECRET_KEY with HKDF-SHA256 under a purpose label, so the secret key never
encrypts anything directly and no second secret has to be deployed. Rotating SECRET_KEY:
put the old key in SECRET_KEY_FALLBACKS (Flask 3.1's own setting), then run
`flask --app app users reencrypt-mfa`, which re-encrypts every secret under the new key;
after that the fallback can go.
"""

from __future__ import annotations

import base64
import hmac
import json
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import pyotp
import segno
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

ISSUER = "Rabta"
STEP_SECONDS = 30
DIGITS = 6
# One step either side of now: a phone's clock a little off, or a code typed as it rolled over.
VALID_WINDOW = 1
RECOVERY_CODE_COUNT = 10
# No look-alike characters (0/O, 1/l/I): recovery codes are read off paper and typed.
_READABLE = "abcdefghjkmnpqrstuvwxyz23456789"
# How long a page showing a new secret may wait for its confirming code.
ENROLMENT_SECONDS = 15 * 60

_SECRET_PURPOSE = b"rabta/totp-secret/v1"
_ENROLMENT_PURPOSE = b"rabta/totp-enrolment/v1"


def _fernet_key(secret_key: str, purpose: bytes) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose)
    return base64.urlsafe_b64encode(hkdf.derive(secret_key.encode("utf-8")))


def _cipher(secret_keys: Iterable[str], purpose: bytes) -> MultiFernet:
    """Encrypts with the first key; decrypts with any (the rest are fallbacks being retired)."""
    return MultiFernet([Fernet(_fernet_key(key, purpose)) for key in secret_keys])


def encrypt_secret(secret: str, secret_keys: list[str]) -> str:
    return _cipher(secret_keys, _SECRET_PURPOSE).encrypt(secret.encode("ascii")).decode("ascii")


def decrypt_secret(stored: str, secret_keys: list[str]) -> str | None:
    """The plain secret, or None when no key opens it (SECRET_KEY changed without a fallback)."""
    try:
        return _cipher(secret_keys, _SECRET_PURPOSE).decrypt(stored.encode("ascii")).decode("ascii")
    except (InvalidToken, ValueError):
        return None


def reencrypt_secret(stored: str, secret_keys: list[str]) -> str:
    """The same secret under the first (current) key. Raises InvalidToken if no key opens it."""
    return _cipher(secret_keys, _SECRET_PURPOSE).rotate(stored.encode("ascii")).decode("ascii")


def new_secret() -> str:
    """160 random bits in base32, as RFC 4226 recommends."""
    return pyotp.random_base32(32)


def grouped(text: str, size: int = 4) -> str:
    """`ABCD EFGH ...`: a long secret typed by hand is read in groups."""
    return " ".join(text[i : i + size] for i in range(0, len(text), size))


def provisioning_uri(secret: str, username: str) -> str:
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).provisioning_uri(name=username, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """The otpauth URI as an inline SVG QR code (no script, no style attribute: CSP-safe)."""
    return str(
        segno.make(uri, error="m").svg_inline(
            scale=5, border=4, dark="#000", light="#fff", title="QR code for your authenticator app"
        )
    )


def seal_enrolment(user_id: int, secret: str, secret_keys: list[str]) -> str:
    """The secret being set up, encrypted for the form's hidden field, bound to the user.

    Nothing is stored until the user confirms a code, and the secret never rides in the
    session cookie (which is signed, not encrypted).
    """
    payload = json.dumps({"u": user_id, "s": secret}).encode("utf-8")
    return _cipher(secret_keys, _ENROLMENT_PURPOSE).encrypt(payload).decode("ascii")


def open_enrolment(token: str, user_id: int, secret_keys: list[str]) -> str | None:
    """The sealed secret if the token is genuine, recent and this user's; else None."""
    try:
        payload = json.loads(_cipher(secret_keys, _ENROLMENT_PURPOSE).decrypt(token.encode("ascii"), ENROLMENT_SECONDS))
    except (InvalidToken, ValueError):
        return None
    if not isinstance(payload, dict) or payload.get("u") != user_id or not isinstance(payload.get("s"), str):
        return None
    return str(payload["s"])


class CodeCheck(StrEnum):
    ACCEPTED = "accepted"
    WRONG = "wrong"
    REPLAYED = "replayed"


@dataclass(frozen=True)
class TotpResult:
    check: CodeCheck
    step: int | None = None


def normalise_code(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def looks_like_totp(code: str) -> bool:
    return len(code) == DIGITS and code.isdigit()


def check_totp(secret: str, code: str, *, now: datetime, last_step: int | None) -> TotpResult:
    """Accept a code of the current step or one either side, never a step already used.

    A code whose step is at or before `last_step` is a replay (RFC 6238 §5.2): refused even
    though it is mathematically right. On acceptance the matched step is returned, to be
    stored as the new `last_step`.
    """
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)
    current = totp.timecode(now)
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            if last_step is not None and step <= last_step:
                return TotpResult(CodeCheck.REPLAYED, step)
            return TotpResult(CodeCheck.ACCEPTED, step)
    return TotpResult(CodeCheck.WRONG)


def new_recovery_codes() -> list[str]:
    """Ten codes of 12 characters (about 59 bits each), as `abcd-efgh-jkmn`."""
    return [
        "-".join("".join(secrets.choice(_READABLE) for _ in range(4)) for _ in range(3))
        for _ in range(RECOVERY_CODE_COUNT)
    ]


def normalise_recovery_code(code: str) -> str:
    """The form codes are hashed in: lower case, no spaces or dashes, as typed in any grouping."""
    return normalise_code(code)
