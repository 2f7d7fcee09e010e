"""The task list's rules: a section's status, the next section, saving one section."""

from __future__ import annotations

from core.audits.sections import (
    SectionStatus,
    merge_section,
    next_section,
    section_states,
)
from core.models import Rating
from core.tools.questions import AnswerValue, FormDefinition, Question, QuestionKind, Section
from core.tools.results import AnswerProblem


def rated(key: str) -> Question:
    return Question(key=key, text=f"Is {key} on file?", kind=QuestionKind.RATING)


FORM = FormDefinition(
    tool="demo",
    version="1",
    title="Demo audit",
    sections=(
        Section(key="one", label="Standard 1", title="Chronology", questions=(rated("a"),)),
        Section(key="two", label="Standard 2", title="Plan", questions=(rated("b"), rated("c"))),
        Section(
            key="notes",
            title="Anything else",
            questions=(Question("extra", "Anything else?", QuestionKind.TEXT, required=False),),
        ),
    ),
)


def statuses(answers, problems):
    return {s.key: s.status for s in section_states(FORM, answers, problems)}


def test_a_section_is_completed_only_when_nothing_in_it_stops_the_submit():
    answers = {"a": AnswerValue(Rating.MET), "b": AnswerValue(Rating.NOT_MET)}
    problems = [
        AnswerProblem("b", "Enter the evidence", part="comment"),
        AnswerProblem("c", "Select whether c is met"),
    ]
    assert statuses(answers, problems) == {
        "one": SectionStatus.COMPLETED,
        "two": SectionStatus.IN_PROGRESS,
        "notes": SectionStatus.COMPLETED,  # nothing required: nothing to do
    }


def test_a_section_with_nothing_answered_is_not_yet_started():
    problems = [AnswerProblem("a", "Select"), AnswerProblem("b", "Select")]
    assert statuses({}, problems)["one"] is SectionStatus.NOT_STARTED
    assert statuses({}, problems)["two"] is SectionStatus.NOT_STARTED


def test_a_tools_own_problem_keeps_its_section_incomplete():
    """A rule across questions (a missing reason) marks the section that asks it."""
    answers = {"a": AnswerValue(Rating.MET), "extra": AnswerValue(None, "x")}
    assert statuses(answers, [AnswerProblem("extra", "Enter why")])["notes"] is (
        SectionStatus.IN_PROGRESS
    )


def test_the_task_list_names_a_section_by_its_label_with_its_words_as_a_hint():
    state = section_states(FORM, {}, [])[0]
    assert state.name == "Standard 1"
    assert state.hint == "Chronology"
    assert section_states(FORM, {}, [])[2].hint == "", "an unlabelled section needs no hint"


def test_sections_follow_in_the_forms_order():
    assert next_section(FORM, "one").key == "two"
    assert next_section(FORM, "notes") is None
    assert next_section(FORM, "unknown") is None


def test_saving_a_section_replaces_its_answers_and_keeps_the_others():
    stored = {
        "a": AnswerValue(Rating.MET, None, "Seen"),
        "b": AnswerValue(Rating.NOT_MET, None, "Missing"),
        "c": AnswerValue(Rating.MET),
    }
    typed = {"b": AnswerValue(Rating.PARTIALLY_MET), "a": AnswerValue(Rating.NOT_MET)}
    merged = merge_section(FORM, FORM.sections[1], stored, typed)
    assert merged["a"] == stored["a"], "another section's answer is never taken from the post"
    assert merged["b"] == AnswerValue(Rating.PARTIALLY_MET)
    assert "c" not in merged, "an answer cleared in the section is cleared"
