"""The import's cell parsers and its signed preview token, without pages."""

from __future__ import annotations

from datetime import date

import pytest

from crm.companies import importing
from crm.companies.models import LocalPresence

SECRET = "a-test-secret-that-is-long-enough-0123456789"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("  Meta ", "Meta"), ("'=SUM(A1)", "=SUM(A1)"), ("'+92 51", "+92 51"), ("'quoted", "'quoted"), ("", "")],
)
def test_text_cells_are_trimmed_and_an_exports_formula_guard_is_removed(raw, expected):
    assert importing.parse_text(raw) == expected


@pytest.mark.parametrize("raw", ["liaison_office", "Liaison office", "LIAISON-OFFICE", " liaison office "])
def test_choices_accept_values_and_labels(raw):
    assert importing.choice(LocalPresence)(raw) is LocalPresence.LIAISON_OFFICE


def test_an_unknown_choice_names_the_allowed_values():
    with pytest.raises(ValueError, match="use one of none, representative, liaison_office, branch, subsidiary"):
        importing.choice(LocalPresence)("embassy")


@pytest.mark.parametrize(
    ("raw", "expected"), [("31-12-2024", date(2024, 12, 31)), ("2024-12-31", date(2024, 12, 31)), ("", None)]
)
def test_dates_are_read_in_either_form(raw, expected):
    assert importing.parse_date(raw) == expected


@pytest.mark.parametrize("raw", ["31/12/2024", "30-02-2024", "tomorrow", "2024-13-01"])
def test_bad_dates_are_refused(raw):
    with pytest.raises(ValueError, match="31-12-2024"):
        importing.parse_date(raw)


@pytest.mark.parametrize(("raw", "expected"), [("yes", True), ("Y", True), ("1", True), ("no", False), ("", False)])
def test_yes_and_no(raw, expected):
    assert importing.parse_bool(raw) is expected


def test_a_signed_preview_opens_only_for_its_user_and_register():
    token = importing.sign_preview(SECRET, register="companies", user_id=7, text="name\nMeta\n", fingerprint="f")

    assert importing.open_preview(SECRET, register="companies", user_id=7, token=token) == ("name\nMeta\n", "f")
    for register, user_id in (("contacts", 7), ("companies", 8)):
        with pytest.raises(ValueError, match="Upload the file again"):
            importing.open_preview(SECRET, register=register, user_id=user_id, token=token)
    with pytest.raises(ValueError, match="Upload the file again"):
        importing.open_preview(
            "another-secret-of-enough-length-000000000", register="companies", user_id=7, token=token
        )


def test_an_expired_preview_cannot_be_confirmed(monkeypatch):
    token = importing.sign_preview(SECRET, register="companies", user_id=7, text="name\nMeta\n", fingerprint="f")
    monkeypatch.setattr(importing, "TOKEN_MAX_AGE", -1)

    with pytest.raises(ValueError, match="expired"):
        importing.open_preview(SECRET, register="companies", user_id=7, token=token)


def test_a_large_file_is_carried_compressed():
    text = "name,notes\n" + "".join(f"Company {n},Some repeated notes about the company\n" for n in range(5000))

    token = importing.sign_preview(SECRET, register="companies", user_id=1, text=text, fingerprint="f")

    assert len(token) < len(text) / 4
