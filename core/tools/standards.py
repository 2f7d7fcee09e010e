"""What "standards" tools share: rated standards, a summary judgement, and its rules.

A standards tool (the children's and adults' case file audits, the supervision
audit) asks a list of questions rated Met / Partially met / Not met / Not
applicable, then asks the auditor for their own overall judgement. The rules
that judgement follows are the same in every such tool and live here, once:

1. **Counts** are taken over the tool's rated questions: Met, Partially met and
   Not met are counted, Not applicable apart, unanswered questions not at all.
2. **Suggested overall rating** (:func:`suggest_rating`): *Not met* if the
   tool's forcing rule applies (a capping standard is Not met, or a flag is
   raised) or if half or more of the applicable ratings are Not met; *Met* if
   none is Not met and at most one is Partially met; otherwise *Partially met*.
3. **Suggested grade** follows the rating on the grade scale the tool grades on
   (the council's choice, else the tool's own: :mod:`core.grading`): Met ->
   Good, Partially met -> Adequate (Requires improvement to be good on Ofsted's
   scale), Not met -> Inadequate. Outstanding is never suggested: it is the
   auditor's judgement, where the scale offers it.
4. **Grade cap** (:class:`GradeCap`): a tool may name one standard whose Not met
   caps the grade at the scale's lowest (Inadequate); a higher grade cannot be
   submitted, whatever the reason given. Where the service's *persistently*
   setting is on (:func:`cap_rule_setting`), only a Not met in this audit and in
   the previous submitted audit of the same case caps the grade.
5. **Judgement** (:func:`check_judgement`): the auditor's overall rating and
   grade are their own. Where either differs from the suggestion, both are
   recorded and a reason is required.
6. **Outstanding**, on the framework report's scale, is offered and accepted only
   where the service has switched on the tool's *Offer the Outstanding grade*
   setting (:func:`outstanding_setting`); Ofsted's scale always offers it.

Grades are offered and named by the scale core passes in ``settings``
(:func:`core.grading.scale_of`), so a tool built on these helpers follows the
council's choice of scale and its words with no change of its own.

Everything here is a pure function of answers and settings: no database, no app.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from core.grading.scales import FRAMEWORK, OUTSTANDING_GRADE, GradeScale, scale_of
from core.models import Case, CaseCategory, Grade, Rating
from core.tools.info import SettingSpec
from core.tools.questions import AnswerSet, AnswerValue, Option, Question, QuestionKind, Section
from core.tools.results import AnswerProblem, Score, count_ratings

# -- the summary's questions ------------------------------------------------------

#: Answer keys of the summary section, the same in every standards tool so that
#: shared reports and the audit pages read them alike.
OVERALL_RATING = "overall_rating"
OVERALL_GRADE = "overall_grade"
JUDGEMENT_REASON = "judgement_reason"
STRENGTHS = "strengths"
AREAS_FOR_DEVELOPMENT = "areas_for_development"

#: The summary section's label and key unless a tool names its own (the children's
#: and adults' forms call it "Standard 14", as on their paper forms).
SUMMARY_LABEL = "Overall judgement"
SUMMARY_KEY = "summary"

#: The per-service setting that switches the Outstanding grade on (framework scale):
#: re-exported from :mod:`core.grading.scales`, where the scale reads it.
OUTSTANDING_GRADE = OUTSTANDING_GRADE

#: The per-service setting that makes a grade cap apply only to a *persistent* Not met.
CAP_PERSISTENTLY = "cap_persistently"


def outstanding_setting(hint: str) -> SettingSpec:
    """The *Offer the Outstanding grade* setting (off by default), with the tool's own hint."""
    return SettingSpec(
        key=OUTSTANDING_GRADE,
        label="Offer the Outstanding grade",
        kind="bool",
        default=False,
        hint=f"{hint} Ofsted’s four-point scale, where the council grades on it, always "
        "offers Outstanding.",
    )


