"""The re-referral theme's population worked out from the imported CIN census.

The re-referrals of the themed audit's period (core's definition, see
docs/rereferrals.md) become population rows exactly like the rows of an
uploaded file: a reference, the child's case reference, the referral date,
the team, and the facts the theme keeps (days since the previous referral,
its date, the age band). Referrals of children with no case file in careaudit
have no team, so they cannot be allocated to anyone: they are left out, and
counted, so the lead knows to import the case list first if that matters.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from core.cases.referrals import ReReferral, referral_count, rereferrals
from plugins.themed_audits.population import CensusPopulation, ParsedRow

NO_CASE_FILE = "the child has no case file in careaudit, so no team"


def population_reference(item: ReReferral) -> str:
    """The census has no referral id: the child's id and the referral date name it."""
    return f"{item.child_reference}/{item.referral_date.isoformat()}"


def rereferral_population(start: date, end: date) -> CensusPopulation:
    """Re-referrals dated ``start`` to ``end`` as population rows, and those left out."""
    found = rereferrals(start, end)
    population = CensusPopulation(considered=referral_count(start, end), found=len(found))
    for item in found:
        if item.team_id is None:
            population.left_out[NO_CASE_FILE] = population.left_out.get(NO_CASE_FILE, 0) + 1
            continue
        facts: dict[str, Any] = {
            "previous_referral_date": item.previous_referral_date.isoformat(),
            "days_since_previous": item.days_since_previous,
        }
        if item.age_band is not None:
            facts["age_band"] = item.age_band
        population.rows.append(
            ParsedRow(
                row_number=len(population.rows) + 1,
                reference=population_reference(item),
                case_reference=item.case_reference,
                item_date=item.referral_date,
                team_id=item.team_id,
                facts=facts,
            )
        )
    return population


def census_referrals(start: date, end: date) -> int:
    return referral_count(start, end)
