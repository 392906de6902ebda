"""Data request reminders and escalation (R9): at a fixed `now`, to the right people, exactly once."""

from __future__ import annotations

from datetime import timedelta

from crm.accounts.models import Role
from crm.datarequests.jobs import data_request_escalation, data_request_reminders
from crm.datarequests.models import DataRequestStatus
from crm.datarequests.services import set_data_request_status
from crm.notifications.models import NotificationKind
from tests.datarequests.factories import make_request
from tests.factories import make_user
from tests.jobs.conftest import NOW, TODAY

DAY = timedelta(days=1)


def test_the_requested_organisations_acting_members_are_reminded_once(seed, cast, run_job, sent):
    pta_observer = seed(lambda s: make_user(s, role=Role.OBSERVER, org="PTA"))
    item = seed(lambda s: make_request(s, by=cast.chair, due_date=TODAY + DAY))

    run_job(data_request_reminders)
    run_job(data_request_reminders, NOW + timedelta(hours=2))

    [note] = sent(cast.pta, prefix="reminder:data_request")
    assert note.key == f"reminder:data_request:{item.id}:{item.due_date.isoformat()}:1d"
    assert note.kind is NotificationKind.REMINDER
    assert "due tomorrow" in note.title
    assert sent(pta_observer) == []
    assert sent(cast.moit, prefix="reminder") == []


def test_late_requests_escalate_to_the_chair_once_and_answered_ones_do_not(seed, cast, run_job, sent):
    late = seed(lambda s: make_request(s, by=cast.chair, due_date=TODAY - DAY))
    answered = seed(lambda s: make_request(s, by=cast.chair, due_date=TODAY - DAY))
    seed(
        lambda s: set_data_request_status(
            s,
            actor=s.get(type(cast.chair), cast.chair.id),
            request_id=answered.id,
            version=None,
            status=DataRequestStatus.ANSWERED,
        )
    )

    assert run_job(data_request_escalation).startswith("escalated 1 ")
    assert run_job(data_request_escalation).startswith("escalated 0 ")

    [note] = sent(cast.chair, prefix="escalation:data_request")
    assert note.key == f"escalation:data_request:{late.id}:{late.due_date.isoformat()}"
    assert "is late" in note.title