def cap_rule_setting(label: str, hint: str) -> SettingSpec:
    """The setting that caps the grade only when the capping standard is *persistently*
    Not met: in this audit and in the previous submitted audit of the same case with
    the same tool. Off by default: any Not met caps the grade."""
    return SettingSpec(key=CAP_PERSISTENTLY, label=label, kind="bool", default=False, hint=hint)


def cap_persistently(settings: Mapping[str, Any] | None) -> bool:
    """Whether the service caps the grade only on a persistent Not met."""
    return bool((settings or {}).get(CAP_PERSISTENTLY))


def outstanding_allowed(settings: Mapping[str, Any] | None) -> bool:
    """Whether Outstanding is offered: always on Ofsted's scale; on the framework
    report's, only where the service switched it on."""
    return Grade.OUTSTANDING in scale_of(settings).offered(settings)


def grade_options(settings: Mapping[str, Any] | None) -> tuple[Option, ...]:
    """The grades of the scale in ``settings`` (the framework report's without one), in
    the council's words and order: Inadequate, Adequate and Good, with Outstanding where
    the service switched it on; or Ofsted's four points."""
    scale = scale_of(settings)
    return tuple(Option(g.value, scale.label(g)) for g in scale.offered(settings))


def summary_section(
    question_text: str,
    guidance: tuple[str, ...],
    settings: Mapping[str, Any] | None,
    *,
    label: str = SUMMARY_LABEL,
    key: str = SUMMARY_KEY,
    title: str | None = None,
    suggested_from: str = "the standards",
    rated_across: str | None = None,
) -> Section:
    """The summary: overall rating, overall grade, the reason for a differing judgement,
    areas of strength and areas for development.

    ``question_text`` and ``guidance`` are the overall rating's own words;
    ``label`` and ``key`` name the section (neutral by default: a tool whose
    paper form numbers the summary, like the children's "Standard 14", passes
    its own);
    ``title`` is the section's (the question itself unless given);
    ``suggested_from`` ends the reason's guidance ("... suggested from the
    standards."). The grades offered follow :func:`grade_options`.

    The rating and the grade are two different judgements, and their hints say
    so: the rating is across ``rated_across`` (``suggested_from`` unless given)
    on the three-point scale; the grade is the auditor's overall judgement of the
    quality of practice, on the council's grade scale.
    """
    scale = scale_of(settings)
    offered = scale.offered(settings)
    return Section(
        key=key,
        label=label,
        title=title if title is not None else question_text,
        questions=(
            Question(
                key=OVERALL_RATING,
                name="the overall rating",
                text=question_text,
                kind=QuestionKind.RATING,
                guidance=guidance,
                hint=f"Your rating across {rated_across or suggested_from}: Met, "
                "Partially met or Not met.",
                allow_not_applicable=False,
                has_comment=False,
            ),
            Question(
                key=OVERALL_GRADE,
                name="the overall grade",
                text="Overall grade",
                kind=QuestionKind.CHOICE,
                hint="Your overall judgement of the quality of practice, on the council’s "
                f"grade scale: {scale.words(offered)}.",
                options=grade_options(settings),
            ),
            Question(
                key=JUDGEMENT_REASON,
                name="why your judgement differs from the suggested rating or grade",
                text="If your overall rating or grade differs from the suggestion, why?",
                kind=QuestionKind.TEXT,
                required=False,
                guidance=(
                    "Needed only when your judgement differs from the rating or grade "
                    f"suggested from {suggested_from}.",
                ),
            ),
            Question(
                key=STRENGTHS,
                name="the areas of strength",
                text="Areas of strength",
                kind=QuestionKind.TEXT,
            ),
            Question(
                key=AREAS_FOR_DEVELOPMENT,
                name="the areas for development",
                text="Areas for development",
                kind=QuestionKind.TEXT,
            ),
        ),
    )


# -- numbered standards --------------------------------------------------------------


