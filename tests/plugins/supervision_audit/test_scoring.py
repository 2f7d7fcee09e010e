"""The supervision audit's scoring rules (pure functions, no database)."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.models import Grade, Rating
from core.tools import AnswerValue
from plugins.supervision_audit.scoring import (
    FLAG_NOTE,
    Frequency,
    check_answers,
    compliance,
    fewer_than_three,
    months_before,
    period_months,
    pro_rata_expected,
    score_audit,
    suggest_rating,
)
from tests.plugins.supervision_audit import supervision_answers

M, P, N, NA = Rating.MET, Rating.PARTIALLY_MET, Rating.NOT_MET, Rating.NOT_APPLICABLE
END = date(2025, 6, 30)
YEAR_AGO = date(2024, 6, 30)


def counts(met: int = 0, partially: int = 0, not_met: int = 0) -> dict[Rating, int]:
    return {M: met, P: partially, N: not_met}


# -- dates ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 3, 27), 12, date(2025, 3, 27)),
        (date(2024, 2, 29), 12, date(2023, 2, 28)),  # no 29 February a year earlier
        (date(2026, 3, 31), 1, date(2026, 2, 28)),
        (date(2026, 1, 15), 2, date(2025, 11, 15)),
    ],
)
def test_months_before(day, months, expected):
    assert months_before(day, months) == expected


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        (YEAR_AGO, END, 12),
        (date(2023, 6, 30), date(2024, 6, 30), 12),  # 366 days, still 12 months
        (date(2024, 12, 30), END, 6),
        (date(2025, 6, 15), END, Fraction(15, 31)),  # 15 of the 31 days from 30 May
        (date(2025, 2, 28), date(2025, 3, 31), 1),
        (END, END, 0),
        (END, YEAR_AGO, 0),
    ],
)
def test_period_months(start, end, months):
    assert period_months(start, end) == months


@given(end=st.dates(date(2001, 1, 1), date(2099, 12, 31)), months=st.integers(1, 60))
def test_whole_months_back_from_the_end_are_exact(end, months):
    """Whatever the end date, N calendar months back measure exactly N months."""
    assert period_months(months_before(end, months), end) == months


# -- frequency ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("recorded", "expected", "percent"),
    [
        (9, 12, 75),
        (12, 12, 100),
        (15, 12, 100),  # capped at 100
        (0, 12, 0),
        (1, 8, 13),  # 12.5 rounds half up
        (2, 12, 17),
        (5, 0, None),  # nothing expected: no compliance
        (None, 12, None),
        (5, None, None),
    ],
)
def test_compliance_is_a_whole_percentage_of_expected_capped_at_100(recorded, expected, percent):
    assert compliance(recorded, expected) == percent


@pytest.mark.parametrize(
    ("recorded", "start", "end", "flagged"),
    [
        (0, YEAR_AGO, END, True),  # no supervision recorded at all
        (2, YEAR_AGO, END, True),
        (3, YEAR_AGO, END, False),  # 3 in 12 months is not "less than 3"
        # 12 months across 29 February have 366 days: 3 sessions are still enough.
        (3, date(2023, 6, 30), date(2024, 6, 30), False),
        (2, date(2023, 6, 30), date(2024, 6, 30), True),
        # Pro rata: 6 months need 1.5 sessions, 24 months need 6.
        (1, date(2024, 12, 30), END, True),
        (2, date(2024, 12, 30), END, False),
        (5, date(2023, 6, 30), END, True),
        (6, date(2023, 6, 30), END, False),
        # Unknown or impossible periods are never flagged.
        (0, None, END, False),
        (0, END, YEAR_AGO, False),
        (None, YEAR_AGO, END, False),
    ],
)
def test_fewer_than_three_sessions_in_12_months_pro_rata(recorded, start, end, flagged):
    """The report: "less than 3 sessions in the past 12 months"."""
    assert fewer_than_three(recorded, start, end) is flagged


@pytest.mark.parametrize(
    ("recorded", "expected", "rating"),
    [
        (12, 12, M),
        (14, 12, M),
        (11, 12, P),
        (3, 12, P),  # infrequent, but not flagged
        (2, 12, N),  # flagged
        (2, 2, N),  # the flag wins even when the expected number was recorded
        (0, 12, N),
        (5, 0, None),  # nothing expected: cannot rate
        (None, 12, None),
    ],
)
def test_frequency_rating(recorded, expected, rating):
    """Not met if flagged; Met if recorded >= expected; otherwise Partially met."""
    assert Frequency(YEAR_AGO, END, recorded, expected).rating is rating


def test_frequency_needs_a_period_unless_flagged():
    assert Frequency(None, END, 9, 12).rating is None
    assert Frequency(END, YEAR_AGO, 9, 12).rating is None


def test_pro_rata_expected_is_the_yearly_number_for_12_months():
    assert pro_rata_expected(12, YEAR_AGO, END) == 12
    assert pro_rata_expected(12, date(2023, 6, 30), date(2024, 6, 30)) == 12  # leap year
    assert pro_rata_expected(12, date(2024, 12, 30), END) == 6
    assert pro_rata_expected(52, YEAR_AGO, END) == 52


# -- the suggestion -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "flagged", "expected"),
    [
        (counts(9), False, M),
        (counts(8, 1), False, M),  # one partially met still suggests Met
        (counts(7, 2), False, P),
        (counts(8, 0, 1), False, P),  # any Not met rules out Met
        (counts(2, 2, 4), False, N),  # half or more Not met
        (counts(3, 2, 4), False, P),
        (counts(8, 0, 1), True, N),  # the frequency flag forces Not met
        (counts(), False, None),  # nothing rated yet
        (counts(), True, N),
    ],
)
def test_suggested_rating(given, flagged, expected):
    """Rule 3 of the plugin README: the children's rule 2, with the frequency flag."""
    assert suggest_rating(given, flagged) is expected


