"""Designations: focal person and spokesperson, held by a user for a time (rule R1)."""
