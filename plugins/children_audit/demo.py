"""Synthetic answers for demo audits, with the spread the report found.

Most standards partially met; some files good throughout, some poor. All
text is invented and says nothing about any real child.
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
from plugins.children_audit import scoring
from plugins.children_audit.standards import STANDARD_6_ITEMS, STANDARDS

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
STRENGTHS = (
    "Purposeful visits with the child seen alone; good multi-agency working.",
    "Clear decision-making evidenced in supervision.",
    "Child's wishes and feelings well recorded.",
)
DEVELOPMENTS = (
    "Bring the chronology up to date and record supervision on the system.",
    "Strengthen analysis in the assessment and add timescales to the plan.",
    "Record statutory visits in the correct place on the file.",
)
#: Standards that often do not apply (no proceedings, no extra-familial risk ...).
OFTEN_NOT_APPLICABLE = {"standard_4": 0.57, "standard_9": 0.5, "standard_11": 0.4}


def demo_answers(
    case: Case | None, rng: random.Random, settings: Mapping[str, Any]
) -> dict[str, AnswerValue]:
    # Core's spread for case files, the report's: 15% met, 70% partially, 15% not met.
    profile = DEMO_PROFILES[demo_quality(rng)]
    category = case.category_kind if case is not None else CaseCategory.CHILD_IN_NEED
    answers: dict[str, AnswerValue] = {}
    for standard in STANDARDS:
        if category in standard.not_applicable_for or rng.random() < OFTEN_NOT_APPLICABLE.get(
            standard.key, 0.0
        ):
            answers[standard.key] = AnswerValue(Rating.NOT_APPLICABLE)
            continue
        rating = demo_rating(rng, profile)
        comment = rng.choice(EVIDENCE[rating]) if rating in EVIDENCE else None
        answers[standard.key] = AnswerValue(rating, None, comment)
    looked_after = answers["standard_6"].rating is not Rating.NOT_APPLICABLE
    for key, _, _ in STANDARD_6_ITEMS:
        value = rng.choices(["yes", "no"], [0.85, 0.15])[0] if looked_after else "not_applicable"
        answers[key] = AnswerValue(None, value)

    score = scoring.score_audit(answers, settings)
    overall, reason = demo_judgement(rng, score)
    answers.update(
        demo_summary_answers(
            rng, overall, STRENGTHS, DEVELOPMENTS, reason, scale=scale_of(settings)
        )
    )
    return answers
