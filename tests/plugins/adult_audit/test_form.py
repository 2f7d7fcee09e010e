"""The adults' audit form: 14 sections, shared keys, law cited, sensible pre-sets."""

from __future__ import annotations

import re

import pytest

from core.models import Case, CaseCategory, Rating
from core.tools import QuestionKind
from plugins.adult_audit import SLUG, VERSION
from plugins.adult_audit.form import audit_form
from plugins.adult_audit.standards import STANDARDS

SUMMARY_KEYS = [
    "overall_rating",
    "overall_grade",
    "judgement_reason",
    "strengths",
    "areas_for_development",
]
ADULT_CATEGORIES = CaseCategory.for_directorate("adults")


def test_fourteen_sections_with_the_shared_keys():
    """Standards 1-13 then the summary, with the children's keys so shared reports work."""
    form = audit_form(None, {})
    assert (form.tool, form.version) == (SLUG, VERSION) == ("adult_audit", "1.0")
    assert [s.label for s in form.sections] == [f"Standard {n}" for n in range(1, 15)]
    assert [q.key for q in form.questions()] == [
        *(f"standard_{n}" for n in range(1, 14)),
        *SUMMARY_KEYS,
    ]
    assert "If it isn’t recorded on the file, it didn’t happen" in form.preamble[0]


def test_standards_are_rated_with_evidence_and_not_applicable():
    form = audit_form(None, {})
    for number in range(1, 14):
        question = form.question(f"standard_{number}")
        assert question.kind is QuestionKind.RATING
        assert question.required and question.allow_not_applicable and question.has_comment
        assert question.comment_required_for == {Rating.PARTIALLY_MET, Rating.NOT_MET}
        assert question.name == f"standard {number}"


def test_summary_questions():
    """Overall rating on the three-point scale only; a reason only when needed."""
    form = audit_form(None, {})
    overall = form.question("overall_rating")
    assert overall.kind is QuestionKind.RATING
    assert not overall.allow_not_applicable and not overall.has_comment
    assert form.question("overall_grade").kind is QuestionKind.CHOICE
    assert not form.question("judgement_reason").required
    assert form.question("strengths").required
    assert form.question("areas_for_development").required


def sentences(paragraph: str) -> int:
    return len(re.findall(r"[.?!](?:\s|$)", paragraph))


def test_every_standard_has_a_short_guidance_note():
    """One or two sentences an auditor can use, and no pre-set without a reason."""
    for standard in STANDARDS:
        assert standard.guidance, standard.number
        assert 1 <= sum(sentences(p) for p in standard.guidance) <= 2, standard.number
        assert bool(standard.not_applicable_for) == bool(standard.not_applicable_reason)


@pytest.mark.parametrize(
    ("number", "in_question", "in_guidance"),
    [
        (2, "Care Act 2014 s9", "Section 9"),
        (3, "Care Act 2014 s13", "Eligibility Criteria) Regulations 2015"),
        (4, "Care Act 2014 s25", "Section 25"),
        (5, "Care Act 2014 s27", "Section 27"),
        (6, "Mental Capacity Act 2005", "best-interests decision (s4)"),
        (7, "Care Act 2014 s42", "s42"),
        (7, "Making Safeguarding Personal", "Making Safeguarding Personal"),
        (9, "Care Act 2014 s10", "Section 10"),
        (10, "Care Act 2014 s67", "Section 67"),
    ],
)
def test_standards_cite_the_law(number, in_question, in_guidance):
    """The question names the law; the guidance says what it asks for."""
    standard = STANDARDS[number - 1]
    assert standard.number == number
    assert in_question in standard.question
    assert in_guidance in " ".join(standard.guidance)


@pytest.mark.parametrize(
    ("category", "preset"),
    [
        (CaseCategory.ADULT_CARE_AND_SUPPORT, set()),
        (CaseCategory.ADULT_SAFEGUARDING, set()),
        (CaseCategory.ADULT_MENTAL_HEALTH, set()),
        (CaseCategory.ADULT_LEARNING_DISABILITY, set()),
        (CaseCategory.ADULT_CARER, {"standard_9"}),
    ],
)
def test_standards_that_cannot_apply_are_offered_as_not_applicable(category, preset):
    """Only a carer's own file pre-sets anything: standard 9; the auditor can change it."""
    form = audit_form(Case(reference="A1", category=category), {})
    offered = {
        q.key
        for q in form.questions()
        if q.kind is QuestionKind.RATING and q.initial == Rating.NOT_APPLICABLE.value
    }
    assert offered == preset
    for key in preset:
        question = form.question(key)
        assert question.initial_reason.startswith("Offered as Not applicable because")
        assert "carer’s own file" in question.initial_reason
        assert "Change it" in question.initial_reason
        assert question.allow_not_applicable  # still a free choice
    for question in form.questions():
        if question.key not in preset:
            assert question.initial is None and question.initial_reason == ""


@pytest.mark.parametrize("category", ADULT_CATEGORIES)
def test_safeguarding_is_never_pre_set(category):
    """Any adult may be at risk: standard 7 is always for the auditor to rate."""
    form = audit_form(Case(reference="A1", category=category), {})
    assert form.question("standard_7").initial is None


def test_no_pre_sets_without_a_case():
    form = audit_form(None, {})
    assert all(q.initial is None for q in form.questions())


def test_outstanding_is_offered_only_when_switched_on():
    grades = [o.value for o in audit_form(None, {}).question("overall_grade").options]
    assert grades == ["inadequate", "adequate", "good"]
    switched_on = audit_form(None, {"outstanding_grade": True}).question("overall_grade")
    assert [o.value for o in switched_on.options] == [
        "inadequate",
        "adequate",
        "good",
        "outstanding",
    ]
