"""An audit and its re-audit side by side: each standard's rating and the change."""

from __future__ import annotations

from dataclasses import dataclass

from core.audits.answering import stored_answers
from core.models import Audit, Grade
from core.models.audits import SCALE

BETTER, SAME, WORSE = "better", "same", "worse"


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    before: str | None
    after: str | None
    change: str | None  # better / same / worse, None where one side is not rated


def rating_change(before: str | None, after: str | None) -> str | None:
    """Met > Partially met > Not met; Not applicable or no answer is not compared."""
    order = {rating.value: index for index, rating in enumerate(SCALE)}  # 0 is best
    if before not in order or after not in order:
        return None
    if order[after] < order[before]:
        return BETTER
    return SAME if order[after] == order[before] else WORSE


def grade_change(before: str | None, after: str | None) -> str | None:
    grades = {g.value: g.rank for g in Grade}
    if before not in grades or after not in grades:
        return None
    if grades[after] > grades[before]:
        return BETTER
    return SAME if grades[after] == grades[before] else WORSE


def _ratings(audit: Audit) -> dict[str, str | None]:
    return {
        question: (answer.rating.value if answer.rating else None)
        for question, answer in stored_answers(audit).items()
    }


def compare(
    first: Audit, second: Audit | None, standards: list[tuple[str, str]]
) -> tuple[list[Row], list[Row]]:
    """(standards, overall): one row per standard of the first audit's form, then the
    overall rating and grade. ``second`` is None while the re-audit is not submitted."""
    before = _ratings(first)
    after = _ratings(second) if second is not None else {}
    rows = [
        Row(
            key,
            label,
            before.get(key),
            after.get(key),
            rating_change(before.get(key), after.get(key)),
        )
        for key, label in standards
    ]
    second_rating = second.overall_rating if second is not None else None
    second_grade = second.grade if second is not None else None
    overall = [
        Row(
            "overall_rating",
            "Overall rating",
            first.overall_rating,
            second_rating,
            rating_change(first.overall_rating, second_rating),
        ),
        Row("grade", "Grade", first.grade, second_grade, grade_change(first.grade, second_grade)),
    ]
    return rows, overall


def summary(rows: list[Row]) -> dict[str, int]:
    """How many standards got better, stayed the same or got worse."""
    counts = {BETTER: 0, SAME: 0, WORSE: 0}
    for row in rows:
        if row.change is not None:
            counts[row.change] += 1
    return counts
