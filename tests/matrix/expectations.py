"""Expected status of every route × method for each column of the matrix."""

EXPECTED: dict[str, str] = {}
