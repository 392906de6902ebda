"""Governance paths of the PM's directions: focal-person nominations (3), recommendations (2)."""
