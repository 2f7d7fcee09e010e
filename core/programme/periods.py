"""Allocation periods: calendar months named like ``2026-12``."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

# ASCII digits only: "\d" would take "٢٠٢٦-١١" and put it in file names and headers.
_PERIOD = re.compile(r"^([0-9]{4})-([0-9]{2})$")


@dataclass(frozen=True)
class Month:
    key: str
    start: date
    end: date

    @property
    def label(self) -> str:
        return f"{calendar.month_name[self.start.month]} {self.start.year}"


def month(key: str) -> Month:
    """The month ``key`` names; ``ValueError`` with a readable message otherwise."""
    match = _PERIOD.match(key or "")
    if not match or not 1 <= int(match[2]) <= 12 or not 1900 <= int(match[1]) <= 2999:
        raise ValueError(f"{key!r} is not a month like 2026-12")
    year, number = int(match[1]), int(match[2])
    return Month(
        key, date(year, number, 1), date(year, number, calendar.monthrange(year, number)[1])
    )


def month_of(day: date) -> Month:
    return month(f"{day.year:04d}-{day.month:02d}")


def previous(period: Month, count: int = 1) -> Month:
    index = period.start.year * 12 + period.start.month - 1 - count
    return month(f"{index // 12:04d}-{index % 12 + 1:02d}")
