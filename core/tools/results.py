"""What scoring and checking hooks return."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from core.models.audits import SCALE, Grade, Rating
from core.tools.questions import AnswerSet, AnswerValue


@dataclass(frozen=True)
class Score:
    """The outcome of an audit as a tool's scoring rules see it."""

    #: Counts per rating over the applicable standards (Not applicable apart).
    counts: Mapping[Rating, int]
    not_applicable: int = 0
    suggested_rating: Rating | None = None
    suggested_grade: Grade | None = None
    #: The highest grade the rules allow (e.g. capped at Inadequate).
    highest_grade: Grade | None = None
    #: The auditor's own judgement, read from the answers.
    overall_rating: Rating | None = None
    grade: Grade | None = None
    #: Plain-English reasons for the suggestion and any cap, shown to the auditor.
    notes: tuple[str, ...] = field(default_factory=tuple)
    #: Answers the tool works out from the others (e.g. frequency compliance);
    #: core stores them as rows of the form's ``computed`` questions whenever the
    #: audit is saved, so reports can count them in SQL like any answer.
    derived: Mapping[str, AnswerValue] = field(default_factory=dict)

    @property
    def applicable(self) -> int:
        return sum(self.counts.get(r, 0) for r in SCALE)

    @property
    def differs_from_suggestion(self) -> bool:
        """True when the auditor's judgement is not the one suggested."""
        rating_differs = (
            self.suggested_rating is not None
            and self.overall_rating is not None
            and self.overall_rating != self.suggested_rating
        )
        grade_differs = (
            self.suggested_grade is not None
            and self.grade is not None
            and self.grade != self.suggested_grade
        )
        return rating_differs or grade_differs


@dataclass(frozen=True)
class AnswerProblem:
    """A reason the answers cannot be submitted, tied to one question.

    ``part`` is ``""`` for the answer itself or ``"comment"`` for its comment box.
    """

    question: str
    message: str
    part: str = ""


@dataclass(frozen=True)
class ActionNeed:
    """An outcome of an audit that needs a remedial action before sign-off.

    ``question`` is the rated question's key (an action for that standard answers
    it), or None for the whole file (any action answers it).
    """

    question: str | None
    reason: str


def count_ratings(answers: AnswerSet, keys: Iterable[str]) -> tuple[Counter[Rating], int]:
    """Count Met / Partially met / Not met over ``keys``; Not applicable apart.

    Unanswered questions are not counted at all.
    """
    counts: Counter[Rating] = Counter({r: 0 for r in SCALE})
    not_applicable = 0
    for key in keys:
        answer = answers.get(key)
        if answer is None or answer.rating is None:
            continue
        if answer.rating is Rating.NOT_APPLICABLE:
            not_applicable += 1
        else:
            counts[answer.rating] += 1
    return counts, not_applicable
