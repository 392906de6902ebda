"""The templates' url_for (crm/links.py) gives exactly Flask's links, faster."""

from __future__ import annotations

from flask import Flask, render_template_string
from flask import url_for as flask_url_for

from crm.links import url_for


def test_every_route_with_integer_values_links_as_flask_does(app: Flask) -> None:
    with app.test_request_context("/"):
        checked = 0
        for rule in app.url_map.iter_rules():
            converters = [rule._converters.get(name) for name in rule.arguments]
            if rule.arguments and not rule.defaults and all(type(c).__name__ == "DbIdConverter" for c in converters):
                for value in (1, 42, 2_147_483_647):
                    values = dict.fromkeys(rule.arguments, value)
                    assert url_for(rule.endpoint, **values) == flask_url_for(rule.endpoint, **values)
                checked += 1
        assert checked > 50


def test_query_values_anchors_and_strings_are_left_to_flask(app: Flask) -> None:
    with app.test_request_context("/"):
        assert url_for("commitments.register", company_id=7) == "/commitments?company_id=7"
        assert url_for("threads.detail", thread_id=3, _anchor="x") == "/threads/3#x"
        assert url_for("dashboard.home", sort="health") == "/?sort=health"
        assert url_for("threads.detail", thread_id=True) == flask_url_for("threads.detail", thread_id=True)


def test_a_proxy_prefix_is_kept_per_prefix(app: Flask) -> None:
    with app.test_request_context("/", base_url="http://localhost/rabta/"):
        assert url_for("threads.detail", thread_id=5) == flask_url_for("threads.detail", thread_id=5)
        assert url_for("threads.detail", thread_id=5) == "/rabta/threads/5"
    with app.test_request_context("/"):
        assert url_for("threads.detail", thread_id=5) == "/threads/5"


def test_templates_use_it(app: Flask) -> None:
    with app.test_request_context("/"):
        assert render_template_string("{{ url_for('threads.detail', thread_id=9) }}") == "/threads/9"
        assert app.jinja_env.globals["url_for"] is url_for
