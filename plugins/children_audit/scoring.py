"""Scoring rules of the children's audit: pure functions, no database.

The rules every standards tool shares (what is counted, the suggested rating
and grade, a reason for a differing judgement, Outstanding only where the
service switched it on) are core's, in ``core/tools/standards.py``. The
children's own, numbered as in this plugin's README:

1. the counts are taken over standards 1-13;
4. standard 3 is the capping standard: "If statutory requirements are
   persistently unmet case should be rated as inadequate". Standard 3 Not met
   suggests Not met overall (rule 2) and caps the grade at Inadequate.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.tools import (
    AnswerProblem,
    AnswerSet,
    GradeCap,
    Score,
    check_judgement,
    score_standards,
)
from core.tools import suggest_rating as suggest_rating  # rule 2, re-exported
from plugins.children_audit.standards import RATED_STANDARDS, STATUTORY_STANDARD

#: Rule 4: standard 3 Not met caps the grade at Inadequate.
STATUTORY_CAP = GradeCap(
    key=STATUTORY_STANDARD,
    note="Standard 3 is not met: if statutory requirements are persistently unmet the case "
    "should be rated as inadequate, so the grade cannot be higher than Inadequate.",
    message="Statutory requirements are not met (standard 3), so the grade must be Inadequate",
)


def score_audit(answers: AnswerSet) -> Score:
    """Rules 1 to 4: the counts, the suggestion and the statutory cap."""
    return score_standards(answers, RATED_STANDARDS, cap=STATUTORY_CAP)


def check_answers(
    answers: AnswerSet, score: Score, settings: Mapping[str, Any]
) -> list[AnswerProblem]:
    """Rules 4 and 5, plus Outstanding only where the service allows it."""
    return check_judgement(answers, score, settings, STATUTORY_CAP)
