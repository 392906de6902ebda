"""Examples the property tests found, kept as plain regression tests."""

from __future__ import annotations

import pytest

from crm.accounts.models import Role
from crm.companies import importing
from crm.companies.services import CompanyInput, create_company
from crm.csvio import cell, read_csv
from crm.errors import Invalid
from tests.factories import make_user


@pytest.mark.parametrize("data", [b'name\r\nA\rB,"x\n', b'name\n"open quote', b'a,b\n\r"c'])
def test_malformed_csv_is_a_readable_file_error_not_a_crash(data: bytes) -> None:
    try:
        header, _ = read_csv(data)  # csv.Error used to escape from here (a 500 on the import page)
    except ValueError as error:
        header = [str(error)]
    assert header


@pytest.mark.parametrize("text", ["'=x", "''+1", "=SUM(A1)", "'quoted", "-", "'"])
def test_an_exported_cell_imports_back_as_written(text: str) -> None:
    assert importing.parse_text(cell(text)) == text


def test_company_names_are_unique_regardless_of_case_beyond_ascii(session) -> None:
    keeper = make_user(session, role=Role.SECRETARIAT, org="NSD")
    create_company(session, actor=keeper, data=CompanyInput(name="Ödeme Platformu"))
    with pytest.raises(Invalid) as refused:
        create_company(session, actor=keeper, data=CompanyInput(name="öDEME PLATFORMU"))
    assert "name" in refused.value.fields
    assert set(importing.plan_companies(session, ["name"], [{"name": "ÖDEME PLATFORMU"}])[0].action.split()) == {
        importing.UNCHANGED
    }
