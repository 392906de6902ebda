"""Demo data: `flask --app app demo --scale small` (DESIGN.md §4), written only through the services."""
