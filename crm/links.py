"""`url_for` for templates, remembered per route: a list page builds hundreds of links.

Flask's url_for has werkzeug find the rule and convert every value anew, about 4 µs a link;
the status board's hundred rows build about 470 links, 2 ms of its time (a third of its
rendering). Here the first link of a shape (endpoint, the names of its values, all values
plain integers) is built by Flask with placeholder numbers, and remembered as the text
around them; later links of that shape are that text with the numbers put in. Anything else
(strings, booleans, `_external`, `_anchor`, no request) goes to Flask's url_for unchanged.

An integer converts to its decimal digits whatever the rule (IntegerConverter.to_url), and
the app registers no url_defaults that could change a link between requests; the script
root is part of the remembered shape, so a proxy's prefix is honoured.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Flask, current_app, has_request_context, request
from flask import url_for as flask_url_for

PLACEHOLDER = 7_919_000_001  # digits no route of the app holds; one per value, counting up
Shape = tuple[str, str, tuple[str, ...]]
Template = tuple[tuple[str, ...], tuple[int, ...]]  # texts between the values; which value goes where


def _template(endpoint: str, names: tuple[str, ...]) -> Template | None:
    """The link's text around each value, or None when a placeholder does not come out once."""
    marks = {str(PLACEHOLDER + n): n for n in range(len(names))}
    placeholders: dict[str, Any] = {name: PLACEHOLDER + n for n, name in enumerate(names)}
    built = flask_url_for(endpoint, **placeholders)
    pieces = re.split("(" + "|".join(marks) + ")", built)
    texts, order = tuple(pieces[0::2]), tuple(marks[piece] for piece in pieces[1::2])
    if sorted(order) != list(range(len(names))):
        return None
    return texts, order


def url_for(endpoint: str, **values: Any) -> str:
    if not has_request_context() or not values or any(type(v) is not int for v in values.values()):
        return flask_url_for(endpoint, **values)
    names = tuple(sorted(values))
    shape: Shape = (request.script_root, endpoint, names)
    templates: dict[Shape, Template | None] = current_app.extensions["rabta.links"]
    if shape not in templates:
        templates[shape] = _template(endpoint, names)
    template = templates[shape]
    if template is None:
        return flask_url_for(endpoint, **values)
    texts, order = template
    parts = [texts[0]]
    for text, n in zip(texts[1:], order, strict=True):
        parts += [str(values[names[n]]), text]
    return "".join(parts)


def init_app(app: Flask) -> None:
    app.extensions["rabta.links"] = {}
    app.jinja_env.globals["url_for"] = url_for
