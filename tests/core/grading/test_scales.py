"""Grade scales as data: what each scale offers, suggests and calls its grades."""

from __future__ import annotations

import pytest

from core.grading.scales import FRAMEWORK, GRADE_SCALE, OFSTED, scale_named, scale_of
from core.models import Grade, Rating
from core.tools import (
    OVERALL_GRADE,
    OVERALL_RATING,
    AnswerValue,
    GradeCap,
    check_judgement,
    grade_options,
    score_standards,
    summary_section,
)

KEYS = ["a", "b", "c"]
CAP = GradeCap(
    key="a",
    note="A is not met, so the grade cannot be higher than {lowest}.",
    message="A is not met, so the grade must be {lowest}",
    persistent_note="A is persistently not met: no higher than {lowest}.",
    not_persistent_note="A is not met, but not persistently.",
)


def answers(*ratings: str, overall: str | None = None, grade: str | None = None) -> dict:
    given = {
        key: AnswerValue(Rating(r), None, "Evidence.") for key, r in zip(KEYS, ratings, strict=True)
    }
    if overall:
        given[OVERALL_RATING] = AnswerValue(Rating(overall))
    if grade:
        given[OVERALL_GRADE] = AnswerValue(None, grade)
    return given


def on(scale, **settings) -> dict:
    return {GRADE_SCALE: scale, **settings}


def options(settings) -> list[tuple[str, str]]:
    return [(o.value, o.label) for o in grade_options(settings)]


def test_the_framework_scale_offers_three_grades_and_outstanding_only_when_switched_on():
    assert options(on(FRAMEWORK)) == [
        ("inadequate", "Inadequate"),
        ("adequate", "Adequate"),
        ("good", "Good"),
    ]
    assert options(on(FRAMEWORK, outstanding_grade=True))[-1] == ("outstanding", "Outstanding")
    # A tool given no scale (its own tests, an outside tool) grades as before.
    assert options(None) == options(on(FRAMEWORK))


def test_ofsteds_scale_offers_its_four_points_whatever_the_outstanding_setting():
    assert options(on(OFSTED)) == [
        ("inadequate", "Inadequate"),
        ("requires_improvement", "Requires improvement to be good"),
        ("good", "Good"),
        ("outstanding", "Outstanding"),
    ]
    assert options(on(OFSTED, outstanding_grade=False)) == options(on(OFSTED))


def test_a_council_relabels_and_reorders_grades():
    scale = OFSTED.relabelled({"requires_improvement": "Requires improvement", "good": " "}, True)
    assert options(on(scale)) == [
        ("outstanding", "Outstanding"),
        ("good", "Good"),  # blank words keep the grade's own
        ("requires_improvement", "Requires improvement"),
        ("inadequate", "Inadequate"),
    ]


def test_a_grade_off_the_scale_keeps_its_words():
    """An old audit's Adequate still reads Adequate on Ofsted's scale, or in the council's
    words for it; a stored value that is no grade at all is shown as stored."""
    assert OFSTED.label("adequate") == "Adequate"
    assert OFSTED.relabelled({"adequate": "Satisfactory"}).label("adequate") == "Satisfactory"
    assert OFSTED.label("excellent") == "excellent"
    assert OFSTED.label(None) == ""


def test_the_suggested_grade_follows_the_rating_on_the_scale():
    partly = answers("met", "partially_met", "partially_met")
    assert score_standards(partly, KEYS, settings=on(FRAMEWORK)).suggested_grade is Grade.ADEQUATE
    ofsted = score_standards(partly, KEYS, settings=on(OFSTED))
    assert ofsted.suggested_rating is Rating.PARTIALLY_MET
    assert ofsted.suggested_grade is Grade.REQUIRES_IMPROVEMENT
    good = score_standards(answers("met", "met", "met"), KEYS, settings=on(OFSTED))
    assert good.suggested_grade is Grade.GOOD


def test_judgement_messages_name_grades_in_the_councils_words():
    scale = FRAMEWORK.relabelled({"inadequate": "Poor", "adequate": "Fair"})
    settings = on(scale)
    given = answers("met", "met", "met", overall="met", grade="outstanding")
    problems = check_judgement(given, score_standards(given, KEYS, settings=settings), settings)
    assert [p.message for p in problems if p.question == OVERALL_GRADE] == [
        "Outstanding is not used in this service yet: choose Poor, Fair or Good"
    ]
    capped = answers("not_met", "met", "met", overall="not_met", grade="good")
    score = score_standards(capped, KEYS, cap=CAP, settings=settings)
    assert score.notes[0] == "A is not met, so the grade cannot be higher than Poor."
    messages = [p.message for p in check_judgement(capped, score, settings, CAP)]
    assert "A is not met, so the grade must be Poor" in messages


