"""Reading a population file: good rows kept, every bad row reported with its reason."""

from __future__ import annotations

from datetime import date

from plugins.themed_audits.population import parse_population
from plugins.themed_audits.rereferral.theme import ReReferralTheme, age_band
from tests.plugins.themed_audits.helpers import HEADER, population_csv

THEME = ReReferralTheme()
TEAMS = {"cin north": 1, "cin south": 2}
PERIOD = (date(2026, 4, 1), date(2026, 10, 31))


def parse(text: str):
    return parse_population(THEME, text, TEAMS, PERIOD)


def test_a_clean_file_is_read_whole():
    result = parse(population_csv(20))
    assert result.is_clean and len(result.rows) == 20
    first = result.rows[0]
    assert (first.reference, first.team_id, first.row_number) == ("R0001", 1, 2)


def test_every_bad_row_is_reported_with_its_reason():
    """Row numbers match the spreadsheet (row 1 is the header)."""
    text = "\n".join(
        [
            HEADER,
            "R1,C1,2026-05-01,CIN North,2026-01-01,2015-01-01",  # fine
            "R2,,2026-05-01,CIN North,,",  # no case reference
            "R3,C3,31/13/2026,CIN North,,",  # not a date
            "R4,C4,2026-05-01,Nowhere Team,,",  # unknown team
            "R5,C5,2025-05-01,CIN North,,",  # outside the period
            "R1,C6,2026-05-02,CIN North,,",  # duplicate reference
            "R7,C7,2026-05-01,CIN North,2026-06-01,",  # previous after this referral
            "R8,C8,01/05/2026,cin south,,",  # fine: UK date, team in any case
        ]
    )
    result = parse(text)
    assert [r.reference for r in result.rows] == ["R1", "R8"]
    reasons = dict(result.errors)
    assert reasons[3] == "Child's case reference is missing"
    assert "is not a date" in reasons[4]
    assert "Nowhere Team" in reasons[5] and "not a team" in reasons[5]
    assert "outside the audit period" in reasons[6]
    assert "also on row 2" in reasons[7]
    assert "after the referral date" in reasons[8]
    assert not result.is_clean


def test_a_file_without_the_needed_columns_is_refused_whole():
    result = parse("reference,date\nR1,2026-05-01\n")
    assert result.file_error and "referral_reference" in result.file_error
    assert parse("").file_error == "The file is empty"


def test_date_of_birth_becomes_an_age_band_and_is_not_kept():
    """Data minimisation: the age band is kept, the date of birth dropped."""
    result = parse(HEADER + "\nR1,C1,2026-05-01,CIN North,2026-03-02,2019-05-02\n")
    facts = result.rows[0].facts
    assert facts == {
        "previous_referral_date": "2026-03-02",
        "days_since_previous": 60,
        "age_band": "4_to_10",
    }
    assert "date_of_birth" not in facts


def test_age_bands_follow_the_report():
    referral = date(2026, 5, 1)
    assert age_band(date(2026, 9, 1), referral) == "unborn"
    assert age_band(date(2022, 5, 2), referral) == "under_4"
    assert age_band(date(2022, 5, 1), referral) == "4_to_10"
    assert age_band(date(2015, 5, 2), referral) == "4_to_10"
    assert age_band(date(2015, 5, 1), referral) == "11_to_15"
    assert age_band(date(2010, 5, 1), referral) == "16_plus"
    assert age_band(None, referral) is None


def test_excel_byte_order_mark_is_understood():
    from plugins.themed_audits.population import decode

    text = decode(("\ufeff" + population_csv(2)).encode("utf-8"))
    assert parse(text).is_clean
