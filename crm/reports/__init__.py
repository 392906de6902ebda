"""The chair's briefs: the weekly brief and the one-page brief on a company (HTML and PDF)."""
