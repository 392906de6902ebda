"""User accounts, sign-in, passwords and API tokens."""
