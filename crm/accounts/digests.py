"""Digests of random secrets (API tokens, session tokens)."""

from __future__ import annotations

import hashlib


def token_digest(token: str) -> str:
    """SHA-256 in hex: the token is 256 random bits, so a slow hash would add nothing."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
