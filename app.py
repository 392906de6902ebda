"""Entry point for `flask --app app ...` and gunicorn `app:app`."""

from crm import create_app
from crm.logging_setup import configure_for

app = create_app()
configure_for(app)  # the process's log handler (LOG_FORMAT, LOG_LEVEL): here, never in the factory
