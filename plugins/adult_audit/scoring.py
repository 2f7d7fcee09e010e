"""Scoring rules of the adults' audit: pure functions, no database.

The rules every standards tool shares (what is counted, the suggested rating
and grade, a reason for a differing judgement, Outstanding only where the
service switched it on) are core's, in ``core/tools/standards.py``. The
adults' own, numbered as in this plugin's README:

1. the counts are taken over standards 1-13;
4. standard 7 (safeguarding) is the capping standard, the adults' counterpart
   of the children's "statutory requirements persistently unmet": safeguarding
   concerns missed or not acted on suggest Not met overall (rule 2) and cap the
   grade at Inadequate, whatever the reason given.
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
from plugins.adult_audit.standards import RATED_STANDARDS, SAFEGUARDING_STANDARD

#: Rule 4: standard 7 Not met caps the grade at Inadequate.
SAFEGUARDING_CAP = GradeCap(
    key=SAFEGUARDING_STANDARD,
    note="Standard 7 (safeguarding) is not met: safeguarding concerns were missed or not "
    "acted on, so the overall rating is suggested as Not met and the grade cannot be "
    "higher than {lowest}.",
    message="Safeguarding is not met (standard 7), so the grade must be {lowest}",
)


def score_audit(answers: AnswerSet, settings: Mapping[str, Any] | None = None) -> Score:
    """Rules 1 to 4: the counts, the suggestion and the safeguarding cap, on the scale
    in ``settings``."""
    return score_standards(answers, RATED_STANDARDS, cap=SAFEGUARDING_CAP, settings=settings)


def check_answers(
    answers: AnswerSet, score: Score, settings: Mapping[str, Any]
) -> list[AnswerProblem]:
    """Rules 4 and 5, plus Outstanding only where the service allows it."""
    return check_judgement(answers, score, settings, SAFEGUARDING_CAP)
