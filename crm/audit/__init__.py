"""The append-only, hash-chained audit log (rule R8)."""
