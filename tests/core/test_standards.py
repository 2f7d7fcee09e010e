"""What standards tools share (core/tools/standards.py): pure functions, no database."""

from __future__ import annotations

import random

import pytest

from core.models import Case, CaseCategory, Grade, Rating
from core.tools import (
    DEMO_PROFILES,
    GRADE_FOR_RATING,
    AnswerValue,
    GradeCap,
    QuestionKind,
    Score,
    Standard,
    check_judgement,
    demo_judgement,
    demo_quality,
    demo_rating,
    demo_summary_answers,
    grade_options,
    outstanding_setting,
    parse_grade,
    rated_question,
    score_standards,
    standard_section,
    suggest_rating,
    summary_section,
)

M, P, N, NA = Rating.MET, Rating.PARTIALLY_MET, Rating.NOT_MET, Rating.NOT_APPLICABLE
KEYS = ("q1", "q2", "q3", "q4")
CAP = GradeCap(key="q1", note="Q1 is not met.", message="Q1 is not met, so Inadequate")


def counts(met: int = 0, partially: int = 0, not_met: int = 0) -> dict[Rating, int]:
    return {M: met, P: partially, N: not_met}


def answers(*ratings: Rating | None, overall=None, grade=None, reason=None):
    given = {k: AnswerValue(r, None, "E") for k, r in zip(KEYS, ratings, strict=False) if r}
    if overall:
        given["overall_rating"] = AnswerValue(overall)
    if grade:
        given["overall_grade"] = AnswerValue(None, grade)
    if reason:
        given["judgement_reason"] = AnswerValue(None, reason)
    return given


# -- the summary ---------------------------------------------------------------------


def test_grade_options_offer_outstanding_only_where_switched_on():
    assert [o.value for o in grade_options({})] == ["inadequate", "adequate", "good"]
    assert [o.value for o in grade_options(None)] == ["inadequate", "adequate", "good"]
    assert [o.label for o in grade_options({"outstanding_grade": True})] == [
        "Inadequate",
        "Adequate",
        "Good",
        "Outstanding",
    ]


def test_outstanding_setting_is_off_by_default_with_the_tools_hint():
    spec = outstanding_setting("Not yet.")
    assert (spec.key, spec.kind, spec.default) == ("outstanding_grade", "bool", False)
    # The tool's words first; then why the setting does nothing on Ofsted's scale.
    assert spec.hint.startswith("Not yet. ")
    assert "four-point scale" in spec.hint and "always offers Outstanding" in spec.hint
    assert spec.label == "Offer the Outstanding grade"


def test_summary_section_has_the_five_shared_questions():
    section = summary_section("Overall?", ("Use the scale.",), {})
    # Neutral unless the tool names it: the children's "Standard 14" is theirs to pass.
    assert (section.key, section.label, section.title) == (
        "summary",
        "Overall judgement",
        "Overall?",
    )
    assert [q.key for q in section.questions] == [
        "overall_rating",
        "overall_grade",
        "judgement_reason",
        "strengths",
        "areas_for_development",
    ]
    overall, grade, reason, strengths, development = section.questions
    assert overall.text == "Overall?" and overall.guidance == ("Use the scale.",)
    assert overall.kind is QuestionKind.RATING
    assert not overall.allow_not_applicable and not overall.has_comment
    assert grade.kind is QuestionKind.CHOICE and len(grade.options) == 3
    assert not reason.required and reason.guidance[0].endswith("suggested from the standards.")
    assert strengths.required and development.required


def test_summary_section_can_be_named_and_offer_outstanding():
    section = summary_section(
        "Rating?",
        (),
        {"outstanding_grade": True},
        key="summary",
        label="Overall",
        title="Overall rating",
        suggested_from="the answers",
    )
    assert (section.key, section.label, section.title) == ("summary", "Overall", "Overall rating")
    assert section.questions[1].options[-1].value == "outstanding"
    assert section.questions[2].guidance[0].endswith("suggested from the answers.")


# -- numbered standards --------------------------------------------------------------

STANDARD = Standard(
    2,
    "Is there a plan?",
    ("Look for it.",),
    hint="Rate N/A rarely.",
    not_applicable_for=frozenset({CaseCategory.LOOKED_AFTER}),
    not_applicable_reason="the child is looked after",
)