@dataclass(frozen=True)
class Standard:
    """One numbered standard of a case file audit, rated on the three-point scale."""

    number: int
    question: str
    guidance: tuple[str, ...] = ()
    #: How to rate this standard, shown under the question itself.
    hint: str = ""
    #: Categories of case where the standard cannot apply: offered as Not applicable.
    #: Matched on the case's ``category_kind``, so a council's own category
    #: treated as one of these gets the same offer.
    not_applicable_for: frozenset[CaseCategory] = frozenset()
    not_applicable_reason: str = ""

    @property
    def key(self) -> str:
        return f"standard_{self.number}"

    def offered_as_not_applicable(self, case: Case | None) -> bool:
        """True when the case's category (or what the council treats it as) means the
        standard cannot apply."""
        return case is not None and case.category_kind in self.not_applicable_for


def rated_question(standard: Standard, case: Case | None) -> Question:
    """The standard's rating question, pre-set to Not applicable (with why) where it cannot apply.

    The pre-set is only an offer: the auditor can change it.
    """
    preset = standard.offered_as_not_applicable(case)
    return Question(
        key=standard.key,
        name=f"standard {standard.number}",
        text=standard.question,
        kind=QuestionKind.RATING,
        guidance=standard.guidance,
        hint=standard.hint,
        initial=Rating.NOT_APPLICABLE.value if preset else None,
        initial_reason=(
            f"Offered as Not applicable because {standard.not_applicable_reason}. "
            "Change it if the standard does apply."
            if preset
            else ""
        ),
    )


def standard_section(
    standard: Standard, case: Case | None, extra: Sequence[Question] = ()
) -> Section:
    """A section "Standard N": the rating question, then any ``extra`` questions."""
    return Section(
        key=standard.key,
        label=f"Standard {standard.number}",
        title=standard.question,
        questions=(rated_question(standard, case), *extra),
    )


# -- scoring -------------------------------------------------------------------------

#: Rule 3 on the framework report's scale: the grade a rating suggests. A tool
#: that takes ``settings`` asks the scale in them instead
#: (``scale_of(settings).suggested(rating)``), so it follows the council's scale.
GRADE_FOR_RATING = dict(FRAMEWORK.for_rating)


def suggest_rating(counts: Mapping[Rating, int], forced_not_met: bool) -> Rating | None:
    """Rule 2: the overall rating the counts suggest.

    Not met if ``forced_not_met`` (the tool's capping standard is Not met, or
    its flag is raised) or if half or more of the applicable ratings are Not
    met; Met if none is Not met and at most one is Partially met; otherwise
    Partially met. None while nothing is rated and nothing forces Not met.
    """
    applicable = counts[Rating.MET] + counts[Rating.PARTIALLY_MET] + counts[Rating.NOT_MET]
    if applicable == 0 and not forced_not_met:
        return None
    if forced_not_met or 2 * counts[Rating.NOT_MET] >= applicable:
        return Rating.NOT_MET
    if counts[Rating.NOT_MET] == 0 and counts[Rating.PARTIALLY_MET] <= 1:
        return Rating.MET
    return Rating.PARTIALLY_MET


def parse_grade(value: str | None) -> Grade | None:
    """A stored grade value as a ``Grade``; None when blank or not a grade."""
    try:
        return Grade(value) if value else None
    except ValueError:
        return None


@dataclass(frozen=True)
class GradeCap:
    """Rule 4: a standard whose Not met forces the suggestion to Not met and caps the
    grade at the scale's lowest (Inadequate).

    In the words, ``{lowest}`` stands for the lowest grade as the council names it.
    """

    #: The capping standard's answer key.
    key: str
    #: Shown to the auditor with the suggestion when the cap applies.
    note: str
    #: The error when a grade above the lowest is submitted under the cap.
    message: str
    #: Shown instead of ``note`` when the service caps only a persistent Not met and
    #: the standard is Not met in this audit and the previous one of the case.
    persistent_note: str = ""
    #: Shown when the service caps only a persistent Not met and this audit's Not met
    #: is not (no previous audit of the case, or it was not Not met there).
    not_persistent_note: str = ""

    def applies(
        self, answers: AnswerSet, previous: AnswerSet | None = None, persistently: bool = False
    ) -> bool:
        """True when the capping standard is rated Not met; when ``persistently``, only
        if it was Not met in the ``previous`` audit of the case too."""
        if not _not_met(answers, self.key):
            return False
        return not persistently or (previous is not None and _not_met(previous, self.key))

    def words(self, text: str, scale: GradeScale) -> str:
        """``text`` with ``{lowest}`` in the council's words."""
        return text.replace("{lowest}", scale.label(scale.lowest))


