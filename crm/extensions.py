"""Extension objects, created unbound and initialised in create_app."""

from __future__ import annotations

from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

login_manager = LoginManager()
login_manager.login_view = "accounts.sign_in"
login_manager.login_message = "Please sign in to continue."
login_manager.login_message_category = "info"
# Flask-Login's own "strong" protection would drop the session on a changed IP/agent hash;
# the nonce in every session id (see accounts) is what really ends sessions.
login_manager.session_protection = "basic"

csrf = CSRFProtect()