def test_rated_question_without_a_preset():
    question = rated_question(STANDARD, Case(reference="X", category=CaseCategory.CHILD_IN_NEED))
    assert (question.key, question.name, question.text) == (
        "standard_2",
        "standard 2",
        "Is there a plan?",
    )
    assert question.kind is QuestionKind.RATING
    assert question.guidance == ("Look for it.",) and question.hint == "Rate N/A rarely."
    assert question.initial is None and question.initial_reason == ""
    assert rated_question(STANDARD, None).initial is None


def test_rated_question_offers_not_applicable_with_the_reason():
    question = rated_question(STANDARD, Case(reference="X", category=CaseCategory.LOOKED_AFTER))
    assert question.initial == "not_applicable"
    assert question.initial_reason == (
        "Offered as Not applicable because the child is looked after. "
        "Change it if the standard does apply."
    )
    assert question.allow_not_applicable


def test_standard_section_puts_extra_questions_after_the_rating():
    extra = rated_question(Standard(9, "Extra?"), None)
    section = standard_section(STANDARD, None, [extra])
    assert (section.key, section.label, section.title) == (
        "standard_2",
        "Standard 2",
        "Is there a plan?",
    )
    assert [q.key for q in section.questions] == ["standard_2", "standard_9"]


# -- scoring -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "forced", "expected"),
    [
        (counts(4), False, M),
        (counts(3, 1), False, M),  # one Partially met still suggests Met
        (counts(2, 2), False, P),
        (counts(3, 0, 1), False, P),  # any Not met rules out Met
        (counts(1, 1, 2), False, N),  # half or more Not met
        (counts(2, 1, 2), False, P),  # just under half
        (counts(3, 0, 1), True, N),  # forced: capping standard or flag
        (counts(), False, None),  # nothing rated yet
        (counts(), True, N),  # a flag alone forces Not met
    ],
)
def test_suggest_rating(given, forced, expected):
    assert suggest_rating(given, forced) is expected


def test_grade_follows_the_rating_and_outstanding_is_never_suggested():
    assert GRADE_FOR_RATING == {M: Grade.GOOD, P: Grade.ADEQUATE, N: Grade.INADEQUATE}
    assert Grade.OUTSTANDING not in GRADE_FOR_RATING.values()


@pytest.mark.parametrize(
    ("value", "grade"),
    [("good", Grade.GOOD), ("outstanding", Grade.OUTSTANDING), ("", None), (None, None)],
)
def test_parse_grade(value, grade):
    assert parse_grade(value) is grade
    assert parse_grade("excellent") is None


def test_score_counts_the_keys_only_with_not_applicable_apart():
    given = answers(M, NA, None, P, overall=P, grade="adequate")
    given["other"] = AnswerValue(N)  # not one of the keys
    score = score_standards(given, KEYS)
    assert score.counts == {M: 1, P: 1, N: 0}
    assert score.not_applicable == 1
    assert (score.suggested_rating, score.suggested_grade) == (M, Grade.GOOD)
    assert (score.overall_rating, score.grade) == (P, Grade.ADEQUATE)
    assert score.highest_grade is None and score.notes == () and score.derived == {}


def test_capping_standard_not_met_caps_the_grade_with_its_note_first():
    score = score_standards(answers(N, M, M, M), KEYS, cap=CAP, notes=["Later."])
    assert score.suggested_rating is N and score.suggested_grade is Grade.INADEQUATE
    assert score.highest_grade is Grade.INADEQUATE
    assert score.notes == ("Q1 is not met.", "Later.")


@pytest.mark.parametrize("rating", [M, P, NA, None])
def test_cap_applies_only_to_not_met(rating):
    score = score_standards(answers(rating, M, M, M), KEYS, cap=CAP)
    assert score.highest_grade is None and score.notes == ()
    assert score.suggested_rating is M


def test_a_flag_forces_not_met_without_capping_the_grade():
    derived = {"q4": AnswerValue(N)}
    score = score_standards(answers(M, M, M), KEYS, forced_not_met=True, derived=derived)
    assert score.suggested_rating is N and score.highest_grade is None
    assert score.derived == derived


def test_an_unreadable_grade_is_no_grade():
    assert score_standards(answers(M, grade="excellent"), KEYS).grade is None


