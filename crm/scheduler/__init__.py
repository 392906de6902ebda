"""The scheduler: one registry of jobs, run by APScheduler in its own process under a database lock."""
