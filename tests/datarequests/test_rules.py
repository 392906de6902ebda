"""Data request rules (direction 4): the secretariat and chair ask and mark; only the requested
organisation answers; everyone in the group reads; refusals write nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from crm.accounts.models import User
from crm.datarequests import services
from crm.datarequests.models import DataRequest, DataRequestStatus, DataResponse
from crm.engagements.models import Attachment
from crm.errors import Conflict, Forbidden, Invalid, NotFound
from crm.storage import StoredFile
from tests.datarequests.factories import days, make_request

FILE = StoredFile("b" * 64, 10, "text/csv", "data.csv")


def me(s, user):
    return s.get(User, user.id)


def _respond(user, request, text="Figures attached.", stored=None):
    return lambda s: services.respond_to_data_request(
        s, actor=me(s, user), request_id=request.id, text=text, stored=stored
    )


@pytest.mark.parametrize("who", ["moit", "observer", "admin"])
def test_only_the_secretariat_and_chair_ask_for_data(seed, cast, rows, who):
    before = rows(DataRequest)

    with pytest.raises(Forbidden) as refused:
        seed(lambda s: make_request(s, by=getattr(cast, who)))

    assert refused.value.code == "not_keeper"
    assert rows(DataRequest) == before


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": " "}, "title"),
        ({"requested_from_id": 0}, "requested_from_id"),
        ({"directive_id": 999999}, "directive_id"),
        ({"thread_id": 2**31}, "thread_id"),
        ({"due_date": days(365 * 100)}, "due_date"),
        ({"details": "x" * 20_001}, "details"),
    ],
)
def test_bad_requests_are_field_errors(seed, cast, rows, overrides, field):
    before = rows(DataRequest)

    with pytest.raises(Invalid) as invalid:
        seed(lambda s: make_request(s, by=cast.secretariat, **overrides))

    assert field in invalid.value.fields
    assert rows(DataRequest) == before


def test_the_requested_organisation_answers_and_the_first_answer_marks_it_answered(seed, cast, rows):
    request = seed(lambda s: make_request(s, by=cast.chair))

    response = seed(_respond(cast.pta, request, stored=FILE))

    assert response.organisation_id == cast.pta.organisation_id
    assert seed(lambda s: s.get(DataRequest, request.id).status) is DataRequestStatus.ANSWERED
    assert rows(Attachment)[0] == 1
    seed(_respond(cast.pta, request, text="A correction to the March figures."))  # several responses
    assert rows(DataResponse)[0] == 2


@pytest.mark.parametrize(
    ("who", "code"), [("moit", "not_requested_organisation"), ("observer", "not_permitted"), ("admin", "not_permitted")]
)
def test_others_cannot_answer(seed, cast, rows, who, code):
    request = seed(lambda s: make_request(s, by=cast.chair))
    before = rows(DataResponse, DataRequest)

    with pytest.raises(Forbidden) as refused:
        seed(_respond(getattr(cast, who), request))

    assert refused.value.code == code
    assert rows(DataResponse, DataRequest) == before


def test_closed_or_cancelled_requests_take_no_answers(seed, cast, rows):
    request = seed(lambda s: make_request(s, by=cast.chair))
    seed(
        lambda s: services.set_data_request_status(
            s, actor=me(s, cast.secretariat), request_id=request.id, version=None, status=DataRequestStatus.CANCELLED
        )
    )
    before = rows(DataResponse)

    with pytest.raises(Forbidden) as refused:
        seed(_respond(cast.pta, request))

    assert refused.value.code == "request_closed"
    assert rows(DataResponse) == before


def test_an_empty_answer_is_refused(seed, cast, rows):
    request = seed(lambda s: make_request(s, by=cast.chair))
    before = rows(DataResponse)

    with pytest.raises(Invalid):
        seed(_respond(cast.pta, request, text="  "))

    assert rows(DataResponse) == before


def test_status_changes_are_the_keepers_and_version_checked(seed, cast, rows):
    request = seed(lambda s: make_request(s, by=cast.chair))

    def mark(user, status, version=None):
        return lambda s: services.set_data_request_status(
            s, actor=me(s, user), request_id=request.id, version=version, status=status
        )

    before = rows(DataRequest)
    with pytest.raises(Forbidden):
        seed(mark(cast.pta, DataRequestStatus.CLOSED))
    with pytest.raises(Invalid):
        seed(mark(cast.chair, DataRequestStatus.OPEN))
    assert rows(DataRequest) == before
    assert seed(mark(cast.chair, DataRequestStatus.CLOSED, version=1)).status is DataRequestStatus.CLOSED
    with pytest.raises(Conflict):
        seed(mark(cast.chair, DataRequestStatus.OPEN, version=1))


def test_editing_is_version_checked(seed, cast, rows):
    request = seed(lambda s: make_request(s, by=cast.chair))

    def edit(version):
        return lambda s: services.update_data_request(
            s,
            actor=me(s, cast.secretariat),
            request_id=request.id,
            version=version,
            data=services.RequestInput(requested_from_id=request.requested_from_id, title="Renamed"),
        )

    assert seed(edit(1)).version == 2
    before = rows(DataRequest)
    with pytest.raises(Conflict):
        seed(edit(1))
    assert rows(DataRequest) == before


def test_response_files_are_read_by_the_group_and_reads_are_audited(seed, cast, rows):
    request = seed(lambda s: make_request(s, by=cast.chair))
    response = seed(_respond(cast.pta, request, stored=FILE))
    file_id = seed(lambda s: s.scalar(select(Attachment.id).where(Attachment.data_response_id == response.id)))
    before = rows()

    opened = seed(lambda s: services.open_response_file(s, actor=me(s, cast.observer), attachment_id=file_id))

    assert opened.filename == "data.csv"
    assert rows() == (before[0] + 1,)
    with pytest.raises(Forbidden):
        seed(lambda s: services.open_response_file(s, actor=me(s, cast.admin), attachment_id=file_id))
    with pytest.raises(NotFound):
        seed(lambda s: services.open_response_file(s, actor=me(s, cast.chair), attachment_id=999999))
    with pytest.raises(Forbidden):  # only the author adds files to a response
        seed(lambda s: services.attach_response_file(s, actor=me(s, cast.chair), response_id=response.id, stored=FILE))