# -- checks --------------------------------------------------------------------------


def score_of(given, **kw) -> Score:
    return score_standards(given, KEYS, cap=CAP, **kw)


def test_agreeing_judgement_passes():
    given = answers(M, M, M, M, overall=M, grade="good")
    assert check_judgement(given, score_of(given), {}, CAP) == []


def test_differing_judgement_needs_a_reason():
    given = answers(M, M, M, M, overall=P, grade="good")
    problems = check_judgement(given, score_of(given), {}, CAP)
    assert [(p.question, p.message) for p in problems] == [
        ("judgement_reason", "Enter why your overall rating or grade differs from the suggestion")
    ]
    given["judgement_reason"] = AnswerValue(None, "Recording lags behind good practice.")
    assert check_judgement(given, score_of(given), {}, CAP) == []


def test_outstanding_only_where_switched_on():
    given = answers(M, M, M, M, overall=M, grade="outstanding", reason="Exemplary.")
    problems = check_judgement(given, score_of(given), {}, CAP)
    assert [(p.question, p.message) for p in problems] == [
        (
            "overall_grade",
            "Outstanding is not used in this service yet: choose Inadequate, Adequate or Good",
        )
    ]
    assert check_judgement(given, score_of(given), None, CAP) == problems
    assert check_judgement(given, score_of(given), {"outstanding_grade": True}, CAP) == []


def test_grade_above_the_cap_is_refused_whatever_the_reason():
    given = answers(N, M, M, M, overall=P, grade="adequate", reason="Because.")
    problems = check_judgement(given, score_of(given), {}, CAP)
    assert [(p.question, p.message) for p in problems] == [
        ("overall_grade", "Q1 is not met, so Inadequate")
    ]
    within = answers(N, M, M, M, overall=N, grade="inadequate")
    assert check_judgement(within, score_of(within), {}, CAP) == []


def test_a_highest_grade_without_a_cap_is_still_enforced():
    score = Score(counts=counts(1), highest_grade=Grade.ADEQUATE, grade=Grade.GOOD)
    problems = check_judgement({}, score, {})
    assert [p.message for p in problems] == ["The grade cannot be higher than Adequate"]


def test_problems_come_in_rule_order():
    given = answers(N, M, M, M, overall=M, grade="outstanding")
    problems = check_judgement(given, score_of(given), {}, CAP)
    assert [p.message.split(" ")[0] for p in problems] == ["Outstanding", "Q1", "Enter"]


# -- demo answers ----------------------------------------------------------------------


def test_demo_helpers_are_reproducible():
    def draw(seed: int) -> tuple:
        rng = random.Random(seed)
        quality = demo_quality(rng)
        return quality, demo_rating(rng, DEMO_PROFILES[quality])

    assert [draw(seed) for seed in range(20)] == [draw(seed) for seed in range(20)]
    assert {draw(seed)[0] for seed in range(200)} == {"good", "mixed", "poor"}
    assert demo_quality(random.Random(1), [("only", 1.0)]) == "only"


def test_demo_judgement_differs_now_and_then_with_a_reason_never_under_a_cap():
    suggested = score_standards(answers(M, M, P, P), KEYS)  # Partially met
    capped = score_standards(answers(N, M, M, M), KEYS, cap=CAP)
    rng = random.Random(7)
    outcomes = [demo_judgement(rng, suggested) for _ in range(300)]
    assert {o for o, _ in outcomes} == {M, P}
    assert all((reason is None) == (overall is P) for overall, reason in outcomes)
    assert all(demo_judgement(rng, capped) == (N, None) for _ in range(100))
    assert demo_judgement(random.Random(1), Score(counts=counts()))[0] is P


def test_demo_summary_answers_grade_follows_the_rating():
    given = demo_summary_answers(random.Random(3), M, ["Strong."], ["Weak."], reason="Why.")
    assert list(given) == [
        "judgement_reason",
        "overall_rating",
        "overall_grade",
        "strengths",
        "areas_for_development",
    ]
    assert given["overall_grade"] == AnswerValue(None, "good")
    assert given["strengths"].value == "Strong." and given["areas_for_development"].value == "Weak."
    assert "judgement_reason" not in demo_summary_answers(random.Random(3), P, ["a"], ["b"])
