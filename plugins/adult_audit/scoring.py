"""Scoring rules of the adults' audit: pure functions, no database.

The rules (also in this plugin's README):

1. Counts are taken over standards 1-13 rated Met, Partially met or Not met;
   Not applicable is counted apart and unanswered standards not at all.
2. Suggested overall rating:
   * Not met if standard 7 (safeguarding) is Not met, or if half or more of
     the applicable standards are Not met;
   * Met if no standard is Not met and at most one is Partially met;
   * otherwise Partially met.
3. Suggested grade follows the rating: Met -> Good, Partially met -> Adequate,
   Not met -> Inadequate. Outstanding is never suggested: it is the auditor's
   judgement, where the service has switched that grade on.
4. Standard 7 Not met caps the grade at Inadequate: safeguarding concerns that
   were missed or not acted on are the adults' counterpart of the children's
   "statutory requirements persistently unmet".
5. When the auditor's overall rating or grade differs from the suggestion,
   both are recorded and a reason is required.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.tools import AnswerProblem, AnswerSet, Grade, Rating, Score, count_ratings
from plugins.adult_audit.standards import RATED_STANDARDS, SAFEGUARDING_STANDARD

GRADE_FOR_RATING = {
    Rating.MET: Grade.GOOD,
    Rating.PARTIALLY_MET: Grade.ADEQUATE,
    Rating.NOT_MET: Grade.INADEQUATE,
}


def safeguarding_unmet(answers: AnswerSet) -> bool:
    answer = answers.get(SAFEGUARDING_STANDARD)
    return answer is not None and answer.rating is Rating.NOT_MET


def suggest_rating(counts: Mapping[Rating, int], safeguarding_not_met: bool) -> Rating | None:
    """Rule 2: the overall rating the standards suggest, or None if none is rated."""
    applicable = counts[Rating.MET] + counts[Rating.PARTIALLY_MET] + counts[Rating.NOT_MET]
    if applicable == 0:
        return None
    if safeguarding_not_met or 2 * counts[Rating.NOT_MET] >= applicable:
        return Rating.NOT_MET
    if counts[Rating.NOT_MET] == 0 and counts[Rating.PARTIALLY_MET] <= 1:
        return Rating.MET
    return Rating.PARTIALLY_MET


def _parse_grade(value: str | None) -> Grade | None:
    try:
        return Grade(value) if value else None
    except ValueError:
        return None


def score_audit(answers: AnswerSet) -> Score:
    counts, not_applicable = count_ratings(answers, RATED_STANDARDS)
    capped = safeguarding_unmet(answers)
    suggested = suggest_rating(counts, capped)
    notes = []
    if capped:
        notes.append(
            "Standard 7 (safeguarding) is not met: safeguarding concerns were missed or not "
            "acted on, so the overall rating is suggested as Not met and the grade cannot be "
            "higher than Inadequate."
        )
    overall = answers.get("overall_rating")
    grade = answers.get("overall_grade")
    return Score(
        counts=dict(counts),
        not_applicable=not_applicable,
        suggested_rating=suggested,
        suggested_grade=GRADE_FOR_RATING.get(suggested) if suggested else None,
        highest_grade=Grade.INADEQUATE if capped else None,
        overall_rating=overall.rating if overall else None,
        grade=_parse_grade(grade.value if grade else None),
        notes=tuple(notes),
    )


def check_answers(
    answers: AnswerSet, score: Score, settings: Mapping[str, Any]
) -> list[AnswerProblem]:
    """Rules 4 and 5, plus Outstanding only where the service allows it."""
    problems = []
    if score.grade is Grade.OUTSTANDING and not settings.get("outstanding_grade"):
        problems.append(
            AnswerProblem(
                "overall_grade",
                "Outstanding is not used in this service yet: choose Inadequate, Adequate or Good",
            )
        )
    if (
        score.highest_grade is not None
        and score.grade is not None
        and score.grade.rank > score.highest_grade.rank
    ):
        problems.append(
            AnswerProblem(
                "overall_grade",
                "Safeguarding is not met (standard 7), so the grade must be Inadequate",
            )
        )
    reason = answers.get("judgement_reason")
    if score.differs_from_suggestion and not (reason and reason.value):
        problems.append(
            AnswerProblem(
                "judgement_reason",
                "Enter why your overall rating or grade differs from the suggestion",
            )
        )
    return problems
