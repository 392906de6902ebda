"""Small request helpers shared by views: safe redirects, client address, form errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, BinaryIO, cast
from urllib.parse import urlsplit

from flask import Flask, Response, abort, current_app, request, send_file, url_for
from flask_wtf import FlaskForm
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage
from werkzeug.routing import BuildError, IntegerConverter

from crm.db import get_session
from crm.errors import Conflict, Invalid, NotFound
from crm.storage import Storage, StoredFile

# Ids are 32-bit on both databases: a larger number names no record (and would overflow).
MAX_ID = 2**31 - 1


class DbIdConverter(IntegerConverter):
    """`<int:...>` in routes, bounded to ids the database can hold (larger: 404)."""

    def __init__(self, url_map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def db_id(value: str) -> int:
    """`type=` for request.args: a positive id, else ValueError (the argument is ignored)."""
    number = int(value)
    if not 1 <= number <= MAX_ID:
        raise ValueError("id out of range")
    return number


def writes(view: Any) -> Any:
    """Mark a GET view that writes (e.g. an audited read of minutes, R8).

    Its SQLite transaction then begins with the write lock, as a POST's does.
    """
    view.writes = True
    return view


def storage() -> Storage:
    """The attachment store of the current app."""
    store: Storage = current_app.extensions["rabta.storage"]
    return store


def store_upload(upload: FileStorage) -> StoredFile:
    """Put an uploaded file in the attachment store (Invalid on the `file` field if refused)."""
    return storage().save(cast(BinaryIO, upload.stream), upload.filename or "")


def send_stored_file(session: Session, attachment: Any) -> Response:
    """Send an attachment the caller's service has cleared and audited: commit that audit,
    then the file, always as a download (never rendered) and with no sniffing of its type.
    A file missing from the store is a 404, and its read is then not recorded."""
    path = storage().path_for(attachment.sha256)
    if not path.is_file():
        raise NotFound("The file is missing from the store. Please tell the secretariat.")
    session.commit()
    response = send_file(
        path, mimetype=attachment.content_type, as_attachment=True, download_name=attachment.filename, max_age=0
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def url_if_exists(endpoint: str, **values: Any) -> str | None:
    """A link to another feature's page, or None when that page does not exist."""
    if endpoint not in current_app.view_functions:
        return None
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


def submit_form(form: FlaskForm, save: Callable[[Session], Any], reshow: Callable[..., str]) -> tuple[bool, Any]:
    """The life of a form post: validate, run the service in a savepoint, commit once.

    Returns (True, the service's result) after the commit, or (False, a response): the form
    re-shown with the user's input and field errors (Invalid), or with the conflict notice
    and status 409 (Conflict, R7). A refused or invalid write leaves nothing behind.
    """
    if not form.validate_on_submit():
        return False, reshow()
    session = get_session()
    try:
        with session.begin_nested():
            result = save(session)
    except Invalid as error:
        apply_field_errors(form, error.fields)
        return False, reshow()
    except Conflict:
        return False, (reshow(conflict=True), 409)
    session.commit()
    return True, result


def _has_nul(values: Any) -> bool:
    return any("\x00" in key or "\x00" in value for key, value in values.items(multi=True))


def _reject_nul_bytes() -> None:
    """No text field ever holds a NUL; PostgreSQL refuses them, so refuse them up front.

    Only text is checked (query, form fields, JSON): uploaded files may hold any byte.
    """
    has_nul = _has_nul(request.args)
    if not has_nul and request.method in ("POST", "PUT", "PATCH"):
        has_nul = _has_nul(request.form) or (request.is_json and b"\\u0000" in request.get_data())
    if has_nul:
        abort(400, "The request contains a NUL character, which no field accepts.")


def init_app(app: Flask) -> None:
    app.url_map.converters["int"] = DbIdConverter
    app.before_request(_reject_nul_bytes)


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
