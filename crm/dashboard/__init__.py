"""The home page, one per role."""
