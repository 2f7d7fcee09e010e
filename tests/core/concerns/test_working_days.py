"""When a response to a safeguarding concern is due: England and Wales working days."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from core.concerns import working_days
from core.concerns.working_days import due_by, is_working_day, known_until, local_date


def at(day: str, clock: str = "10:00") -> datetime:
    """A stored time (UTC, naive, as the models keep it)."""
    return datetime.fromisoformat(f"{day}T{clock}")


@pytest.mark.parametrize(
    ("raised", "days", "due"),
    [
        # An ordinary week: the end of the next working day.
        ("2026-11-30", 1, "2026-12-01"),  # Monday -> Tuesday
        ("2026-12-03", 1, "2026-12-04"),  # Thursday -> Friday
        # Weekends: raised on Friday, Saturday or Sunday, due on Monday.
        ("2026-12-04", 1, "2026-12-07"),
        ("2026-12-05", 1, "2026-12-07"),
        ("2026-12-06", 1, "2026-12-07"),
        ("2026-12-03", 2, "2026-12-07"),  # Thursday + 2 skips the weekend
        ("2026-12-02", 5, "2026-12-09"),
        # Christmas 2026: Friday 25th, and Boxing Day's substitute on Monday 28th.
        ("2026-12-24", 1, "2026-12-29"),
        ("2026-12-23", 2, "2026-12-29"),
        ("2026-12-25", 1, "2026-12-29"),
        # Christmas 2025 falls on Thursday and Friday.
        ("2025-12-23", 1, "2025-12-24"),
        ("2025-12-24", 1, "2025-12-29"),
        # New Year's Day 2026 (Thursday); 2 January is a holiday in Scotland only.
        ("2025-12-31", 1, "2026-01-02"),
        # Easter 2026: Good Friday 3 April, Easter Monday 6 April.
        ("2026-04-02", 1, "2026-04-07"),
        ("2026-04-02", 2, "2026-04-08"),
        ("2026-04-03", 1, "2026-04-07"),
        # Easter 2027 is in March: Good Friday 26th, Easter Monday 29th.
        ("2027-03-25", 1, "2027-03-30"),
        # The summer bank holiday (Monday 31 August 2026).
        ("2026-08-28", 1, "2026-09-01"),
    ],
)
def test_due_by_counts_working_days(raised: str, days: int, due: str):
    """The response is due by the end of the N-th working day after the day raised."""
    assert due_by(at(raised), days) == date.fromisoformat(due)


def test_no_days_means_the_same_day_or_the_next_working_day():
    assert due_by(at("2026-12-02"), 0) == date(2026, 12, 2)
    assert due_by(at("2026-12-05"), 0) == date(2026, 12, 7)  # Saturday -> Monday
    assert due_by(at("2026-12-25"), 0) == date(2026, 12, 29)


def test_negative_days_are_refused():
    with pytest.raises(ValueError):
        due_by(at("2026-12-02"), -1)


def test_the_day_is_the_councils_not_the_servers():
    """Stored times are UTC: 23:30 UTC on a summer Monday is already Tuesday in London."""
    assert local_date(at("2026-06-01", "23:30")) == date(2026, 6, 2)
    assert due_by(at("2026-06-01", "23:30"), 1) == date(2026, 6, 3)
    # In winter London is on UTC.
    assert local_date(at("2026-01-05", "23:30")) == date(2026, 1, 5)
    assert due_by(at("2026-01-05", "23:30"), 1) == date(2026, 1, 6)


def test_working_days_are_england_and_wales():
    assert not is_working_day(date(2026, 8, 31))  # summer bank holiday
    assert is_working_day(date(2026, 8, 3))  # Scotland's summer holiday: a working day here
    assert is_working_day(date(2026, 3, 17))  # St Patrick's Day: Northern Ireland only
    assert not is_working_day(date(2026, 12, 26))  # a Saturday


def test_holidays_come_from_the_packaged_list_never_the_network(monkeypatch):
    """govuk-bank-holidays' shipped copy is read; GOV.UK is never asked."""
    import requests

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("working days must not fetch from the network")

    monkeypatch.setattr(requests, "get", no_network)
    working_days._holidays.cache_clear()
    working_days._holiday_dates.cache_clear()
    try:
        assert not is_working_day(date(2027, 12, 28))
        assert known_until() >= date(2027, 12, 31)
    finally:
        working_days._holidays.cache_clear()
        working_days._holiday_dates.cache_clear()