def test_on_ofsteds_scale_outstanding_is_accepted_and_requires_improvement_is_below_good():
    settings = on(OFSTED)
    given = answers("met", "met", "met", overall="met", grade="outstanding")
    score = score_standards(given, KEYS, settings=settings)
    # Differs from the suggested Good: a reason, but no refusal of the grade itself.
    assert [p.question for p in check_judgement(given, score, settings)] == ["judgement_reason"]
    capped = answers("not_met", "met", "met", overall="not_met", grade="requires_improvement")
    score = score_standards(capped, KEYS, cap=CAP, settings=settings)
    assert score.highest_grade is Grade.INADEQUATE
    assert "A is not met, so the grade must be Inadequate" in [
        p.message for p in check_judgement(capped, score, settings, CAP)
    ]


@pytest.mark.parametrize(
    ("previous", "capped"),
    [
        (None, False),  # the case's first audit: not persistent
        ({"a": AnswerValue(Rating.MET)}, False),  # met last time
        ({"a": AnswerValue(Rating.PARTIALLY_MET)}, False),
        ({"a": AnswerValue(Rating.NOT_MET)}, True),  # not met twice running: persistent
    ],
)
def test_the_persistently_rule_caps_only_a_not_met_that_was_not_met_last_time(previous, capped):
    given = answers("not_met", "met", "met", overall="met", grade="good")
    settings = on(FRAMEWORK, cap_persistently=True)
    score = score_standards(given, KEYS, cap=CAP, settings=settings, previous=previous)
    assert (score.highest_grade is Grade.INADEQUATE) is capped
    problems = [p.message for p in check_judgement(given, score, settings, CAP)]
    assert ("A is not met, so the grade must be Inadequate" in problems) is capped
    if capped:
        assert score.suggested_rating is Rating.NOT_MET
        assert score.notes[0] == "A is persistently not met: no higher than Inadequate."
    else:
        # Counted as any Not met: one of three is not met, so Partially met is suggested.
        assert score.suggested_rating is Rating.PARTIALLY_MET
        assert score.notes[0] == "A is not met, but not persistently."


def test_by_default_any_not_met_caps_whatever_the_previous_audit_says():
    given = answers("not_met", "met", "met")
    previous = {"a": AnswerValue(Rating.MET)}
    score = score_standards(given, KEYS, cap=CAP, settings=on(FRAMEWORK), previous=previous)
    assert score.highest_grade is Grade.INADEQUATE
    assert score.notes == ("A is not met, so the grade cannot be higher than Inadequate.",)


def test_the_summary_tells_the_rating_and_the_grade_apart():
    section = summary_section("Can you give an overall rating", ("Use the scale.",), on(OFSTED))
    rating, grade = section.questions[0], section.questions[1]
    assert rating.text == "Can you give an overall rating"
    assert rating.hint == "Your rating across the standards: Met, Partially met or Not met."
    assert grade.hint == (
        "Your overall judgement of the quality of practice, on the council’s grade scale: "
        "Inadequate, Requires improvement to be good, Good or Outstanding."
    )


def test_reports_count_the_scales_grades_and_any_old_grade_best_first():
    assert FRAMEWORK.report_columns() == ("good", "adequate", "inadequate")
    assert FRAMEWORK.report_columns({"outstanding"}) == (
        "outstanding",
        "good",
        "adequate",
        "inadequate",
    )
    assert OFSTED.report_columns({"adequate", "good"}) == (
        "outstanding",
        "good",
        "requires_improvement",
        "adequate",
        "inadequate",
    )


def test_an_unknown_scale_code_means_the_framework_scale():
    assert scale_named("nonsense") is FRAMEWORK
    assert scale_of({GRADE_SCALE: "ofsted"}) is FRAMEWORK  # only a GradeScale counts


def test_a_draft_graded_before_the_council_changed_scale_must_be_graded_again():
    settings = on(OFSTED)
    given = answers("met", "partially_met", "partially_met", overall="partially_met")
    given[OVERALL_GRADE] = AnswerValue(None, "adequate")
    score = score_standards(given, KEYS, settings=settings)
    problems = check_judgement(given, score, settings)
    assert [p.message for p in problems if p.question == OVERALL_GRADE] == [
        "Adequate is no longer one of the council’s grades: choose Inadequate, Requires "
        "improvement to be good, Good or Outstanding"
    ]
