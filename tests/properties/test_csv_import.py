"""Properties of the CSV import (crm/companies/importing.py).

Arbitrary bytes never raise anything but the file-level ValueError the pages show; and the
export of the companies register (the real `/companies.csv` download) re-imports with every
row "unchanged", whatever text the companies hold.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from crm.accounts.models import Role
from crm.companies import importing
from crm.companies.services import COMPANY_ENUMS, CompanyInput, create_company
from crm.db import get_session
from crm.errors import Invalid
from tests.conftest import sign_in
from tests.factories import make_user

FIXTURES = settings(
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

HEADERS = ["name", "legal_name", "priority", "officer_is_resident", "presence_verified_on", "notes", "contact"]
cells = st.one_of(
    st.text(max_size=20),
    st.sampled_from(["=SUM(A1)", "'=x", "yes", "maybe", "31-02-2024", "2024-12-31", "high", "", '"', '"a,b"']),
)
csv_like = st.builds(
    lambda header, rows, sep: (",".join(header) + "\n" + "\n".join(sep.join(row) for row in rows)).encode("utf-8"),
    st.lists(st.one_of(st.sampled_from(HEADERS), st.text(max_size=8)), min_size=1, max_size=6),
    st.lists(st.lists(cells, max_size=7), max_size=6),
    st.sampled_from([",", ";", ",,", "\t"]),
)


@settings(FIXTURES, max_examples=200)
@given(data=st.one_of(st.binary(max_size=300), csv_like), register=st.sampled_from(["companies", "contacts"]))
def test_any_bytes_give_a_plan_or_a_readable_file_error(session: Session, data: bytes, register: str) -> None:
    try:
        plan, _ = importing.plan_file(session, register=register, data=data)
    except ValueError as error:
        message = str(error)  # shown above the upload form
        assert message
        return
    for row in plan.rows:
        assert row.action in (importing.NEW, importing.UPDATE, importing.UNCHANGED, importing.REJECTED)
        assert row.action != importing.REJECTED or row.reasons


# Text as people type it (Latin with accents, Urdu, Cyrillic, Greek, punctuation, formula-like
# starts), trimmed as the form is. Letters whose case folding differs between Python and
# PostgreSQL (the dotted İ, ß) are left out: names are matched regardless of case.
_letters = st.characters(
    categories=("Lu", "Ll", "Nd", "Po", "Zs", "Sm"), max_codepoint=0x06FF, exclude_characters="İıßſ\u0130"
)
_text = st.text(_letters, max_size=30).map(str.strip)
texts = st.one_of(_text, st.sampled_from(["=1+1", "+92 51 123", "-", "@handle", "'quoted", "'=x", 'a, "b"']))
notes = st.lists(texts, max_size=3).map("\n".join).map(str.strip)
dates = st.one_of(st.none(), st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)))
companies = st.builds(
    CompanyInput,
    name=texts.filter(bool),
    legal_name=texts,
    parent=texts,
    hq_jurisdiction=texts,
    health_reason=texts,
    notes=notes,
    presence_city=texts,
    officer_name=texts,
    officer_is_resident=st.booleans(),
    presence_verified_on=dates,
    tax_verified_on=dates,
    **{name: st.sampled_from(list(enum)) for name, enum in COMPANY_ENUMS.items()},
)


@pytest.fixture
def example_savepoint(connection: Connection) -> Any:
    """Undo each Hypothesis example's companies before the next one."""

    def begin() -> Any:
        return connection.begin_nested()

    return begin


@settings(FIXTURES, max_examples=25, phases=[Phase.explicit, Phase.generate])
@given(inputs=st.lists(companies, min_size=1, max_size=3, unique_by=lambda c: c.name.lower()))
def test_an_exported_register_reimports_unchanged(app, example_savepoint, inputs: list[CompanyInput]) -> None:
    savepoint = example_savepoint()
    try:
        with app.app_context():
            session = get_session()
            keeper = make_user(session, role=Role.SECRETARIAT, org="NSD")
            try:
                for data in inputs:
                    create_company(session, actor=keeper, data=data)
            except Invalid:
                assume(False)
            session.commit()
        client = app.test_client()
        assert sign_in(client, keeper.username).status_code == 302
        exported = client.get("/companies.csv")
        assert exported.status_code == 200
        with app.app_context():
            plan, _ = importing.plan_file(get_session(), register="companies", data=exported.get_data())
        outcome = {row.key: (row.action, row.reasons, row.changes) for row in plan.rows}
        assert all(action == importing.UNCHANGED for action, _, _ in outcome.values()), (outcome, exported.get_data())
        assert len(plan.rows) >= len(inputs)
    finally:
        savepoint.rollback()
