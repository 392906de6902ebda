"""Saved filters: a user's named filter of a list page, to come back to in one click."""
