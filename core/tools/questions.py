"""A tool's form as data: sections of questions that core renders and stores.

Tools describe *what* to ask; core turns the description into a WTForms form,
renders it in GOV.UK style and stores each question's answer as one row.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from core.models.audits import Rating


class QuestionKind(StrEnum):
    #: Met / Partially met / Not met / (Not applicable), with an evidence comment.
    RATING = "rating"
    #: One of ``options`` (radios).
    CHOICE = "choice"
    #: Any of ``options`` (checkboxes); stored as a comma-separated value.
    MULTI_CHOICE = "multi_choice"
    #: Free text (textarea).
    TEXT = "text"
    #: A whole number.
    NUMBER = "number"
    #: A date (GOV.UK day / month / year boxes); stored as YYYY-MM-DD.
    DATE = "date"


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    hint: str = ""


#: A comment is required for these ratings unless a question says otherwise.
COMMENT_REQUIRED_FOR = frozenset({Rating.PARTIALLY_MET, Rating.NOT_MET})


@dataclass(frozen=True)
class Question:
    """One question. ``key`` is unique within the form and stored on each answer."""

    key: str
    text: str
    kind: QuestionKind
    #: Short name used in error messages, e.g. "standard 3" or "the PEP".
    name: str = ""
    #: The form's guidance note, one string per paragraph, shown beside the question.
    guidance: tuple[str, ...] = ()
    #: A short hint shown under the question itself (how to answer, not the form's guidance).
    hint: str = ""
    options: tuple[Option, ...] = ()
    #: Must be answered before the audit can be submitted.
    required: bool = True
    #: RATING only: offer "Not applicable".
    allow_not_applicable: bool = True
    #: RATING only: show an evidence box, required for these ratings.
    has_comment: bool = True
    comment_label: str = "Evidence"
    comment_required_for: frozenset[Rating] = COMMENT_REQUIRED_FOR
    #: Pre-set answer offered when the audit starts (the auditor can change it).
    initial: str | None = None
    #: Why ``initial`` was pre-set, shown to the auditor.
    initial_reason: str = ""
    #: NUMBER only: smallest value accepted.
    minimum: int | None = None
    #: Worked out by the tool, not typed: shown read-only, never taken from the form.
    computed: bool = False

    @property
    def display_name(self) -> str:
        return self.name or self.key.replace("_", " ")

    def option_label(self, value: str | None) -> str:
        for option in self.options:
            if option.value == value:
                return option.label
        return value or ""

    def rating_choices(self) -> list[Rating]:
        scale = [Rating.MET, Rating.PARTIALLY_MET, Rating.NOT_MET]
        return [*scale, Rating.NOT_APPLICABLE] if self.allow_not_applicable else scale


@dataclass(frozen=True)
class Section:
    """A group of questions, e.g. one standard with its sub-questions."""

    key: str
    title: str
    questions: tuple[Question, ...]
    #: Short label such as "Standard 6".
    label: str = ""
    guidance: tuple[str, ...] = ()


@dataclass(frozen=True)
class FormDefinition:
    """A tool's whole form at one version."""

    tool: str
    version: str
    title: str
    sections: tuple[Section, ...]
    #: Paragraphs shown above the form (e.g. the recording principle).
    preamble: tuple[str, ...] = ()
    _index: Mapping[str, Question] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index: dict[str, Question] = {}
        for question in self.questions():
            if question.key in index:
                raise ValueError(f"question key {question.key!r} used twice in {self.tool}")
            index[question.key] = question
        object.__setattr__(self, "_index", index)

    def questions(self) -> Iterator[Question]:
        for section in self.sections:
            yield from section.questions

    def question(self, key: str) -> Question:
        return self._index[key]

    def has(self, key: str) -> bool:
        return key in self._index


@dataclass(frozen=True)
class AuditSubject:
    """What an audit is about, as the form hook sees it.

    Exactly one of ``case`` and ``staff`` is set for case and staff audits; a
    sampled item has neither and is described by ``facts``.
    """

    kind: str
    case: Any = None
    staff: Any = None
    facts: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AnswerValue:
    """An answer as tools see it: plain values, no database objects."""

    rating: Rating | None = None
    value: str | None = None
    comment: str | None = None

    @property
    def values(self) -> list[str]:
        """MULTI_CHOICE answers as a list."""
        return [v for v in (self.value or "").split(",") if v]

    @property
    def is_empty(self) -> bool:
        return self.rating is None and not self.value and not self.comment


#: What scoring and checks receive: question key -> answer.
AnswerSet = Mapping[str, AnswerValue]
