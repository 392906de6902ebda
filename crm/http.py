"""Small request helpers shared by views: safe redirects, client address, form errors."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import request
from flask_wtf import FlaskForm


def safe_next(target: str | None, default: str) -> str:
    """`target` if it is a path on this site, else `default` (no open redirects).

    Refuses absolute URLs, scheme-relative `//host`, backslash tricks and control characters.
    """
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return default
    if any(ch in target for ch in "\\\r\n\t") or urlsplit(target).netloc:
        return default
    return target


def client_ip() -> str:
    """The peer address. Behind a proxy, ProxyFix (explicitly configured) rewrites it."""
    return request.remote_addr or ""


def apply_field_errors(form: FlaskForm, fields: dict[str, Any]) -> None:
    """Show a service's field errors beside the form's fields (the user's input is kept)."""
    for name, messages in fields.items():
        field = getattr(form, name, None)
        target = field.errors if field is not None else form.form_errors
        if isinstance(target, tuple):
            target = list(target)
        target.extend(messages if isinstance(messages, list) else [str(messages)])
        if field is not None:
            field.errors = target
        else:
            form.form_errors = target
