"""Signed-in pages cost one query for the session (user, organisation and designation check
together), and "Your sessions" costs the same however many sessions are listed."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event

from tests.conftest import sign_in


def statements(app, client, path: str) -> list[str]:
    seen: list[str] = []

    def listener(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    engine = app.extensions["rabta.db"].engine
    event.listen(engine, "before_cursor_execute", listener)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return [s for s in seen if not s.startswith(("SAVEPOINT", "RELEASE", "ROLLBACK"))]


def test_the_sessions_page_sends_a_constant_number_of_queries(app, add_user):
    user = add_user()
    clients = [app.test_client() for _ in range(6)]
    sign_in(clients[0], user.username)
    few = len(statements(app, clients[0], "/account/sessions"))
    for client in clients[1:]:
        sign_in(client, user.username)
    many = len(statements(app, clients[0], "/account/sessions"))
    assert few == many


def test_loading_the_signed_in_user_is_one_query(app, add_user):
    user = add_user()
    client = app.test_client()
    sign_in(client, user.username)
    sent = statements(app, client, "/account/sessions")
    assert sum("user_sessions" in s and "FROM user_sessions JOIN users" in s for s in sent) == 1
    assert not any(s.lstrip().startswith("UPDATE user_sessions") for s in sent)  # no write within the minute
