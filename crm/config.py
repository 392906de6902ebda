"""Settings, read once from the environment.

Every setting has one source (an environment variable) and is validated here, so a bad
deployment fails at start-up with a message that names the variable, not at the first request.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ENVIRONMENTS = ("development", "test", "production")
DATABASE_SCHEMES = ("sqlite", "postgresql+psycopg")


class ConfigError(RuntimeError):
    """A setting is missing or malformed; the message names the variable and the fix."""


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _int(name: str, default: int) -> int:
    raw = _env(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}.") from None


def _bool(name: str, default: bool) -> bool:
    raw = _env(name)
    if raw is None:
        return default
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} must be true or false, got {raw!r}.")


def database_url(instance_path: Path) -> str:
    """The database URL: DATABASE_URL, or a SQLite file in the instance folder."""
    url = _env("DATABASE_URL") or f"sqlite:///{instance_path / 'rabta.db'}"
    scheme = url.split("://", 1)[0]
    if "://" not in url or scheme not in DATABASE_SCHEMES:
        raise ConfigError(
            f"DATABASE_URL must start with one of {', '.join(s + '://' for s in DATABASE_SCHEMES)};"
            f" got {url.split('://', 1)[0]!r}. Example: postgresql+psycopg://user@host:5432/rabta"
        )
    return url


def secret_key(environment: str, instance_path: Path) -> str:
    """SECRET_KEY, required in production; generated once into instance/ elsewhere.

    A generated key is kept in a file so sessions survive restarts on a developer's machine,
    and is never shared between machines (instance/ is not committed).
    """
    key = _env("SECRET_KEY")
    if key:
        if environment == "production" and len(key) < 32:
            raise ConfigError("SECRET_KEY must be at least 32 characters in production.")
        return key
    if environment == "production":
        raise ConfigError(
            "SECRET_KEY is not set. In production it must come from the environment, e.g."
            " SECRET_KEY=$(python -c 'import secrets; print(secrets.token_urlsafe(48))')."
        )
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def _int_list(name: str, default: list[int]) -> list[int]:
    raw = _env(name)
    if raw is None:
        return default
    try:
        values = sorted({int(part) for part in raw.split(",") if part.strip()}, reverse=True)
    except ValueError:
        raise ConfigError(f"{name} must be whole numbers separated by commas, e.g. 3,1; got {raw!r}.") from None
    if any(v < 0 for v in values):
        raise ConfigError(f"{name} must not hold negative numbers, got {raw!r}.")
    return values


def webhook_urls() -> list[str]:
    """WEBHOOK_URLS: the only places webhooks are ever sent (comma-separated http(s) URLs)."""
    urls = [part.strip() for part in (_env("WEBHOOK_URLS") or "").split(",") if part.strip()]
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError(f"WEBHOOK_URLS must hold http(s) URLs with a host; got {url!r}.")
    if urls and not _env("WEBHOOK_SECRET"):
        raise ConfigError("WEBHOOK_SECRET must be set when WEBHOOK_URLS is (it signs every webhook, HMAC-SHA256).")
    return urls


def delivery_settings() -> dict[str, Any]:
    """Reminders, e-mail (SMTP) and webhooks; all off unless configured (see README)."""
    return {
        # Absolute links in e-mails, webhooks and the calendar feed point here.
        "PUBLIC_URL": (_env("PUBLIC_URL") or "http://127.0.0.1:5000").rstrip("/"),
        "REMINDER_DAYS": _int_list("REMINDER_DAYS", [3, 1]),
        "DIGEST_HOUR": _int("DIGEST_HOUR", 8),  # Pakistan time
        "SMTP_HOST": _env("SMTP_HOST", ""),
        "SMTP_PORT": _int("SMTP_PORT", 25),
        "SMTP_USERNAME": _env("SMTP_USERNAME", ""),
        "SMTP_PASSWORD": _env("SMTP_PASSWORD", ""),
        "SMTP_STARTTLS": _bool("SMTP_STARTTLS", False),
        "SMTP_TIMEOUT_SECONDS": _int("SMTP_TIMEOUT_SECONDS", 10),
        "MAIL_FROM": _env("MAIL_FROM", "rabta@localhost"),
        "WEBHOOK_URLS": webhook_urls(),
        "WEBHOOK_SECRET": _env("WEBHOOK_SECRET", ""),
        "WEBHOOK_TIMEOUT_SECONDS": _int("WEBHOOK_TIMEOUT_SECONDS", 5),
        "OUTBOX_MAX_ATTEMPTS": _int("OUTBOX_MAX_ATTEMPTS", 8),
        "SCHEDULER_LEASE_SECONDS": _int("SCHEDULER_LEASE_SECONDS", 60),
        # How long an approved notes request lets its requester read the minutes (R6).
        "NOTES_GRANT_DAYS": _int("NOTES_GRANT_DAYS", 30),
    }


def _rate(name: str, default: str) -> str:
    """A rate-limit setting in Flask-Limiter's notation, checked now: "10 per minute; 50 per hour"."""
    from limits import parse_many

    value = _env(name, default) or default
    try:
        parse_many(value)
    except ValueError:
        raise ConfigError(f"{name} must be limits like '10 per minute; 100 per hour', got {value!r}.") from None
    return value


def _storage_uri() -> str:
    uri = _env("RATELIMIT_STORAGE_URI", "memory://") or "memory://"
    if not uri.startswith(("memory://", "redis://", "rediss://", "redis+unix://")):
        raise ConfigError(f"RATELIMIT_STORAGE_URI must be memory:// or redis://host:6379/0, got {uri!r}.")
    return uri


