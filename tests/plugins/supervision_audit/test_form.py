"""The supervision audit form: stable keys, sensible pre-sets, the right wording."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest

from core.models import Rating
from core.tools import AuditSubject, QuestionKind
from plugins.supervision_audit.form import audit_form, person_for
from plugins.supervision_audit.questions import QUALITY_KEYS

TODAY = date(2026, 3, 27)


def staff_subject(directorate: str | None) -> AuditSubject:
    """A staff subject without the database: only what the form reads."""
    service = None
    if directorate is not None:
        service = SimpleNamespace(directorate=SimpleNamespace(code=directorate))
    return AuditSubject(kind="staff", staff=SimpleNamespace(service=service))


def test_keys_are_stable():
    """Keys are stored on every answer: changing one needs a new version of the tool."""
    keys = [q.key for q in audit_form(None, {}, today=TODAY).questions()]
    assert keys == [
        "period_start",
        "period_end",
        "sessions_recorded",
        "sessions_expected",
        "frequency_compliance",
        "frequency_rating",
        "supervision_agreement",
        "recorded_on_system",
        "decisions_actions_timescales",
        "actions_followed_up",
        "reflective_practice",
        "plan_focus",
        "caseload_workload",
        "wellbeing_development",
        "overall_rating",
        "overall_grade",
        "judgement_reason",
        "strengths",
        "areas_for_development",
    ]


def test_period_defaults_to_the_last_12_months():
    form = audit_form(None, {}, today=TODAY)
    start, end = form.question("period_start"), form.question("period_end")
    assert start.kind is QuestionKind.DATE and end.kind is QuestionKind.DATE
    assert (start.initial, end.initial) == ("2025-03-27", "2026-03-27")
    leap = audit_form(None, {}, today=date(2024, 2, 29))
    assert leap.question("period_start").initial == "2023-02-28"


def test_period_defaults_to_today_without_a_date_given():
    form = audit_form(None, {})
    assert form.question("period_end").initial == date.today().isoformat()


@pytest.mark.parametrize(
    ("settings", "expected"),
    [({}, "12"), ({"sessions_per_year": 6}, "6"), ({"sessions_per_year": 0}, "1")],
)
def test_expected_sessions_come_from_the_service_setting(settings, expected):
    """The policy's sessions a year, for the default 12-month period; the auditor may change it."""
    question = audit_form(None, settings, today=TODAY).question("sessions_expected")
    assert question.kind is QuestionKind.NUMBER and question.minimum == 0
    assert question.initial == expected
    assert f"policy of {expected} sessions a year" in question.hint
    assert "part-year" in question.hint and "long absence" in question.hint


def test_sessions_recorded_is_a_whole_number_from_zero():
    question = audit_form(None, {}, today=TODAY).question("sessions_recorded")
    assert question.kind is QuestionKind.NUMBER and question.minimum == 0
    assert question.initial is None and question.required


def test_frequency_answers_are_computed_never_typed():
    form = audit_form(None, {}, today=TODAY)
    for key in ("frequency_compliance", "frequency_rating"):
        question = form.question(key)
        assert question.computed and not question.required, key
    rating = form.question("frequency_rating")
    assert rating.kind is QuestionKind.RATING
    assert not rating.has_comment and not rating.allow_not_applicable


def test_quality_questions_are_rated_with_evidence_and_guidance():
    form = audit_form(None, {}, today=TODAY)
    for key in QUALITY_KEYS:
        question = form.question(key)
        assert question.kind is QuestionKind.RATING, key
        assert question.has_comment and question.allow_not_applicable, key
        assert Rating.NOT_MET in question.comment_required_for, key
        assert question.guidance, key


def test_summary_is_rating_grade_reason_strengths_and_development():
    form = audit_form(None, {}, today=TODAY)
    overall = form.question("overall_rating")
    assert not overall.allow_not_applicable and not overall.has_comment
    grades = [o.value for o in form.question("overall_grade").options]
    assert grades == ["inadequate", "adequate", "good"]
    assert not form.question("judgement_reason").required
    assert form.question("strengths").required and form.question("areas_for_development").required


@pytest.mark.parametrize(
    ("directorate", "person"),
    [("children", "child’s"), ("adults", "adult’s"), (None, "child’s or adult’s")],
)
def test_plan_question_names_the_child_or_the_adult(directorate, person):
    """Worded by the directorate of the member of staff audited; both when not known."""
    subject = staff_subject(directorate)
    assert person_for(subject) == person
    text = audit_form(subject, {}, today=TODAY).question("plan_focus").text
    assert text == (
        f"Does supervision focus on the {person} plan, reducing harm and improving outcomes?"
    )


def test_without_a_subject_both_are_named():
    form = audit_form(None, {}, today=TODAY)
    assert "child’s or adult’s plan" in form.question("plan_focus").text
    assert "child’s or adult’s electronic file" in form.question("recorded_on_system").guidance[0]
