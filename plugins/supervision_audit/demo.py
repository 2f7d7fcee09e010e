"""Synthetic answers for demo supervision audits, with the spread the report found.

Independent reviewers found supervision often too infrequent or not robust
enough, sometimes not recorded at all. Most demo records are mixed, some good,
and about one in five is flagged (fewer than 3 sessions in 12 months). All text
is invented and says nothing about any real person.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from core.models import Case, Rating
from core.tools import AnswerValue, demo_quality, demo_rating, demo_summary_answers, scale_of
from plugins.supervision_audit import scoring
from plugins.supervision_audit.questions import (
    PERIOD_END,
    PERIOD_START,
    QUALITY_QUESTIONS,
    SESSIONS_EXPECTED,
    SESSIONS_RECORDED,
)

#: Chance of Met, Partially met, Not met for a quality question, by kind of record.
PROFILES = {
    "good": (0.75, 0.2, 0.05),
    "mixed": (0.3, 0.5, 0.2),
    "poor": (0.05, 0.35, 0.6),
}
#: Share of records of each kind; "poor" records are the flagged ones.
QUALITY_WEIGHTS = (("good", 0.3), ("mixed", 0.5), ("poor", 0.2))

EVIDENCE = {
    Rating.PARTIALLY_MET: (
        "Recorded for some sessions only; several are on paper notes.",
        "Decisions recorded but without timescales.",
        "Actions carried forward without comment from one session to the next.",
        "Mostly task-focused; little reflection or analysis.",
        "Discussed in some sessions but not regularly.",
    ),
    Rating.NOT_MET: (
        "No record found on the case recording system.",
        "Not evidenced in any recorded session.",
        "Agreement out of date and unsigned.",
        "Paper notes only; nothing on the electronic files.",
    ),
}
STRENGTH_TEXTS = (
    "Regular, well-recorded sessions with clear decisions on each case.",
    "Reflective discussion of risk, with research referred to.",
    "Good attention to workload and wellbeing.",
)
DEVELOPMENT_TEXTS = (
    "Record supervision on the case recording system, not only on paper.",
    "Add timescales to actions and review them at the next session.",
    "Hold supervision at least monthly and record cancelled sessions.",
)


def demo_answers(
    case: Case | None, rng: random.Random, settings: Mapping[str, Any]
) -> dict[str, AnswerValue]:
    """A complete, submittable supervision audit. ``case`` is None: staff tools have none."""
    quality = demo_quality(rng, QUALITY_WEIGHTS)
    start, end = scoring.default_period(date.today() - timedelta(days=rng.randint(0, 14)))
    expected = scoring.sessions_per_year(settings)
    if rng.random() < 0.1:
        expected = max(1, expected - rng.randint(2, 4))  # e.g. a long absence in the year
    if quality == "good":
        recorded = expected - rng.choice((0, 0, 1))
    elif quality == "mixed":
        recorded = rng.randint(min(3, expected), max(3, expected - 2))
    else:
        recorded = rng.randint(0, 2)
    answers: dict[str, AnswerValue] = {
        PERIOD_START: AnswerValue(None, start.isoformat()),
        PERIOD_END: AnswerValue(None, end.isoformat()),
        SESSIONS_RECORDED: AnswerValue(None, str(recorded)),
        SESSIONS_EXPECTED: AnswerValue(None, str(expected)),
    }
    for question in QUALITY_QUESTIONS:
        rating = demo_rating(rng, PROFILES[quality])
        comment = rng.choice(EVIDENCE[rating]) if rating in EVIDENCE else None
        answers[question.key] = AnswerValue(rating, None, comment)

    score = scoring.score_audit(answers, settings)
    overall = score.suggested_rating or Rating.PARTIALLY_MET
    reason = None
    if rng.random() < 0.1 and overall is not Rating.NOT_MET:
        # Now and then the auditor's judgement differs, with a reason.
        overall = Rating.MET if overall is Rating.PARTIALLY_MET else Rating.PARTIALLY_MET
        reason = (
            "The quality of the sessions held outweighs the gaps the count shows; discussed "
            "with the team manager."
        )
    answers.update(
        demo_summary_answers(
            rng, overall, STRENGTH_TEXTS, DEVELOPMENT_TEXTS, reason, scale=scale_of(settings)
        )
    )
    # The computed answers too, so the demo's reports count them however the demo stores them.
    answers.update(score.derived)
    return answers
