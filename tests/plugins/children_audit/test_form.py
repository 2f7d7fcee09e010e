"""The children's audit form: the report's own words, and sensible pre-sets."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from core.models import Case, CaseCategory, Rating
from plugins.children_audit.form import audit_form
from plugins.children_audit.standards import OVERALL_GUIDANCE, OVERALL_QUESTION, STANDARDS

REFERENCE = (
    Path(__file__).resolve().parents[4] / "shared" / "reference" / "000_2f63af35ec804fbf.txt"
)


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("’", "'")).strip()


@pytest.fixture(scope="module")
def appendix_1b() -> str:
    if not REFERENCE.exists():
        pytest.skip(f"the council report is not beside the checkout ({REFERENCE})")
    lines = REFERENCE.read_text(encoding="utf-8").splitlines()
    return squash("\n".join(lines[538:606]))


def test_questions_and_guidance_are_word_for_word(appendix_1b: str):
    """Every question and guidance note appears verbatim in Appendix 1B."""
    for standard in STANDARDS:
        assert squash(standard.question) in appendix_1b, standard.number
        for paragraph in standard.guidance:
            assert squash(paragraph) in appendix_1b, standard.number
    assert squash(OVERALL_QUESTION) in appendix_1b
    assert squash(OVERALL_GUIDANCE[0]) in appendix_1b


def test_fourteen_standards_with_three_items_for_standard_6():
    form = audit_form(None, {})
    assert len(form.sections) == 14
    # The summary keeps Appendix 1B's own name, not core's neutral default.
    assert (form.sections[-1].key, form.sections[-1].label) == ("standard_14", "Standard 14")
    assert [q.key for q in form.sections[5].questions] == [
        "standard_6",
        "standard_6_pep",
        "standard_6_health",
        "standard_6_sdq",
    ]


@pytest.mark.parametrize(
    ("category", "preset"),
    [
        (CaseCategory.CHILD_IN_NEED, {"standard_6", "standard_10"}),
        (CaseCategory.CHILD_PROTECTION, {"standard_2", "standard_6", "standard_10"}),
        (CaseCategory.LOOKED_AFTER, {"standard_2"}),
        (CaseCategory.CARE_LEAVER, {"standard_2", "standard_6", "standard_10"}),
    ],
)
def test_standards_that_cannot_apply_are_offered_as_not_applicable(category, preset):
    """E.g. standards 6 and 10 unless looked after; the auditor can still change them."""
    form = audit_form(Case(reference="X", category=category), {})
    offered = {
        q.key
        for q in form.questions()
        if q.key.startswith("standard_")
        and q.kind.value == "rating"
        and q.initial == Rating.NOT_APPLICABLE.value
    }
    assert offered == preset
    for key in preset:
        assert "Change it" in form.question(key).initial_reason
        assert form.question(key).allow_not_applicable  # still a free choice


def test_outstanding_is_offered_only_when_switched_on():
    grades = [o.value for o in audit_form(None, {}).question("overall_grade").options]
    assert grades == ["inadequate", "adequate", "good"]
    switched_on = audit_form(None, {"outstanding_grade": True}).question("overall_grade")
    assert "outstanding" in [o.value for o in switched_on.options]
