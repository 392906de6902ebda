"""Fixtures for the governance-workflow tests (draft reviews, data requests, WG meetings): the
cast of people, jobs run at a fixed time, and a query measurement; seed, rows, login, bearer,
store and count_queries come from tests/fixtures/common.py.

tests/datarequests and tests/meetings import these fixtures from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from crm.accounts.models import Clearance, Role, User
from tests.channel.factories import appoint
from tests.factories import make_user
from tests.jobs.conftest import outbox, run_job, sent  # noqa: F401 (fixtures re-exported)


@dataclass
class Cast:
    chair: User
    secretariat: User
    focal: User  # a MoIT member holding the focal-person designation
    moit: User
    molj: User
    pta: User
    observer: User
    admin: User
    low: User  # a secretariat officer cleared only to Unclassified


def build_cast(session: Any) -> Cast:
    secret, confidential = Clearance.SECRET, Clearance.CONFIDENTIAL
    chair = make_user(session, role=Role.CHAIR, org="NSD", clearance=secret)
    cast = Cast(
        chair=chair,
        secretariat=make_user(session, role=Role.SECRETARIAT, org="NSD", clearance=confidential),
        focal=make_user(session, role=Role.MEMBER, org="MoIT", clearance=confidential),
        moit=make_user(session, role=Role.MEMBER, org="MoIT", clearance=confidential),
        molj=make_user(session, role=Role.MEMBER, org="MoLJ", clearance=confidential),
        pta=make_user(session, role=Role.MEMBER, org="PTA", clearance=confidential),
        observer=make_user(session, role=Role.OBSERVER, org="PMO", clearance=confidential),
        admin=make_user(session, role=Role.ADMIN, org="MoIT", clearance=secret),
        low=make_user(session, role=Role.SECRETARIAT, org="NSD", clearance=Clearance.UNCLASSIFIED),
    )
    appoint(session, chair=chair, user=cast.focal)
    return cast


@pytest.fixture
def cast(seed) -> Cast:
    return seed(build_cast)


def measure(client: Any, count_queries: list[str], path: str) -> list[str]:
    assert client.get(path).status_code == 200  # warm up: first-request work is not the page's
    count_queries.clear()
    assert client.get(path).status_code == 200
    return list(count_queries)
