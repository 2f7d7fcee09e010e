"""Grade scales as data: which grades an audit can be given, in what order, in what words.

Two scales are built in:

* the framework report's (:data:`FRAMEWORK`): Inadequate, Adequate, Good, with
  Outstanding "at a later date once use of the new format is well established",
  so Outstanding is offered only where a service switches it on
  (:data:`OUTSTANDING_OPTIONAL`);
* Ofsted's four-point scale (:data:`OFSTED`), used for inspections of local
  authority children's services since 2014: Inadequate, Requires improvement to
  be good, Good, Outstanding. All four points are always offered.

A tool declares its default scale (``ToolInfo.grade_scale``); a council may
choose one scale for every tool and relabel its grades (``core.grading.council``).
Scales hold ``Grade`` codes, and audits store codes, so an audit graded on one
scale keeps its grade, and its words, when the council changes scale.

Everything here is pure: no database, no app.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from core.models.audits import Grade, Rating

#: The key under which core passes the scale to a tool's hooks, inside ``settings``.
GRADE_SCALE = "grade_scale"
#: The framework scale's setting that switches Outstanding on, per service and tool.
OUTSTANDING_GRADE = "outstanding_grade"


@dataclass(frozen=True)
class GradeScale:
    """An ordered grade scale: its grades worst first, their words, and what a rating suggests."""

    #: Stable code (stored as the council's choice): ``framework`` or ``ofsted``.
    code: str
    #: How administrators see the scale named.
    title: str
    #: The scale's grades, worst first.
    grades: tuple[Grade, ...]
    #: The grade each overall rating suggests.
    for_rating: Mapping[Rating, Grade]
    #: Grades offered only where the service's *Offer the Outstanding grade* setting is on.
    optional: frozenset[Grade] = frozenset()
    #: The council's words for grades, over each grade's own (``Grade.label``).
    labels: Mapping[Grade, str] = field(default_factory=dict)
    #: Show the grades best first (forms, reports) rather than worst first.
    best_first: bool = False

    def label(self, grade: Grade | str | None) -> str:
        """The words for a grade or stored grade code, on this scale or not (an old audit's).

        A code that is not a grade at all is shown as it is stored.
        """
        if grade is None or grade == "":
            return ""
        try:
            member = Grade(grade)
        except ValueError:
            return str(grade)
        return self.labels.get(member) or member.label

    def offered(self, settings: Mapping[str, Any] | None = None) -> tuple[Grade, ...]:
        """The grades a form offers, in display order; optional ones only where switched on."""
        allow_optional = bool((settings or {}).get(OUTSTANDING_GRADE))
        grades = tuple(g for g in self.grades if allow_optional or g not in self.optional)
        return self.in_order(grades)

    def in_order(self, grades: Iterable[Grade | str]) -> tuple[Grade, ...]:
        """``grades`` in this scale's display order; grades not on the scale by rank, after."""
        members = [Grade(g) for g in grades]
        position = {g: i for i, g in enumerate(self.grades)}
        on = sorted((g for g in members if g in position), key=position.__getitem__)
        off = sorted((g for g in members if g not in position), key=lambda g: g.rank)
        if self.best_first:
            return (*reversed(on), *reversed(off))
        return (*on, *off)

    def suggested(self, rating: Rating | None) -> Grade | None:
        """The grade an overall rating suggests on this scale (None for no rating)."""
        return self.for_rating.get(rating) if rating is not None else None

    def report_columns(self, present: Iterable[str] = ()) -> tuple[str, ...]:
        """The grade codes a report counts, best first: the scale's grades (an optional
        one only if ``present``), then any other ``present`` code, such as an old
        audit's Adequate on Ofsted's scale. Reports always list best first."""
        codes = {str(code) for code in present if code}
        known = {grade.value for grade in Grade}
        grades = [g for g in self.grades if g not in self.optional or g.value in codes]
        grades += [Grade(c) for c in codes if c in known and Grade(c) not in grades]
        position = {g: i for i, g in enumerate(self.grades)}
        # Best first: by rank, and on one rank the scale's own grade before an old one.
        ordered = sorted(grades, key=lambda g: (-g.rank, g not in position))
        return (*(g.value for g in ordered), *sorted(codes - known))

    @property
    def lowest(self) -> Grade:
        return self.grades[0]

    def relabelled(self, labels: Mapping[str, str], best_first: bool | None = None) -> GradeScale:
        """This scale with a council's words for grades (blank words keep the grade's own)."""
        words = {Grade(code): text.strip() for code, text in labels.items() if (text or "").strip()}
        return replace(
            self,
            labels=words,
            best_first=self.best_first if best_first is None else best_first,
        )

    def words(self, grades: Iterable[Grade]) -> str:
        """Grades' words as a list in a sentence: "Inadequate, Adequate or Good"."""
        names = [self.label(g) for g in grades]
        if len(names) < 2:
            return "".join(names)
        return f"{', '.join(names[:-1])} or {names[-1]}"


#: The framework report's scale: "an overall grade will be allocated and at this stage the
#: grading should use 'inadequate/adequate/good' with the possibility of introducing
#: 'outstanding' at a later date".
FRAMEWORK = GradeScale(
    code="framework",
    title="The framework report’s: Inadequate, Adequate, Good (and Outstanding where a "
    "service offers it)",
    grades=(Grade.INADEQUATE, Grade.ADEQUATE, Grade.GOOD, Grade.OUTSTANDING),
    for_rating={
        Rating.MET: Grade.GOOD,
        Rating.PARTIALLY_MET: Grade.ADEQUATE,
        Rating.NOT_MET: Grade.INADEQUATE,
    },
    optional=frozenset({Grade.OUTSTANDING}),
)

#: Ofsted's four-point scale for inspections of local authority children's services.
OFSTED = GradeScale(
    code="ofsted",
    title="Ofsted’s four-point scale: Inadequate, Requires improvement to be good, Good, "
    "Outstanding",
    grades=(Grade.INADEQUATE, Grade.REQUIRES_IMPROVEMENT, Grade.GOOD, Grade.OUTSTANDING),
    for_rating={
        Rating.MET: Grade.GOOD,
        Rating.PARTIALLY_MET: Grade.REQUIRES_IMPROVEMENT,
        Rating.NOT_MET: Grade.INADEQUATE,
    },
)

#: The built-in scales by code, in the order administrators are offered them.
SCALES: Mapping[str, GradeScale] = {scale.code: scale for scale in (FRAMEWORK, OFSTED)}
#: The scale of a tool that declares none.
DEFAULT_SCALE = FRAMEWORK.code


def scale_named(code: str | None) -> GradeScale:
    """The built-in scale with ``code``; the framework report's for an unknown code."""
    return SCALES.get(code or "", FRAMEWORK)


def scale_of(settings: Mapping[str, Any] | None) -> GradeScale:
    """The scale core passed to a hook in ``settings``; the framework report's without one.

    Without one: a tool's own tests, or a caller that passes no settings.
    """
    scale = (settings or {}).get(GRADE_SCALE)
    return scale if isinstance(scale, GradeScale) else FRAMEWORK
