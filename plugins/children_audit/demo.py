"""Synthetic answers for demo audits, with the spread the report found.

Most standards partially met; some files good throughout, some poor. All
text is invented and says nothing about any real child.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

from core.models import Case, CaseCategory, Grade, Rating
from core.tools import AnswerValue
from plugins.children_audit import scoring
from plugins.children_audit.standards import STANDARD_6_ITEMS, STANDARDS

#: Chance of Met, Partially met, Not met for a file of each overall quality.
PROFILES = {
    "good": (0.75, 0.2, 0.05),
    "mixed": (0.25, 0.6, 0.15),
    "poor": (0.1, 0.35, 0.55),
}
#: Share of files of each quality (the report: 15% met, 70% partially, 15% not met).
QUALITY_WEIGHTS = (("good", 0.15), ("mixed", 0.7), ("poor", 0.15))

EVIDENCE = {
    Rating.PARTIALLY_MET: (
        "On file but not up to date; last entry several months old.",
        "Present but lacks analysis of risk; actions have no timescales.",
        "Recorded in case notes rather than in the right place on the system.",
        "Partly evidenced; the child's views are not recorded.",
        "Some evidence, but the plan has not been reviewed since the last conference.",
    ),
    Rating.NOT_MET: (
        "Not found on the electronic file.",
        "No evidence on file that this took place within timescales.",
        "Out of date by more than a year; does not reflect current circumstances.",
        "Not recorded; paper records only.",
    ),
}
#: Standards that often do not apply (no proceedings, no extra-familial risk ...).
OFTEN_NOT_APPLICABLE = {"standard_4": 0.57, "standard_9": 0.5, "standard_11": 0.4}


def _pick(rng: random.Random, weights: tuple[float, float, float]) -> Rating:
    return rng.choices([Rating.MET, Rating.PARTIALLY_MET, Rating.NOT_MET], weights)[0]


def demo_answers(
    case: Case | None, rng: random.Random, settings: Mapping[str, Any]
) -> dict[str, AnswerValue]:
    quality = rng.choices([q for q, _ in QUALITY_WEIGHTS], [w for _, w in QUALITY_WEIGHTS])[0]
    profile = PROFILES[quality]
    category = case.category if case is not None else CaseCategory.CHILD_IN_NEED
    answers: dict[str, AnswerValue] = {}
    for standard in STANDARDS:
        if category in standard.not_applicable_for or rng.random() < OFTEN_NOT_APPLICABLE.get(
            standard.key, 0.0
        ):
            answers[standard.key] = AnswerValue(Rating.NOT_APPLICABLE)
            continue
        rating = _pick(rng, profile)
        comment = rng.choice(EVIDENCE[rating]) if rating in EVIDENCE else None
        answers[standard.key] = AnswerValue(rating, None, comment)
    looked_after = answers["standard_6"].rating is not Rating.NOT_APPLICABLE
    for key, _, _ in STANDARD_6_ITEMS:
        value = rng.choices(["yes", "no"], [0.85, 0.15])[0] if looked_after else "not_applicable"
        answers[key] = AnswerValue(None, value)

    score = scoring.score_audit(answers)
    overall = score.suggested_rating or Rating.PARTIALLY_MET
    grade = score.suggested_grade or Grade.ADEQUATE
    if rng.random() < 0.1 and score.highest_grade is None:
        # Now and then the auditor's judgement differs, with a reason.
        overall = rng.choice(
            [r for r in (Rating.MET, Rating.PARTIALLY_MET) if r != overall] or [overall]
        )
        grade = scoring.GRADE_FOR_RATING[overall]
        answers["judgement_reason"] = AnswerValue(
            None,
            "The overall picture is stronger or weaker than the count suggests; "
            "discussed with the team manager.",
        )
    answers["overall_rating"] = AnswerValue(overall)
    answers["overall_grade"] = AnswerValue(None, grade.value)
    answers["strengths"] = AnswerValue(
        None,
        rng.choice(
            (
                "Purposeful visits with the child seen alone; good multi-agency working.",
                "Clear decision-making evidenced in supervision.",
                "Child's wishes and feelings well recorded.",
            )
        ),
    )
    answers["areas_for_development"] = AnswerValue(
        None,
        rng.choice(
            (
                "Bring the chronology up to date and record supervision on the system.",
                "Strengthen analysis in the assessment and add timescales to the plan.",
                "Record statutory visits in the correct place on the file.",
            )
        ),
    )
    return answers