def _not_met(answers: AnswerSet, key: str) -> bool:
    answer = answers.get(key)
    return answer is not None and answer.rating is Rating.NOT_MET


def score_standards(
    answers: AnswerSet,
    keys: Iterable[str],
    *,
    cap: GradeCap | None = None,
    forced_not_met: bool = False,
    notes: Iterable[str] = (),
    derived: Mapping[str, AnswerValue] | None = None,
    settings: Mapping[str, Any] | None = None,
    previous: AnswerSet | None = None,
) -> Score:
    """Rules 1 to 4: the counts over ``keys``, the suggestion, the cap, and the
    auditor's own rating and grade read from the answers.

    The suggestion is forced to Not met when ``forced_not_met`` is set (a flag)
    or ``cap`` applies; only ``cap`` also caps the grade at the lowest, and its
    note comes before ``notes``. ``derived`` answers are passed on as they are.
    ``settings`` give the grade scale (the framework report's without) and the
    cap rule: where it is *persistently*, ``cap`` applies only if its standard
    was Not met in ``previous`` too (the answers of the previous submitted audit
    of the case, None when there is none).
    """
    scale = scale_of(settings)
    persistently = cap_persistently(settings)
    counts, not_applicable = count_ratings(answers, keys)
    capping = cap if cap is not None and cap.applies(answers, previous, persistently) else None
    cap_notes: tuple[str, ...] = ()
    if capping is not None:
        text = capping.persistent_note if persistently and capping.persistent_note else capping.note
        cap_notes = (capping.words(text, scale),)
    elif cap is not None and persistently and cap.not_persistent_note and cap.applies(answers):
        cap_notes = (cap.words(cap.not_persistent_note, scale),)
    suggested = suggest_rating(counts, forced_not_met or capping is not None)
    overall = answers.get(OVERALL_RATING)
    grade = answers.get(OVERALL_GRADE)
    return Score(
        counts=dict(counts),
        not_applicable=not_applicable,
        suggested_rating=suggested,
        suggested_grade=scale.suggested(suggested),
        highest_grade=scale.lowest if capping else None,
        overall_rating=overall.rating if overall else None,
        grade=parse_grade(grade.value if grade else None),
        notes=cap_notes + tuple(notes),
        derived=dict(derived or {}),
    )


def check_judgement(
    answers: AnswerSet,
    score: Score,
    settings: Mapping[str, Any] | None,
    cap: GradeCap | None = None,
) -> list[AnswerProblem]:
    """Rules 6, 4 and 5, in that order, as problems on the summary's questions.

    A grade of the scale that the service does not offer (Outstanding, unless
    switched on) is refused, and so is a grade not on the scale at all (a draft
    graded before the council changed scale); a grade above the score's highest grade is refused
    with ``cap.message`` (a plain message when no ``cap`` is given); a judgement
    that differs from the suggestion needs a reason. Grades are named in the
    council's words, from the scale in ``settings``.
    """
    scale = scale_of(settings)
    offered = scale.offered(settings)
    problems = []
    if score.grade is not None and score.grade in scale.grades and score.grade not in offered:
        problems.append(
            AnswerProblem(
                OVERALL_GRADE,
                f"{scale.label(score.grade)} is not used in this service yet: choose "
                f"{scale.words(offered)}",
            )
        )
    elif score.grade is not None and score.grade not in scale.grades:
        # A draft graded before the council changed scale: its grade is no longer offered.
        problems.append(
            AnswerProblem(
                OVERALL_GRADE,
                f"{scale.label(score.grade)} is no longer one of the council’s grades: choose "
                f"{scale.words(offered)}",
            )
        )
    highest = score.highest_grade
    if highest is not None and score.grade is not None and score.grade.rank > highest.rank:
        message = (
            cap.words(cap.message, scale)
            if cap
            else f"The grade cannot be higher than {scale.label(highest)}"
        )
        problems.append(AnswerProblem(OVERALL_GRADE, message))
    reason = answers.get(JUDGEMENT_REASON)
    if score.differs_from_suggestion and not (reason and reason.value):
        problems.append(
            AnswerProblem(
                JUDGEMENT_REASON,
                "Enter why your overall rating or grade differs from the suggestion",
            )
        )
    return problems


