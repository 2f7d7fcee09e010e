"""Re-referrals as the Department for Education defines them, and age bands at referral.

A re-referral is a referral within 12 months of the same child's previous
referral (docs/rereferrals.md).
"""

from __future__ import annotations

from datetime import date

import pytest

from core.cases.referrals import (
    age_band,
    is_rereferral,
    link_referrals,
    referral_count,
    rereferrals,
    twelve_months_before,
)
from core.extensions import db
from core.models import Referral
from tests.factories import Borough


def refer(child: str, *days: str, case_id: int | None = None, band: str | None = None) -> None:
    for day in days:
        db.session.add(
            Referral(
                child_reference=child,
                referral_date=date.fromisoformat(day),
                case_id=case_id,
                age_band=band,
            )
        )
    db.session.commit()


@pytest.mark.parametrize(
    ("previous", "referral", "expected"),
    [
        (date(2025, 5, 15), date(2026, 5, 15), True),  # exactly 12 months
        (date(2025, 5, 14), date(2026, 5, 15), False),  # 12 months and a day
        (date(2026, 5, 14), date(2026, 5, 15), True),  # the next day
        (None, date(2026, 5, 15), False),  # the first ever referral
        (date(2023, 2, 28), date(2024, 2, 29), True),  # a leap day looks back to the 28th
        (date(2023, 2, 27), date(2024, 2, 29), False),
    ],
)
def test_the_twelve_month_boundary(previous, referral, expected):
    assert is_rereferral(previous, referral) is expected


def test_twelve_months_before_is_the_same_day_a_year_earlier():
    assert twelve_months_before(date(2026, 5, 15)) == date(2025, 5, 15)
    assert twelve_months_before(date(2024, 2, 29)) == date(2023, 2, 28)


def test_rereferrals_in_a_period(borough: Borough):
    north = borough.cases["cin"]
    refer("C100001", "2025-05-15", "2026-05-15", case_id=north.id, band="4_to_10")  # exactly 12m
    refer("C200001", "2025-05-14", "2026-05-15", case_id=borough.cases["south"].id)  # 12m + 1 day
    refer("C300001", "2026-06-01", case_id=borough.cases["lac"].id)  # first ever referral
    # Several: each compared with the one before; the first in the period follows one before it.
    refer("X1", "2025-12-01", "2026-04-10", "2026-06-20", "2026-09-30", band="unborn")
    found = rereferrals(date(2026, 4, 1), date(2026, 10, 31))
    summary = [
        (r.child_reference, r.referral_date.isoformat(), r.previous_referral_date.isoformat())
        for r in found
    ]
    assert summary == [
        ("X1", "2026-04-10", "2025-12-01"),
        ("C100001", "2026-05-15", "2025-05-15"),
        ("X1", "2026-06-20", "2026-04-10"),
        ("X1", "2026-09-30", "2026-06-20"),
    ]
    first = found[1]
    assert (first.days_since_previous, first.age_band) == (365, "4_to_10")
    assert (first.case_reference, first.team_id) == ("C100001", borough.north.id)
    # A child with no case file in careaudit has no team.
    assert (found[0].case_id, found[0].team_id, found[0].case_reference) == (None, None, "X1")
    assert referral_count(date(2026, 4, 1), date(2026, 10, 31)) == 6


def test_the_period_bounds_are_inclusive_and_children_compared_without_case(borough: Borough):
    refer("c9", "2026-03-01")
    refer("C9", "2026-04-01", "2026-10-31", "2026-11-01")
    found = rereferrals(date(2026, 4, 1), date(2026, 10, 31))
    assert [r.referral_date for r in found] == [date(2026, 4, 1), date(2026, 10, 31)]
    assert found[0].previous_referral_date == date(2026, 3, 1)


def test_link_referrals_links_only_to_a_case_with_the_same_reference(borough: Borough):
    refer("c100001", "2026-01-01")
    refer("NOCASE", "2026-01-01")
    assert link_referrals() == 1
    db.session.commit()
    linked = {r.child_reference: r.case_id for r in db.session.query(Referral)}
    assert linked == {"c100001": borough.cases["cin"].id, "NOCASE": None}
    assert link_referrals(["NOCASE"]) == 0 and link_referrals([]) == 0


def test_age_bands_at_referral():
    referral = date(2026, 5, 1)
    assert age_band(date(2026, 9, 1), referral) == "unborn"
    assert age_band(None, referral, expected_birth_date=date(2026, 9, 1)) == "unborn"
    assert age_band(date(2022, 5, 2), referral) == "under_4"
    assert age_band(date(2022, 5, 1), referral) == "4_to_10"
    assert age_band(date(2015, 5, 2), referral) == "4_to_10"
    assert age_band(date(2015, 5, 1), referral) == "11_to_15"
    assert age_band(date(2010, 5, 2), referral) == "11_to_15"
    assert age_band(date(2010, 5, 1), referral) == "16_plus"
    assert age_band(None, referral) is None
