"""Scoring rules of the children's audit: pure functions, no database.

The rules every standards tool shares (what is counted, the suggested rating
and grade, a reason for a differing judgement, Outstanding only where the
service switched it on) are core's, in ``core/tools/standards.py``. The
children's own, numbered as in this plugin's README:

1. the counts are taken over standards 1-13;
4. standard 3 is the capping standard: "If statutory requirements are
   persistently unmet case should be rated as inadequate". Standard 3 Not met
   suggests Not met overall (rule 2) and caps the grade at Inadequate (the
   lowest grade of the council's scale). Which Not met counts is the service's
   setting (:data:`PERSISTENT_CAP_SETTING`): any Not met (the default), or only
   one that is persistent, Not met in this audit and in the previous submitted
   children's audit of the same case.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.tools import (
    AnswerProblem,
    AnswerSet,
    GradeCap,
    Score,
    SettingSpec,
    cap_rule_setting,
    check_judgement,
    score_standards,
)
from core.tools import suggest_rating as suggest_rating  # rule 2, re-exported
from plugins.children_audit.standards import RATED_STANDARDS, STATUTORY_STANDARD

#: Rule 4: standard 3 Not met caps the grade at Inadequate.
STATUTORY_CAP = GradeCap(
    key=STATUTORY_STANDARD,
    note="Standard 3 is not met: if statutory requirements are persistently unmet the case "
    "should be rated as inadequate, so the grade cannot be higher than {lowest}.",
    message="Statutory requirements are not met (standard 3), so the grade must be {lowest}",
    persistent_note="Standard 3 is not met in this audit and was not met in the previous "
    "audit of this case: statutory requirements are persistently unmet, so the grade cannot "
    "be higher than {lowest}.",
    not_persistent_note="Standard 3 is not met, but not persistently: it was met in the "
    "previous audit of this case, or this is the case's first audit. The grade is not "
    "capped; it would be if the next audit finds statutory requirements still unmet.",
)

#: The service's choice of which Not met of standard 3 caps the grade.
PERSISTENT_CAP_SETTING: SettingSpec = cap_rule_setting(
    "Cap the grade only when standard 3 is persistently not met",
    "The form says “if statutory requirements are persistently unmet case should be rated "
    "as inadequate”. Off (the default): any Not met of standard 3 caps the grade. On: only "
    "a Not met in this audit and in the previous audit of the same case. Audits already "
    "submitted keep their grades.",
)


def score_audit(
    answers: AnswerSet,
    settings: Mapping[str, Any] | None = None,
    previous: AnswerSet | None = None,
) -> Score:
    """Rules 1 to 4: the counts, the suggestion and the statutory cap, on the scale in
    ``settings``; ``previous`` (the case's previous audit) for the *persistently* rule."""
    return score_standards(
        answers, RATED_STANDARDS, cap=STATUTORY_CAP, settings=settings, previous=previous
    )


def check_answers(
    answers: AnswerSet, score: Score, settings: Mapping[str, Any]
) -> list[AnswerProblem]:
    """Rules 4 and 5, plus Outstanding only where the service allows it."""
    return check_judgement(answers, score, settings, STATUTORY_CAP)
