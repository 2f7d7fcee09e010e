"""Tests of the adults' case file audit, and builders for its answers."""

from __future__ import annotations

from core.models import Rating
from core.tools.questions import AnswerValue

STANDARD_NUMBERS = range(1, 14)


def adult_answers(
    ratings: dict[int, str] | None = None,
    default: str = "partially_met",
    overall: str | None = None,
    grade: str | None = None,
    reason: str | None = None,
) -> dict[str, AnswerValue]:
    """A complete adults' audit as answers; ``ratings`` overrides standards by number."""
    ratings = ratings or {}
    answers: dict[str, AnswerValue] = {}
    for number in STANDARD_NUMBERS:
        rating = Rating(ratings.get(number, default))
        comment = None if rating is Rating.NOT_APPLICABLE else "Evidence."
        answers[f"standard_{number}"] = AnswerValue(rating, None, comment)
    if overall:
        answers["overall_rating"] = AnswerValue(Rating(overall))
    if grade:
        answers["overall_grade"] = AnswerValue(None, grade)
    if reason:
        answers["judgement_reason"] = AnswerValue(None, reason)
    answers["strengths"] = AnswerValue(None, "The person's wishes are clear throughout.")
    answers["areas_for_development"] = AnswerValue(None, "Review the plan.")
    return answers


def adult_form(
    ratings: dict[int, str] | None = None,
    default: str = "partially_met",
    overall: str = "partially_met",
    grade: str = "adequate",
    **extra: str,
) -> dict[str, str]:
    """POST data for a complete adults' audit: every standard rated, evidence given."""
    ratings = ratings or {}
    data: dict[str, str] = {}
    for number in STANDARD_NUMBERS:
        data[f"standard_{number}"] = ratings.get(number, default)
        data[f"standard_{number}__comment"] = f"Evidence for standard {number}."
    data.update(
        overall_rating=overall,
        overall_grade=grade,
        strengths="Carer offered an assessment promptly.",
        areas_for_development="Bring the case summary up to date.",
    )
    data.update(extra)
    return data
