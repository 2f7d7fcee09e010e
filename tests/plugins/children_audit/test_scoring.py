"""The children's audit scoring rules (pure functions, no database)."""

from __future__ import annotations

import pytest

from core.models import Grade, Rating
from core.tools import AnswerValue
from plugins.children_audit.scoring import check_answers, score_audit, suggest_rating
from tests.helpers import children_answers

M, P, N = Rating.MET, Rating.PARTIALLY_MET, Rating.NOT_MET


def counts(met: int = 0, partially: int = 0, not_met: int = 0) -> dict[Rating, int]:
    return {M: met, P: partially, N: not_met}


@pytest.mark.parametrize(
    ("given", "statutory_unmet", "expected"),
    [
        (counts(13), False, M),
        (counts(12, 1), False, M),  # one partially met still suggests Met
        (counts(11, 2), False, P),
        (counts(12, 0, 1), False, P),  # any Not met rules out Met
        (counts(3, 3, 6), False, N),  # half or more Not met
        (counts(4, 3, 6), False, P),
        (counts(12, 0, 1), True, N),  # standard 3 Not met
        (counts(), False, None),  # nothing rated yet
    ],
)
def test_suggested_rating(given, statutory_unmet, expected):
    """Rule 2 of the plugin README."""
    assert suggest_rating(given, statutory_unmet) is expected


def test_counts_leave_out_not_applicable_and_unanswered():
    """Counts are over applicable standards; N/A is counted apart; blanks not at all."""
    answers = children_answers({1: "met", 2: "not_applicable", 6: "not_applicable"})
    del answers["standard_13"]
    score = score_audit(answers)
    assert score.counts == {M: 1, P: 9, N: 0}
    assert score.not_applicable == 2 and score.applicable == 10


def test_grade_follows_the_suggested_rating():
    assert score_audit(children_answers(default="met")).suggested_grade is Grade.GOOD
    assert score_audit(children_answers()).suggested_grade is Grade.ADEQUATE


def test_statutory_requirements_unmet_caps_the_grade():
    """'If statutory requirements are persistently unmet case should be rated as inadequate'."""
    answers = children_answers({3: "not_met"}, default="met", overall="not_met", grade="good")
    score = score_audit(answers)
    assert score.highest_grade is Grade.INADEQUATE
    assert score.suggested_rating is N and score.suggested_grade is Grade.INADEQUATE
    problems = check_answers(answers, score, {})
    assert [p.question for p in problems] == ["overall_grade", "judgement_reason"]
    assert "must be Inadequate" in problems[0].message


def test_differing_judgement_needs_a_reason_and_records_both():
    """The auditor may disagree with the suggestion, with a reason; both are kept."""
    answers = children_answers(overall="met", grade="good")  # suggestion: Partially met
    score = score_audit(answers)
    assert (score.suggested_rating, score.overall_rating) == (P, M)
    assert [p.question for p in check_answers(answers, score, {})] == ["judgement_reason"]
    answers["judgement_reason"] = AnswerValue(None, "Strong practice despite gaps in recording.")
    assert check_answers(answers, score_audit(answers), {}) == []


def test_agreeing_judgement_needs_no_reason():
    answers = children_answers(overall="partially_met", grade="adequate")
    assert check_answers(answers, score_audit(answers), {}) == []


def test_outstanding_only_where_the_service_switched_it_on():
    """Outstanding is a per-service setting (report, section 7)."""
    answers = children_answers(default="met", overall="met", grade="outstanding")
    answers["judgement_reason"] = AnswerValue(None, "Exemplary work with the family.")
    score = score_audit(answers)
    assert any("Outstanding" in p.message for p in check_answers(answers, score, {}))
    assert check_answers(answers, score, {"outstanding_grade": True}) == []
