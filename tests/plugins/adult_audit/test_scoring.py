"""The adults' audit scoring rules and demo answers (pure functions, no database)."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from core.models import Case, CaseCategory, Grade, Rating
from core.tools import AnswerValue
from plugins.adult_audit.demo import demo_answers
from plugins.adult_audit.scoring import check_answers, score_audit, suggest_rating
from tests.plugins.adult_audit import adult_answers

M, P, N, NA = Rating.MET, Rating.PARTIALLY_MET, Rating.NOT_MET, Rating.NOT_APPLICABLE


def counts(met: int = 0, partially: int = 0, not_met: int = 0) -> dict[Rating, int]:
    return {M: met, P: partially, N: not_met}


@pytest.mark.parametrize(
    ("given", "safeguarding_not_met", "expected"),
    [
        (counts(13), False, M),
        (counts(12, 1), False, M),  # one partially met still suggests Met
        (counts(11, 2), False, P),
        (counts(12, 0, 1), False, P),  # any Not met rules out Met
        (counts(3, 3, 6), False, N),  # half or more Not met
        (counts(4, 3, 6), False, P),  # just under half
        (counts(1, 0, 1), False, N),  # half of two
        (counts(12, 0, 1), True, N),  # standard 7 Not met
        (counts(0, 1), False, M),  # a single Partially met among one applicable
        (counts(), False, None),  # nothing rated yet
    ],
)
def test_suggested_rating(given, safeguarding_not_met, expected):
    """Rule 2 of the plugin README."""
    assert suggest_rating(given, safeguarding_not_met) is expected


def test_counts_leave_out_not_applicable_and_unanswered():
    """Counts are over applicable standards; N/A is counted apart; blanks not at all."""
    answers = adult_answers({1: "met", 7: "not_applicable", 9: "not_applicable"})
    del answers["standard_13"]
    score = score_audit(answers)
    assert score.counts == {M: 1, P: 9, N: 0}
    assert score.not_applicable == 2 and score.applicable == 10


def test_summary_answers_are_not_counted_as_standards():
    """The overall rating is the auditor's judgement, not a fourteenth standard."""
    score = score_audit(adult_answers(default="met", overall="not_met", grade="inadequate"))
    assert score.counts == {M: 13, P: 0, N: 0}
    assert (score.overall_rating, score.grade) == (N, Grade.INADEQUATE)


def test_grade_follows_the_suggested_rating():
    assert score_audit(adult_answers(default="met")).suggested_grade is Grade.GOOD
    assert score_audit(adult_answers()).suggested_grade is Grade.ADEQUATE
    assert score_audit(adult_answers(default="not_met")).suggested_grade is Grade.INADEQUATE


def test_a_draft_with_nothing_rated_has_no_suggestion():
    score = score_audit({})
    assert score.suggested_rating is None and score.suggested_grade is None
    assert score.highest_grade is None and score.notes == ()
    assert check_answers({}, score, {}) == []


def test_safeguarding_not_met_caps_the_grade_and_forces_not_met():
    """Standard 7 Not met: suggestion Not met, grade capped at Inadequate, however good the rest."""
    answers = adult_answers({7: "not_met"}, default="met", overall="met", grade="good")
    score = score_audit(answers)
    assert score.counts == {M: 12, P: 0, N: 1}
    assert score.suggested_rating is N and score.suggested_grade is Grade.INADEQUATE
    assert score.highest_grade is Grade.INADEQUATE
    assert any("safeguarding" in note for note in score.notes)
    problems = check_answers(answers, score, {})
    assert [p.question for p in problems] == ["overall_grade", "judgement_reason"]
    assert "Safeguarding" in problems[0].message and "Inadequate" in problems[0].message


def test_capped_grade_is_refused_even_with_a_reason():
    """A reason explains a differing judgement; it cannot lift the cap."""
    answers = adult_answers(
        {7: "not_met"}, default="met", overall="partially_met", grade="adequate", reason="Because"
    )
    problems = check_answers(answers, score_audit(answers), {})
    assert [p.question for p in problems] == ["overall_grade"]


def test_inadequate_within_the_cap_is_accepted():
    answers = adult_answers({7: "not_met"}, default="met", overall="not_met", grade="inadequate")
    assert check_answers(answers, score_audit(answers), {}) == []


@pytest.mark.parametrize("number", [n for n in range(1, 14) if n != 7])
def test_only_standard_7_caps_the_grade(number):
    """Any other standard Not met counts towards rule 2 but does not cap the grade."""
    score = score_audit(adult_answers({number: "not_met"}, default="met"))
    assert score.highest_grade is None and score.notes == ()
    assert score.suggested_rating is P


