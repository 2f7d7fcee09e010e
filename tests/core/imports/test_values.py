"""Reading the values extracts hold: dates in either form, yes/no, cells as text."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from core.imports.values import ValueProblem, clean, parse_date, parse_flag


@pytest.mark.parametrize(
    "text",
    [
        "2026-03-31",
        "31/03/2026",
        "31-03-2026",
        "31.03.2026",
        "2026-03-31 00:00:00",
        "2026-03-31T00:00:00",
    ],
)
def test_dates_are_read_in_either_form(text):
    """ISO dates and UK dates (and Excel's midnight times) are the same day."""
    assert parse_date(text) == date(2026, 3, 31)


def test_single_digit_days_and_excel_dates():
    assert parse_date("5/3/2026") == date(2026, 3, 5)
    assert parse_date(datetime(2026, 3, 5, 0, 0)) == date(2026, 3, 5)
    assert parse_date(date(2026, 3, 5)) == date(2026, 3, 5)


@pytest.mark.parametrize("blank", [None, "", "   "])
def test_a_blank_date_is_none(blank):
    assert parse_date(blank) is None


@pytest.mark.parametrize("text", ["31/02/2026", "2026-02-30", "next week", "03/31/2026", "2026/03"])
def test_a_wrong_date_says_which_column_and_value(text):
    """The message names the column and value and shows the accepted forms."""
    with pytest.raises(ValueProblem) as error:
        parse_date(text, "Start Date")
    assert str(error.value) == (f"Start Date “{text}” is not a date like 2026-03-31 or 31/03/2026")


def test_an_unbelievable_date_is_refused():
    with pytest.raises(ValueProblem, match="not a believable date"):
        parse_date("01/01/1066", "Opened")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Yes", True),
        ("y", True),
        ("TRUE", True),
        ("1", True),
        ("Active", True),
        ("No", False),
        ("n", False),
        ("false", False),
        ("0", False),
        ("Inactive", False),
        ("left", False),
    ],
)
def test_flags(text, expected):
    assert parse_flag(text, "Active") is expected


def test_a_blank_flag_takes_the_default_or_is_missing():
    assert parse_flag("", "Active", default=True) is True
    with pytest.raises(ValueProblem, match="Active is missing"):
        parse_flag("", "Active")
    with pytest.raises(ValueProblem, match="Active “maybe” should be yes or no"):
        parse_flag("maybe", "Active")


def test_cells_become_trimmed_text():
    """Excel's whole-number floats lose their ".0" (staff numbers, references)."""
    assert clean(None) == ""
    assert clean(12345.0) == "12345"
    assert clean(1.5) == "1.5"
    assert clean("  C1 \x00") == "C1"
    assert clean(date(2026, 3, 31)) == "2026-03-31"
