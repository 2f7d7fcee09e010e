"""Synthetic answers for demo audits, with a realistic spread.

Most standards partially met; some files good throughout, some poor. All
text is invented and says nothing about any real person.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

from core.models import Case, CaseCategory, Rating
from core.tools import (
    DEMO_PROFILES,
    AnswerValue,
    demo_judgement,
    demo_quality,
    demo_rating,
    demo_summary_answers,
    scale_of,
)
from plugins.adult_audit import scoring
from plugins.adult_audit.standards import SAFEGUARDING_STANDARD, STANDARDS

#: A safeguarding concern missed or not acted on is rarer than other gaps.
SAFEGUARDING_NOT_MET = {"good": 0.0, "mixed": 0.04, "poor": 0.25}

EVIDENCE = {
    Rating.PARTIALLY_MET: (
        "On file but not up to date; last entry several months old.",
        "Present but the person's own words and wishes are not recorded.",
        "Recorded in case notes rather than in the right place on the system.",
        "Outcomes are listed but the plan does not say who will do what, by when.",
        "Some evidence, but no record of the outcome being shared with the person.",
    ),
    Rating.NOT_MET: (
        "Not found on the electronic file.",
        "No evidence on file that this took place within a reasonable timescale.",
        "Out of date by more than a year; does not reflect current circumstances.",
        "Not recorded; referred to in an email only.",
    ),
}
STRENGTHS = (
    "The person's own words run through the assessment and plan.",
    "Carer identified early and offered an assessment, with a clear outcome.",
    "Capacity assessment decision-specific and well reasoned.",
    "Timely safeguarding response, with the person asked what they wanted.",
)
DEVELOPMENTS = (
    "Bring the case summary up to date and record supervision on the system.",
    "Review the plan: it is more than 12 months old.",
    "Record the reasons for the eligibility decision and share them in writing.",
    "Consider advocacy and record the person's wishes in their own words.",
)
#: Standards that often do not apply: no review due yet, no reason to doubt
#: capacity, no safeguarding concern, no carer.
OFTEN_NOT_APPLICABLE = {
    "standard_5": 0.15,
    "standard_6": 0.3,
    "standard_7": 0.45,
    "standard_9": 0.25,
}


def _not_applicable(key: str, category: str, rng: random.Random) -> bool:
    if key == SAFEGUARDING_STANDARD and category == CaseCategory.ADULT_SAFEGUARDING:
        return False  # a safeguarding case always has a concern to rate
    return rng.random() < OFTEN_NOT_APPLICABLE.get(key, 0.0)


def demo_answers(
    case: Case | None, rng: random.Random, settings: Mapping[str, Any]
) -> dict[str, AnswerValue]:
    # Core's spread for case files: most partially met, a few good or poor throughout.
    quality = demo_quality(rng)
    profile = DEMO_PROFILES[quality]
    category = case.category_kind if case is not None else CaseCategory.ADULT_CARE_AND_SUPPORT
    answers: dict[str, AnswerValue] = {}
    for standard in STANDARDS:
        if category in standard.not_applicable_for or _not_applicable(standard.key, category, rng):
            answers[standard.key] = AnswerValue(Rating.NOT_APPLICABLE)
            continue
        if standard.key == SAFEGUARDING_STANDARD:
            # Not met here caps the grade, so it is drawn on its own, less often.
            not_met = rng.random() < SAFEGUARDING_NOT_MET[quality]
            rating = Rating.NOT_MET if not_met else demo_rating(rng, (profile[0], profile[1], 0.0))
        else:
            rating = demo_rating(rng, profile)
        comment = rng.choice(EVIDENCE[rating]) if rating in EVIDENCE else None
        answers[standard.key] = AnswerValue(rating, None, comment)

    score = scoring.score_audit(answers, settings)
    overall, reason = demo_judgement(rng, score)
    answers.update(
        demo_summary_answers(
            rng, overall, STRENGTHS, DEVELOPMENTS, reason, scale=scale_of(settings)
        )
    )
    return answers
