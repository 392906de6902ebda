"""Platform companies, their compliance profile and their services."""