# -- demo answers ---------------------------------------------------------------------

#: Chance of Met, Partially met, Not met for a record of each overall quality.
DEMO_PROFILES: Mapping[str, tuple[float, float, float]] = {
    "good": (0.75, 0.2, 0.05),
    "mixed": (0.25, 0.6, 0.15),
    "poor": (0.1, 0.35, 0.55),
}
#: Share of records of each quality: the framework report found 15% met, 70%
#: partially met and 15% not met.
DEMO_QUALITY_WEIGHTS: tuple[tuple[str, float], ...] = (
    ("good", 0.15),
    ("mixed", 0.7),
    ("poor", 0.15),
)


def demo_quality(
    rng: random.Random, weights: Sequence[tuple[str, float]] = DEMO_QUALITY_WEIGHTS
) -> str:
    """A demo record's overall quality, drawn by ``weights``."""
    return rng.choices([q for q, _ in weights], [w for _, w in weights])[0]


def demo_rating(rng: random.Random, weights: tuple[float, float, float]) -> Rating:
    """Met, Partially met or Not met, drawn by ``weights`` (e.g. one of ``DEMO_PROFILES``)."""
    return rng.choices([Rating.MET, Rating.PARTIALLY_MET, Rating.NOT_MET], weights)[0]


#: Why a demo auditor's judgement differs from the suggestion.
DEMO_DIFFERING_REASON = (
    "The overall picture is stronger or weaker than the count suggests; "
    "discussed with the team manager."
)


def demo_judgement(
    rng: random.Random, score: Score, reason: str = DEMO_DIFFERING_REASON
) -> tuple[Rating, str | None]:
    """A demo auditor's overall rating, and their reason when it differs.

    Usually the suggestion (Partially met when there is none); one time in ten,
    unless the grade is capped, another of Met and Partially met, with ``reason``.
    """
    overall = score.suggested_rating or Rating.PARTIALLY_MET
    if rng.random() < 0.1 and score.highest_grade is None:
        overall = rng.choice(
            [r for r in (Rating.MET, Rating.PARTIALLY_MET) if r != overall] or [overall]
        )
        return overall, reason
    return overall, None


def demo_summary_answers(
    rng: random.Random,
    overall: Rating,
    strengths: Sequence[str],
    developments: Sequence[str],
    reason: str | None = None,
    scale: GradeScale = FRAMEWORK,
) -> dict[str, AnswerValue]:
    """The summary's demo answers: the reason (if any), ``overall`` and the grade it
    suggests on ``scale``, one of ``strengths`` and one of ``developments``."""
    answers: dict[str, AnswerValue] = {}
    if reason:
        answers[JUDGEMENT_REASON] = AnswerValue(None, reason)
    answers[OVERALL_RATING] = AnswerValue(overall)
    answers[OVERALL_GRADE] = AnswerValue(None, scale.for_rating[overall].value)
    answers[STRENGTHS] = AnswerValue(None, rng.choice(strengths))
    answers[AREAS_FOR_DEVELOPMENT] = AnswerValue(None, rng.choice(developments))
    return answers
