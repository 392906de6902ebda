"""Browser sessions kept on the server (issue 7)."""
