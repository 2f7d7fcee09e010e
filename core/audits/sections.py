"""The audit form as a task list: one page per section, each with a status.

A long form (the children's audit has fifteen sections) is easier to finish,
and harder to submit by mistake, as GOV.UK's task list: the auditor opens one
section at a time, saves it on its own, sees which sections are done, then
checks every answer on one page before a separate, deliberate submit.

Everything here is a pure function of the form definition, the stored answers
and the problems the server's rules find: no database, no request.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from core.audits.answering import question_words
from core.tools.questions import AnswerValue, FormDefinition, Section
from core.tools.results import AnswerProblem

#: At most this many characters of a section's title under its label on the task list.
HINT_LENGTH = 90


class SectionStatus(StrEnum):
    """A section's status on the task list, in GOV.UK's words."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"

    @property
    def label(self) -> str:
        return {
            SectionStatus.NOT_STARTED: "Not yet started",
            SectionStatus.IN_PROGRESS: "Incomplete",
            SectionStatus.COMPLETED: "Completed",
        }[self]


@dataclass(frozen=True)
class SectionState:
    """One row of the task list: the section, its status and what still stops it."""

    section: Section
    status: SectionStatus
    problems: tuple[AnswerProblem, ...] = ()

    @property
    def key(self) -> str:
        return self.section.key

    @property
    def name(self) -> str:
        """How the task list names the section: its label ("Standard 3") or its title."""
        return self.section.label or self.section.title

    @property
    def hint(self) -> str:
        """The start of the section's own words under a bare label, so "Standard 3" says
        what it is about; nothing when the name already is the title."""
        section = self.section
        if not section.label or section.label == section.title:
            return ""
        return question_words(section.title, limit=HINT_LENGTH)


def section_of(definition: FormDefinition) -> dict[str, str]:
    """Each question's key -> the key of the section that asks it."""
    return {q.key: s.key for s in definition.sections for q in s.questions}


def find_section(definition: FormDefinition, key: str) -> Section | None:
    return next((s for s in definition.sections if s.key == key), None)


def _answerable(section: Section) -> list[str]:
    return [q.key for q in section.questions if not q.computed]


def section_states(
    definition: FormDefinition,
    answers: Mapping[str, AnswerValue],
    problems: Iterable[AnswerProblem],
) -> list[SectionState]:
    """The task list: every section with its status, in the form's order.

    ``problems`` are everything that would stop the audit being submitted now
    (the form's own rules and the tool's), so a section is *Completed* only when
    none of them is in it. A section with nothing answered is *Not yet started*,
    unless it asks nothing that is required (then there is nothing to do).
    """
    where = section_of(definition)
    by_section: dict[str, list[AnswerProblem]] = {}
    for problem in problems:
        by_section.setdefault(where.get(problem.question, ""), []).append(problem)
    states = []
    for section in definition.sections:
        mine = tuple(by_section.get(section.key, ()))
        answered = any(key in answers and not answers[key].is_empty for key in _answerable(section))
        if not mine:
            status = SectionStatus.COMPLETED
        elif answered:
            status = SectionStatus.IN_PROGRESS
        else:
            status = SectionStatus.NOT_STARTED
        states.append(SectionState(section, status, mine))
    return states


def next_section(definition: FormDefinition, key: str) -> Section | None:
    """The section after ``key`` in the form, or None after the last."""
    keys = [s.key for s in definition.sections]
    if key not in keys:
        return None
    position = keys.index(key) + 1
    return definition.sections[position] if position < len(keys) else None


def completed_count(states: Sequence[SectionState]) -> int:
    return sum(1 for state in states if state.status is SectionStatus.COMPLETED)


def merge_section(
    definition: FormDefinition,
    section: Section,
    stored: Mapping[str, AnswerValue],
    typed: Mapping[str, AnswerValue],
) -> dict[str, AnswerValue]:
    """The audit's answers after saving one section: ``typed`` replaces that section's
    answers (a cleared box clears the answer); every other section keeps what was stored."""
    mine = set(_answerable(section))
    merged = {k: v for k, v in stored.items() if k not in mine}
    merged.update({k: v for k, v in typed.items() if k in mine})
    return merged