def test_counts_include_the_frequency_and_leave_out_not_applicable():
    answers = supervision_answers(
        recorded=9, ratings={"supervision_agreement": "not_applicable", "plan_focus": "not_met"}
    )
    del answers["caseload_workload"]  # unanswered: not counted
    score = score_audit(answers, {})
    # 5 quality Met, 1 quality Not met, frequency 9 of 12 Partially met.
    assert score.counts == {M: 5, P: 1, N: 1}
    assert score.not_applicable == 1 and score.applicable == 7
    assert score.suggested_rating is P and score.suggested_grade is Grade.ADEQUATE


def test_derived_answers_are_the_compliance_and_the_frequency_rating():
    score = score_audit(supervision_answers(recorded=9, expected=12), {})
    assert score.derived == {
        "frequency_compliance": AnswerValue(None, "75"),
        "frequency_rating": AnswerValue(P),
    }
    assert score.suggested_rating is M  # eight quality Met, one Partially met
    assert score.suggested_grade is Grade.GOOD
    assert any("9 of 12 expected sessions recorded (75%)" in note for note in score.notes)


def test_flagged_frequency_forces_not_met_with_a_note():
    score = score_audit(supervision_answers(recorded=2), {})
    assert score.derived["frequency_rating"] == AnswerValue(N)
    assert score.derived["frequency_compliance"] == AnswerValue(None, "17")
    assert score.counts == {M: 8, P: 0, N: 1}
    assert score.suggested_rating is N and score.suggested_grade is Grade.INADEQUATE
    assert any(note.startswith(FLAG_NOTE) for note in score.notes)


def test_no_supervision_at_all_is_named_in_the_note():
    score = score_audit(supervision_answers(recorded=0), {})
    assert any(note.startswith("No supervision recorded at all") for note in score.notes)


def test_shorter_period_says_the_flag_is_pro_rata():
    answers = supervision_answers(recorded=1, expected=6, start=date(2024, 12, 30), end=END)
    score = score_audit(answers, {})
    assert score.suggested_rating is N
    assert any("12 months (pro rata over this period)" in note for note in score.notes)


def test_expected_number_different_from_the_policy_is_pointed_out():
    """The policy (a setting) expects 6 over 6 months; the auditor entered 12."""
    answers = supervision_answers(recorded=6, expected=12, start=date(2024, 12, 30), end=END)
    notes = score_audit(answers, {"sessions_per_year": 12}).notes
    assert any("would expect 6 over this period; 12 is entered" in note for note in notes)
    default = score_audit(supervision_answers(expected=12), {"sessions_per_year": 12}).notes
    assert not any("would expect" in note for note in default)


def test_copes_with_missing_answers_on_drafts():
    """Drafts: nothing, or only some answers, give no suggestion and empty derived answers."""
    empty = score_audit({}, {})
    assert empty.suggested_rating is None and empty.suggested_grade is None
    assert empty.derived == {
        "frequency_compliance": AnswerValue(),
        "frequency_rating": AnswerValue(),
    }
    assert empty.notes == ()
    only_numbers = score_audit(
        {"sessions_recorded": AnswerValue(None, "4"), "sessions_expected": AnswerValue(None, "x")},
        {},
    )
    assert only_numbers.suggested_rating is None
    assert only_numbers.derived["frequency_compliance"] == AnswerValue()
    bad_date = score_audit({"period_end": AnswerValue(None, "2025-02-31")}, {})
    assert bad_date.suggested_rating is None


# -- checks before submission -------------------------------------------------------------


TODAY = date(2025, 7, 1)


def problems_for(answers, today=TODAY):
    return check_answers(answers, score_audit(answers, {}), {}, today=today)


def test_complete_agreeing_answers_pass():
    answers = supervision_answers(end=END, overall="met", grade="good")
    assert problems_for(answers) == []


def test_period_must_end_after_it_starts():
    answers = supervision_answers(start=END, end=YEAR_AGO, overall="met", grade="good")
    problems = problems_for(answers)
    assert [(p.question, p.part) for p in problems] == [("period_end", "day")]
    assert problems[0].message == "The end of the period must be after the start"


def test_period_cannot_be_in_the_future():
    answers = supervision_answers(end=date(2025, 7, 2), overall="met", grade="good")
    problems = problems_for(answers)
    assert [p.message for p in problems] == ["The end of the period must be today or earlier"]
    only_start = {"period_start": AnswerValue(None, "2025-08-01")}
    assert [p.question for p in problems_for(only_start)] == ["period_start"]


def test_something_must_be_expected_when_sessions_are_recorded():
    answers = supervision_answers(recorded=4, expected=0, end=END, overall="met", grade="good")
    problems = problems_for(answers)
    assert "sessions_expected" in [p.question for p in problems]
    assert "1 or more" in next(p for p in problems if p.question == "sessions_expected").message


def test_differing_judgement_needs_a_reason_and_records_both():
    answers = supervision_answers(recorded=2, end=END, overall="partially_met", grade="adequate")
    score = score_audit(answers, {})
    assert (score.suggested_rating, score.overall_rating) == (N, P)
    assert [p.question for p in problems_for(answers)] == ["judgement_reason"]
    answers["judgement_reason"] = AnswerValue(None, "Sessions were held but recorded elsewhere.")
    assert problems_for(answers) == []


def test_grade_alone_differing_needs_a_reason():
    answers = supervision_answers(end=END, overall="met", grade="adequate")
    assert [p.question for p in problems_for(answers)] == ["judgement_reason"]
