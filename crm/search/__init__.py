"""Global search: one index of what people may look for, ranked, with highlighted snippets.

The index (`search_documents`) is derived data, kept in step with the records by a session
listener (index.py) and rebuilt by `flask --app app search reindex`. SQLite searches it with
FTS5, PostgreSQL with a tsvector column (backends.py). What a reader may find is decided by
the features' own predicates (policy.py), in SQL and again on the page of results (R5).
"""
