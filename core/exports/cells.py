"""Neutralising spreadsheet cells (OWASP "CSV injection").

Spreadsheets treat a cell starting with ``=``, ``+``, ``-`` or ``@`` as a formula,
and tab or carriage return can smuggle one past the first character. Such text is
prefixed with a single quote, which spreadsheets show as text and never evaluate.

Only text is changed. Numbers the app works out itself (counts, percentages, a
negative difference) are written as numbers: they are data the app made, not text a
person typed, and a spreadsheet must still be able to add them up.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

#: The characters OWASP lists as starting a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Cell = str | int | float | Decimal | date | datetime | bool | None


def neutralise(value: object) -> Cell:
    """The value, safe to put in a spreadsheet cell.

    ``None`` becomes an empty cell; numbers, dates and booleans stay as they are;
    anything else is text and is prefixed with ``'`` when it could start a formula.
    """
    if value is None:
        return ""
    if isinstance(value, bool | int | float | Decimal | date | datetime):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def neutralise_row(row: object) -> list[Cell]:
    return [neutralise(value) for value in row]  # type: ignore[attr-defined]
