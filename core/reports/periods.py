"""Reporting periods: months and the council's financial quarters and years.

Keys are short strings kept in the URL so a report can be bookmarked and sent:
``2026-11`` (a month), ``2026-27-Q3`` (a financial quarter; Q1 is April to
June), ``2026-27`` (a financial year), ``last-12-months`` and a range of whole
months, ``2026-07..2026-10`` ("July to October").

Every period is made of whole months, so the report reads the monthly
pre-aggregated counts (``core.reports.summary``) and never the answers.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

DEFAULT_PERIOD = "last-12-months"

# ASCII digits only, and years a report can be about: 0000-01 and 9999-00 would
# name dates Python cannot hold.
_MONTH = re.compile(r"^([0-9]{4})-([0-9]{2})$")
_QUARTER = re.compile(r"^([0-9]{4})-([0-9]{2})-Q([1-4])$")
_RANGE = re.compile(r"^([0-9]{4})-([0-9]{2})\.\.([0-9]{4})-([0-9]{2})$")
YEARS = range(1900, 3000)
#: A range longer than this is refused: nobody reads a report of more than ten years.
LONGEST_RANGE_MONTHS = 120


@dataclass(frozen=True)
class Period:
    key: str
    label: str
    start: date
    end: date  # inclusive


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _add_months(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


def month(year: int, month_number: int) -> Period:
    return Period(
        f"{year:04d}-{month_number:02d}",
        f"{calendar.month_name[month_number]} {year}",
        date(year, month_number, 1),
        _month_end(year, month_number),
    )


def financial_quarter(first_year: int, quarter: int) -> Period:
    """Quarter 1 is April to June of ``first_year``; quarter 4 is January to March."""
    start_year, start_month = _add_months(first_year, 4, 3 * (quarter - 1))
    end_year, end_month = _add_months(start_year, start_month, 2)
    label = (
        f"Q{quarter} {first_year} to {first_year + 1} "
        f"({calendar.month_name[start_month]} to {calendar.month_name[end_month]} {end_year})"
    )
    return Period(
        f"{first_year:04d}-{(first_year + 1) % 100:02d}-Q{quarter}",
        label,
        date(start_year, start_month, 1),
        _month_end(end_year, end_month),
    )


def financial_year(first_year: int) -> Period:
    return Period(
        f"{first_year:04d}-{(first_year + 1) % 100:02d}",
        f"Financial year {first_year} to {first_year + 1}",
        date(first_year, 4, 1),
        date(first_year + 1, 3, 31),
    )


def last_12_months(today: date) -> Period:
    """This month and the eleven before it (whole months, this one to date)."""
    first_year, first_month = _add_months(today.year, today.month, -11)
    return Period(
        DEFAULT_PERIOD,
        f"Last 12 months ({calendar.month_name[first_month]} {first_year} to "
        f"{calendar.month_name[today.month]} {today.year})",
        date(first_year, first_month, 1),
        _month_end(today.year, today.month),
    )


def month_range(first: tuple[int, int], last: tuple[int, int]) -> Period:
    """From the first month to the last, both whole (``first`` and ``last`` are (year, month))."""
    (y1, m1), (y2, m2) = first, last
    if (y1, m1) == (y2, m2):
        label = f"{calendar.month_name[m1]} {y1}"
    elif y1 == y2:
        label = f"{calendar.month_name[m1]} to {calendar.month_name[m2]} {y2}"
    else:
        label = f"{calendar.month_name[m1]} {y1} to {calendar.month_name[m2]} {y2}"
    key = f"{y1:04d}-{m1:02d}..{y2:04d}-{m2:02d}"
    return Period(key, label, date(y1, m1, 1), _month_end(y2, m2))


def range_key(first: str, last: str) -> str:
    """The key of the range from month ``first`` to month ``last`` (``YYYY-MM`` each)."""
    return f"{first}..{last}"


def quarter_of(day: date) -> Period:
    """The financial quarter ``day`` falls in."""
    first = financial_year_of(day)
    return financial_quarter(first, (day.month - 4) % 12 // 3 + 1)


def trend(end: date, unit: str, length: int) -> list[Period]:
    """``length`` quarters (or months) ending with the one holding ``end``, oldest first."""
    if unit == "month":
        return [month(*_add_months(end.year, end.month, -back)) for back in range(length)][::-1]
    last = quarter_of(end)
    index = financial_year_of(last.start) * 4 + (last.start.month - 4) % 12 // 3
    return [
        financial_quarter((index - back) // 4, (index - back) % 4 + 1) for back in range(length)
    ][::-1]


def financial_year_of(day: date) -> int:
    return day.year if day.month >= 4 else day.year - 1


def parse(key: str, today: date) -> Period | None:
    """The period a key names, or None if the key is not a period."""
    if key == DEFAULT_PERIOD:
        return last_12_months(today)
    if match := _RANGE.match(key):
        y1, m1, y2, m2 = (int(part) for part in match.groups())
        if not (y1 in YEARS and y2 in YEARS and 1 <= m1 <= 12 and 1 <= m2 <= 12):
            return None
        months = (y2 * 12 + m2) - (y1 * 12 + m1)
        if months < 0 or months >= LONGEST_RANGE_MONTHS:
            return None
        return month_range((y1, m1), (y2, m2))
    if match := _QUARTER.match(key):
        first, second, quarter = int(match[1]), int(match[2]), int(match[3])
        if first in YEARS and (first + 1) % 100 == second:
            return financial_quarter(first, quarter)
        return None
    if match := _MONTH.match(key):
        year, number = int(match[1]), int(match[2])
        if year not in YEARS:
            return None
        if 1 <= number <= 12:
            return month(year, number)
        if (year + 1) % 100 == number:
            return financial_year(year)
        return None
    return None


def choices(today: date) -> list[Period]:
    """Periods offered on the report page: recent months, quarters and years."""
    periods = [last_12_months(today)]
    year, number = today.year, today.month
    for back in range(12):
        y, m = _add_months(year, number, -back)
        periods.append(month(y, m))
    first = financial_year_of(today)
    quarter = (_add_months(today.year, today.month, -3)[1] - 1) // 3 + 1
    for back in range(8):
        q_index = (first * 4 + quarter - 1) - back
        periods.append(financial_quarter(q_index // 4, q_index % 4 + 1))
    for back in range(3):
        periods.append(financial_year(first - back))
    return periods
