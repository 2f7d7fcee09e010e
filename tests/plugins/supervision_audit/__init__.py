"""Builders for supervision audit answers and form posts (all data synthetic)."""

from __future__ import annotations

from datetime import date

from core.models import Rating
from core.tools import AnswerValue
from plugins.supervision_audit.questions import QUALITY_KEYS
from plugins.supervision_audit.scoring import default_period


def supervision_answers(
    recorded: int | None = 9,
    expected: int | None = 12,
    ratings: dict[str, str] | None = None,
    default: str = "met",
    overall: str | None = None,
    grade: str | None = None,
    start: date | None = None,
    end: date | None = None,
    reason: str | None = None,
) -> dict[str, AnswerValue]:
    """A complete supervision audit as answers; the period is the last 12 months by default.

    ``ratings`` overrides single quality questions by key.
    """
    default_start, default_end = default_period(end or date.today())
    start = start or default_start
    end = end or default_end
    answers: dict[str, AnswerValue] = {
        "period_start": AnswerValue(None, start.isoformat()),
        "period_end": AnswerValue(None, end.isoformat()),
    }
    if recorded is not None:
        answers["sessions_recorded"] = AnswerValue(None, str(recorded))
    if expected is not None:
        answers["sessions_expected"] = AnswerValue(None, str(expected))
    for key in QUALITY_KEYS:
        rating = Rating((ratings or {}).get(key, default))
        answers[key] = AnswerValue(rating, None, "Evidence.")
    if overall:
        answers["overall_rating"] = AnswerValue(Rating(overall))
    if grade:
        answers["overall_grade"] = AnswerValue(None, grade)
    if reason:
        answers["judgement_reason"] = AnswerValue(None, reason)
    answers["strengths"] = AnswerValue(None, "Regular, reflective sessions.")
    answers["areas_for_development"] = AnswerValue(None, "Record sessions on the system.")
    return answers


def supervision_form(
    recorded: str = "9",
    expected: str = "12",
    ratings: dict[str, str] | None = None,
    default: str = "met",
    overall: str = "met",
    grade: str = "good",
    start: date | None = None,
    end: date | None = None,
    **extra: str,
) -> dict[str, str]:
    """Form data for every section of the supervision audit: every question answered,
    evidence given (for ``complete_audit`` or ``save_section``)."""
    default_start, default_end = default_period(date.today())
    data: dict[str, str] = {}
    for key, day in (("period_start", start or default_start), ("period_end", end or default_end)):
        data[f"{key}__day"] = str(day.day)
        data[f"{key}__month"] = str(day.month)
        data[f"{key}__year"] = str(day.year)
    data.update(sessions_recorded=recorded, sessions_expected=expected)
    for key in QUALITY_KEYS:
        data[key] = (ratings or {}).get(key, default)
        data[f"{key}__comment"] = f"Evidence for {key}."
    data.update(
        overall_rating=overall,
        overall_grade=grade,
        strengths="Regular, reflective sessions.",
        areas_for_development="Record sessions on the system.",
    )
    data.update(extra)
    return data
