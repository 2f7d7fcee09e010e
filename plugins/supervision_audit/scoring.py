"""Scoring rules of the supervision audit: pure functions, no database.

The rules (also in this plugin's README):

1. Frequency, from the period audited, the sessions recorded and the sessions
   expected under the service's policy:
   * compliance = sessions recorded as a whole-number percentage of those
     expected (halves round up), at most 100; none when nothing is expected;
   * flagged, the report's "less than 3 sessions in the past 12 months", when
     fewer than 3 sessions per 12 months were recorded, pro rata over the
     period: ``recorded * 12 < 3 * months``, where ``months`` is the period's
     length in calendar months (whole months counted back from the end, plus
     the part-month left as a fraction of that month's days). This is the
     report's ``recorded * 365 / days < 3`` measured in months, so that a
     12-month period needs exactly 3 sessions whether or not it includes
     29 February;
   * frequency rating: Not met if flagged; Met if recorded >= expected;
     otherwise Partially met. Not Applicable is never used.
2. Counts are taken over the eight quality questions plus the frequency rating,
   rated Met, Partially met or Not met; Not applicable is counted apart and
   unanswered questions not at all.
3. Suggested overall rating (core's ``suggest_rating``, the children's audit's
   rule 2, with the frequency flag in place of statutory requirements):
   * Not met if the frequency is flagged, or if half or more of the applicable
     ratings are Not met;
   * Met if none is Not met and at most one is Partially met;
   * otherwise Partially met.
4. Suggested grade follows the rating on the council's grade scale: Met -> Good,
   Partially met -> Adequate (Requires improvement to be good on Ofsted's scale),
   Not met -> Inadequate.
5. When the auditor's overall rating or grade differs from the suggestion, both
   are recorded and a reason is required (core's ``check_judgement``).

Rules 3 to 5 are those every standards tool shares, in ``core/tools/standards.py``.
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import Any

from core.inputs import whole_number
from core.tools import (
    AnswerProblem,
    AnswerSet,
    AnswerValue,
    Rating,
    Score,
    check_judgement,
    score_standards,
)
from core.tools import suggest_rating as suggest_rating  # rule 3, re-exported
from plugins.supervision_audit.questions import (
    DEFAULT_PERIOD_MONTHS,
    FREQUENCY_COMPLIANCE,
    FREQUENCY_RATING,
    MINIMUM_SESSIONS_A_YEAR,
    PERIOD_END,
    PERIOD_START,
    RATED_KEYS,
    SESSIONS_EXPECTED,
    SESSIONS_RECORDED,
)

#: The service's supervision policy when no setting says otherwise: monthly.
DEFAULT_SESSIONS_PER_YEAR = 12

FLAG_NOTE = "Fewer than 3 supervision sessions in 12 months: the report flags this."


# -- dates ---------------------------------------------------------------------


def months_before(day: date, months: int) -> date:
    """The same day ``months`` calendar months earlier (29 Feb -> 28 Feb, 31st -> 30th ...)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def default_period(today: date) -> tuple[date, date]:
    """The period audited unless the auditor changes it: the last 12 months."""
    return months_before(today, DEFAULT_PERIOD_MONTHS), today


def period_months(start: date, end: date) -> Fraction:
    """The period's length in calendar months; 0 unless ``end`` is after ``start``.

    Whole months are counted back from ``end``; what is left over is the
    fraction of the next month back that it covers. 12 months ending on any
    day is exactly 12, with or without 29 February.
    """
    if end <= start:
        return Fraction(0)
    whole = (end.year - start.year) * 12 + end.month - start.month
    while whole > 0 and months_before(end, whole) < start:
        whole -= 1
    anchor = months_before(end, whole)
    rest = (anchor - start).days
    if rest == 0:
        return Fraction(whole)
    return whole + Fraction(rest, (anchor - months_before(end, whole + 1)).days)


def _half_up(value: Fraction) -> int:
    """``value`` (>= 0) rounded to a whole number, halves up."""
    return math.floor(value + Fraction(1, 2))


def sessions_per_year(settings: Mapping[str, Any] | None) -> int:
    """The ``sessions_per_year`` setting, at least 1."""
    try:
        value = int((settings or {}).get("sessions_per_year", DEFAULT_SESSIONS_PER_YEAR))
    except (TypeError, ValueError):
        return DEFAULT_SESSIONS_PER_YEAR
    return max(1, value)


def pro_rata_expected(per_year: int, start: date, end: date) -> int:
    """Sessions the policy expects over a period: ``per_year`` for exactly 12 months."""
    return _half_up(per_year * period_months(start, end) / 12)


# -- frequency -------------------------------------------------------------------


def compliance(recorded: int | None, expected: int | None) -> int | None:
    """Sessions recorded as a whole-number percentage of those expected, at most 100."""
    if recorded is None or not expected:
        return None
    return min(100, _half_up(Fraction(100 * recorded, expected)))


def fewer_than_three(recorded: int | None, start: date | None, end: date | None) -> bool:
    """The report's flag: fewer than 3 sessions per 12 months, pro rata over the period."""
    if recorded is None or start is None or end is None or end <= start:
        return False
    return recorded * 12 < MINIMUM_SESSIONS_A_YEAR * period_months(start, end)