def hardening_settings(environment: str) -> dict[str, Any]:
    """Rate limits (see crm/ratelimit.py) and the proxies trusted for X-Forwarded-* (none by default)."""
    return {
        # Off in the test suite (thousands of requests from one address); tests of the limits turn them on.
        "RATELIMIT_ENABLED": _bool("RATELIMIT_ENABLED", environment != "test"),
        "RATELIMIT_STORAGE_URI": _storage_uri(),
        "RATELIMIT_KEY_PREFIX": _env("RATELIMIT_KEY_PREFIX", "rabta"),
        "RATELIMIT_SIGN_IN": _rate("RATELIMIT_SIGN_IN", "10 per minute; 50 per hour"),
        "RATELIMIT_MFA": _rate("RATELIMIT_MFA", "5 per minute; 30 per hour"),
        "RATELIMIT_API": _rate("RATELIMIT_API", "300 per minute"),
        "RATELIMIT_API_AUTH_FAILURES": _rate("RATELIMIT_API_AUTH_FAILURES", "20 per minute"),
        "RATELIMIT_FEED": _rate("RATELIMIT_FEED", "60 per hour"),
        # How many proxies in front of the app set each X-Forwarded-* header (werkzeug ProxyFix).
        "PROXY_FIX_X_FOR": _int("PROXY_FIX_X_FOR", 0),
        "PROXY_FIX_X_PROTO": _int("PROXY_FIX_X_PROTO", 0),
        "PROXY_FIX_X_HOST": _int("PROXY_FIX_X_HOST", 0),
        "PROXY_FIX_X_PORT": _int("PROXY_FIX_X_PORT", 0),
        "PROXY_FIX_X_PREFIX": _int("PROXY_FIX_X_PREFIX", 0),
    }


def session_settings() -> dict[str, Any]:
    """Server-side sessions (see accounts): idle and absolute timeouts, remember-me.

    SESSION_HOURS, the foundation's name for the absolute timeout, is still read.
    """
    absolute = _int("SESSION_ABSOLUTE_HOURS", _int("SESSION_HOURS", 8))
    idle = _int("SESSION_IDLE_MINUTES", 30)
    if absolute < 1 or idle < 1:
        raise ConfigError("SESSION_ABSOLUTE_HOURS and SESSION_IDLE_MINUTES must be at least 1.")
    return {
        "SESSION_IDLE_MINUTES": idle,
        "SESSION_ABSOLUTE_HOURS": absolute,
        # Off: the session cookie dies with the browser. On: sign-in offers "keep me signed in on
        # this device", a cookie kept until the absolute timeout (the server's limits still apply).
        "REMEMBER_ME": _bool("REMEMBER_ME", False),
    }


LOG_FORMATS = ("json", "text")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


def logging_settings(environment: str) -> dict[str, Any]:
    """Logs (see crm/logging_setup.py): JSON lines in production, readable text elsewhere."""
    log_format = (_env("LOG_FORMAT", "json" if environment == "production" else "text") or "text").lower()
    if log_format not in LOG_FORMATS:
        raise ConfigError(f"LOG_FORMAT must be json or text, got {log_format!r}.")
    level = (_env("LOG_LEVEL", "INFO") or "INFO").upper()
    if level not in LOG_LEVELS:
        raise ConfigError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, got {level!r}.")
    return {
        "LOG_FORMAT": log_format,
        "LOG_LEVEL": level,
        # Take the request id from X-Request-Id only when a proxy we run sets it (nginx: $request_id).
        "TRUST_REQUEST_ID": _bool("TRUST_REQUEST_ID", False),
    }


def load(instance_path: Path, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Build the Flask config mapping from the environment, then apply test overrides."""
    overrides = overrides or {}
    environment = overrides.get("RABTA_ENV") or _env("RABTA_ENV", "development")
    if environment not in ENVIRONMENTS:
        raise ConfigError(f"RABTA_ENV must be one of {', '.join(ENVIRONMENTS)}, got {environment!r}.")
    production = environment == "production"
    config: dict[str, Any] = {
        "RABTA_ENV": environment,
        "SECRET_KEY": overrides.get("SECRET_KEY") or secret_key(environment, instance_path),
        "DATABASE_URL": overrides.get("DATABASE_URL") or database_url(instance_path),
        "SQL_ECHO": _bool("SQL_ECHO", False),
        # Sessions: cookie only carries a signed id; the server can end it (see accounts).
        "SESSION_COOKIE_NAME": "rabta_session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", production),
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=session_settings()["SESSION_ABSOLUTE_HOURS"]),
        "REMEMBER_COOKIE_DURATION": timedelta(days=0),
        **session_settings(),
        "WTF_CSRF_TIME_LIMIT": _int("CSRF_TIME_LIMIT_SECONDS", 8 * 3600),
        "MAX_CONTENT_LENGTH": _int("MAX_UPLOAD_MB", 25) * 1024 * 1024,
        # Attachments live outside static/ and are served only after the access check.
        "ATTACHMENTS_DIR": _env("ATTACHMENTS_DIR") or str(instance_path / "attachments"),
        # Sign-in lockout: after this many consecutive failures the account is locked.
        "LOCKOUT_THRESHOLD": _int("LOCKOUT_THRESHOLD", 5),
        "LOCKOUT_MINUTES": _int("LOCKOUT_MINUTES", 15),
        # OpenAPI document served at /api/v1/openapi.json (no UI: it would need a CDN).
        "API_TITLE": "Rabta API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        "TIMEZONE": "Asia/Karachi",
        **delivery_settings(),
        **hardening_settings(environment),
        **logging_settings(environment),
    }
    config.update(overrides)
    return config