def test_safeguarding_not_applicable_does_not_cap():
    score = score_audit(adult_answers({7: "not_applicable"}, default="met"))
    assert score.highest_grade is None and score.suggested_rating is M


def test_differing_judgement_needs_a_reason_and_records_both():
    """The auditor may disagree with the suggestion, with a reason; both are kept."""
    answers = adult_answers(overall="met", grade="good")  # suggestion: Partially met
    score = score_audit(answers)
    assert (score.suggested_rating, score.overall_rating) == (P, M)
    assert [p.question for p in check_answers(answers, score, {})] == ["judgement_reason"]
    answers["judgement_reason"] = AnswerValue(None, "Strong practice despite gaps in recording.")
    assert check_answers(answers, score_audit(answers), {}) == []


def test_a_differing_grade_alone_needs_a_reason():
    answers = adult_answers(overall="partially_met", grade="good")
    problems = check_answers(answers, score_audit(answers), {})
    assert [p.question for p in problems] == ["judgement_reason"]


def test_agreeing_judgement_needs_no_reason():
    answers = adult_answers(overall="partially_met", grade="adequate")
    assert check_answers(answers, score_audit(answers), {}) == []


def test_outstanding_only_where_the_service_switched_it_on():
    """Outstanding is a per-service setting, off by default, as in the children's audit."""
    answers = adult_answers(default="met", overall="met", grade="outstanding")
    answers["judgement_reason"] = AnswerValue(None, "Exemplary, person-led work.")
    score = score_audit(answers)
    problems = check_answers(answers, score, {})
    assert [p.question for p in problems] == ["overall_grade"]
    assert "Outstanding" in problems[0].message
    assert check_answers(answers, score, {"outstanding_grade": True}) == []


def test_outstanding_is_still_capped_by_safeguarding():
    answers = adult_answers(
        {7: "not_met"}, default="met", overall="met", grade="outstanding", reason="Why not"
    )
    problems = check_answers(answers, score_audit(answers), {"outstanding_grade": True})
    assert [p.message for p in problems] == [
        "Safeguarding is not met (standard 7), so the grade must be Inadequate"
    ]


# -- demo answers ----------------------------------------------------------------


def case_of(category: CaseCategory) -> Case:
    return Case(reference="A1", category=category)


@pytest.mark.parametrize("category", CaseCategory.for_directorate("adults"))
def test_demo_answers_are_reproducible_and_pass_the_checks(category):
    """Same seed, same answers; every demo audit could have been submitted."""
    for seed in range(40):
        first = demo_answers(case_of(category), random.Random(seed), {})
        assert first == demo_answers(case_of(category), random.Random(seed), {})
        score = score_audit(first)
        assert check_answers(first, score, {}) == [], seed
        assert all(f"standard_{n}" in first for n in range(1, 14))
        for key in ("overall_rating", "overall_grade", "strengths", "areas_for_development"):
            assert not first[key].is_empty
        for n in range(1, 14):
            answer = first[f"standard_{n}"]
            assert answer.rating is not None
            if answer.rating in (P, N):
                assert answer.comment, (seed, n)


def test_demo_answers_respect_the_case_category():
    """A carer's own file has standard 9 not applicable; a safeguarding case always rates 7."""
    for seed in range(40):
        carer = demo_answers(case_of(CaseCategory.ADULT_CARER), random.Random(seed), {})
        assert carer["standard_9"].rating is NA
        safeguarding = demo_answers(
            case_of(CaseCategory.ADULT_SAFEGUARDING), random.Random(seed), {}
        )
        assert safeguarding["standard_7"].rating is not NA


def test_demo_spread_is_mostly_partially_met():
    """Across many demo audits Partially met is the commonest rating and outcome."""
    rng = random.Random(2011)
    ratings: Counter[Rating] = Counter()
    outcomes: Counter[Rating] = Counter()
    for _ in range(300):
        answers = demo_answers(case_of(CaseCategory.ADULT_CARE_AND_SUPPORT), rng, {})
        ratings.update(answers[f"standard_{n}"].rating for n in range(1, 14))
        outcomes[answers["overall_rating"].rating] += 1
    assert ratings.most_common(1)[0][0] is P
    assert outcomes.most_common(1)[0][0] is P
    assert all(outcomes[r] > 0 for r in (M, P, N))
