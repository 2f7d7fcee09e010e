"""Working days in England and Wales: when a response to a safeguarding concern is due.

Bank holidays come from ``govuk-bank-holidays``, a maintained copy of GOV.UK's list
(https://www.gov.uk/bank-holidays). We only ever read the copy the package ships
(``use_cached_holidays=True``): the app never calls GOV.UK, so a council network
without internet access, a slow GOV.UK or a test run cannot change a deadline.
Upgrading the package brings new years and newly announced holidays; for a year
beyond its list, only weekends are excluded (:func:`known_until` says how far it goes).

Deadlines are working days in the council's own time (Europe/London), whatever
the server's clock: stored times are UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from govuk_bank_holidays.bank_holidays import BankHolidays

__all__ = [
    "LONDON",
    "due_by",
    "is_working_day",
    "known_until",
    "local_date",
    "to_local",
]

try:
    LONDON: ZoneInfo | None = ZoneInfo("Europe/London")
except ZoneInfoNotFoundError:  # a server without time-zone data: UTC is an hour out at most
    LONDON = None


@cache
def _holidays() -> BankHolidays:
    return BankHolidays(use_cached_holidays=True)


@cache
def _holiday_dates() -> frozenset[date]:
    holidays = _holidays().get_holidays(division=BankHolidays.ENGLAND_AND_WALES)
    return frozenset(holiday["date"] for holiday in holidays)


def known_until() -> date:
    """The last bank holiday in the shipped list: later years exclude weekends only."""
    return max(_holiday_dates())


def is_working_day(day: date) -> bool:
    """Monday to Friday and not an England and Wales bank holiday."""
    return day.weekday() < 5 and day not in _holiday_dates()


def to_local(moment: datetime) -> datetime:
    """A stored UTC time (naive, as the models keep it) in the council's time zone."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(LONDON) if LONDON is not None else aware


def local_date(moment: datetime) -> date:
    """The council's calendar day of a stored UTC time."""
    return to_local(moment).date()


def due_by(raised_at: datetime, days: int) -> date:
    """The working day by the end of which a response is due.

    ``raised_at`` is a stored (UTC) time. The deadline is the end of the ``days``-th
    working day after the day it was raised: raised on Monday with 1 day, by the end
    of Tuesday; on Friday or over the weekend, by the end of Monday. ``days`` 0 means
    the end of the day it was raised, or of the next working day if that is not one.
    """
    if days < 0:
        raise ValueError("days must not be negative")
    day = local_date(raised_at)
    if days == 0:
        while not is_working_day(day):
            day += timedelta(days=1)
        return day
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return day
