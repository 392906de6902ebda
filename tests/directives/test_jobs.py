"""directive_reminders and directive_escalation: who is told, once, without classified text."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from crm.directives.jobs import directive_escalation, directive_reminders
from crm.notifications.models import Notification


def run(app, seed, job, now):
    with app.app_context():
        return seed(lambda s: job(s, now))


def notes(seed, user):
    return seed(lambda s: list(s.scalars(select(Notification).where(Notification.user_id == user.id))))


def test_reminders_reach_the_action_by_organisation_once(app, world, seed):
    app.config["REMINDER_DAYS"] = [3, 1]
    now = datetime(2021, 11, 2, 4, 0, tzinfo=UTC)  # B is due 04-11-2021: two days out
    run(app, seed, directive_reminders, now)
    run(app, seed, directive_reminders, now)
    got = notes(seed, world.law)
    assert len(got) == 1
    assert "Direction B of No. 1(1)/AS-II/2021" in got[0].title
    assert "04-11-2021" in got[0].title
    assert "defamation" not in got[0].title + got[0].body  # the text stays in Rabta
    assert notes(seed, world.moit) == []  # MoIT is not the action-by organisation of B


def test_escalation_tells_the_chair_once_and_leaves_the_status(app, world, seed):
    now = datetime(2021, 11, 6, 4, 0, tzinfo=UTC)  # B overdue since 05-11
    message = run(app, seed, directive_escalation, now)
    run(app, seed, directive_escalation, now)
    got = notes(seed, world.chair)
    assert "1 overdue directive(s) escalated" in message
    assert len(got) == 1
    assert got[0].title.startswith("Behind schedule: Direction B")
    assert notes(seed, world.law) == []
    from crm.directives.models import Directive, DirectiveStatus

    assert seed(lambda s: s.get(Directive, world.directives["B"].id).status) is DirectiveStatus.NOT_STARTED