@dataclass(frozen=True)
class Frequency:
    """The frequency of supervision as the answers give it; any part may be unknown."""

    start: date | None = None
    end: date | None = None
    recorded: int | None = None
    expected: int | None = None

    @property
    def period_known(self) -> bool:
        return self.start is not None and self.end is not None and self.end > self.start

    @property
    def twelve_months(self) -> bool:
        if not self.period_known:
            return False
        return period_months(self.start, self.end) == 12  # type: ignore[arg-type]

    @property
    def compliance(self) -> int | None:
        return compliance(self.recorded, self.expected)

    @property
    def flagged(self) -> bool:
        return fewer_than_three(self.recorded, self.start, self.end)

    @property
    def rating(self) -> Rating | None:
        """Not met if flagged; Met if recorded >= expected; else Partially met."""
        if self.flagged:
            return Rating.NOT_MET
        if self.recorded is None or not self.expected or not self.period_known:
            return None
        return Rating.MET if self.recorded >= self.expected else Rating.PARTIALLY_MET


def _number(answers: AnswerSet, key: str) -> int | None:
    answer = answers.get(key)
    value = (answer.value or "").strip() if answer else ""
    return whole_number(value)


def _date(answers: AnswerSet, key: str) -> date | None:
    answer = answers.get(key)
    try:
        return date.fromisoformat(answer.value) if answer and answer.value else None
    except ValueError:
        return None


def frequency_of(answers: AnswerSet) -> Frequency:
    return Frequency(
        start=_date(answers, PERIOD_START),
        end=_date(answers, PERIOD_END),
        recorded=_number(answers, SESSIONS_RECORDED),
        expected=_number(answers, SESSIONS_EXPECTED),
    )


# -- the suggestion ---------------------------------------------------------------


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _notes(frequency: Frequency, settings: Mapping[str, Any] | None) -> list[str]:
    notes = []
    if frequency.rating is not None and frequency.expected:
        notes.append(
            f"{frequency.recorded} of {_plural(frequency.expected, 'expected session')} "
            f"recorded ({frequency.compliance}%): frequency "
            f"{frequency.rating.label.lower()}."
        )
    if frequency.flagged:
        flag = FLAG_NOTE
        if not frequency.twelve_months:
            flag = flag.replace("12 months:", "12 months (pro rata over this period):")
        if frequency.recorded == 0:
            flag = "No supervision recorded at all in the period. " + flag
        notes.append(flag + " Frequency is not met, so the suggested overall rating is Not met.")
    if settings is not None and frequency.period_known and frequency.expected is not None:
        per_year = sessions_per_year(settings)
        policy = pro_rata_expected(per_year, frequency.start, frequency.end)  # type: ignore[arg-type]
        if policy != frequency.expected:
            notes.append(
                f"The service’s policy of {_plural(per_year, 'session')} a year would expect "
                f"{policy} over this period; {frequency.expected} is entered as expected. "
                "That is right only if there is a reason, such as part-year working or a "
                "long absence."
            )
    return notes


def derived_answers(frequency: Frequency) -> dict[str, AnswerValue]:
    """The computed questions' answers; empty ones clear a stale value on a draft."""
    percent = frequency.compliance
    return {
        FREQUENCY_COMPLIANCE: AnswerValue(None, str(percent) if percent is not None else None),
        FREQUENCY_RATING: AnswerValue(frequency.rating),
    }


def score_audit(answers: AnswerSet, settings: Mapping[str, Any] | None = None) -> Score:
    """Rules 1 to 4: the frequency rating counts with the quality questions, and the
    flag forces the suggestion to Not met (it does not cap the grade)."""
    frequency = frequency_of(answers)
    derived = derived_answers(frequency)
    return score_standards(
        {**answers, **derived},
        RATED_KEYS,
        forced_not_met=frequency.flagged,
        notes=_notes(frequency, settings),
        derived=derived,
        settings=settings,
    )


# -- checks before submission -------------------------------------------------------


def check_answers(
    answers: AnswerSet,
    score: Score,
    settings: Mapping[str, Any] | None = None,
    today: date | None = None,
) -> list[AnswerProblem]:
    """The period makes sense, something is expected, and a differing judgement has a reason."""
    today = today or date.today()
    frequency = frequency_of(answers)
    problems = []
    start, end = frequency.start, frequency.end
    if start is not None and end is not None and end <= start:
        problems.append(
            AnswerProblem(PERIOD_END, "The end of the period must be after the start", part="day")
        )
    if end is not None and end > today:
        problems.append(
            AnswerProblem(PERIOD_END, "The end of the period must be today or earlier", part="day")
        )
    elif end is None and start is not None and start > today:
        problems.append(
            AnswerProblem(PERIOD_START, "The start of the period must be in the past", part="day")
        )
    if frequency.recorded is not None and frequency.expected == 0:
        problems.append(
            AnswerProblem(
                SESSIONS_EXPECTED,
                "The expected number of sessions must be 1 or more, so that the sessions "
                "recorded can be compared with it",
            )
        )
    # The settings carry the grade scale; the supervision audit has no Outstanding
    # setting, so the framework scale never accepts it here.
    return problems + check_judgement(answers, score, settings)
