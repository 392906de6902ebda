"""The second factor: TOTP with recovery codes (issue 7)."""
