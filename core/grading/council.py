"""The council's grade scale: read for every form, score and report; changed by administrators.

One council-wide row (``CouncilGradeScale``). Until one is saved, each tool
grades on the scale it declares (``ToolInfo.grade_scale``), in each grade's
own words. Once an administrator chooses a scale, every tool grades on it;
their words for grades apply whichever scale is used, to old audits too.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import g, has_app_context
from sqlalchemy import func, select

from core import setup_cache, trail
from core.extensions import db
from core.grading.scales import SCALES, GradeScale, scale_named
from core.models import Audit, AuditStatus, CouncilGradeScale, Grade, User

#: The longest word for a grade an administrator may type (fits a report's column).
MAX_LABEL = 60
#: Where the saved row's values are kept for the rest of the request (or command):
#: labels are read for every grade shown on a page.
_CACHE = "careaudit_grade_scale"
#: And each scale built from them, by the tool's default (a report labels a thousand grades).
_SCALES = "careaudit_grade_scales"


def current_choice() -> CouncilGradeScale:
    """The saved row, or an empty one (not added to the session) if none is saved."""
    row = db.session.scalar(select(CouncilGradeScale).order_by(CouncilGradeScale.id))
    if row is None:
        row = CouncilGradeScale(scale=None, labels={}, best_first=False)
    return row


def _saved() -> tuple[str | None, dict[str, str], bool]:
    """The saved choice; nothing saved outside an app (a tool's own tests build a
    registry with no database)."""
    if not has_app_context():
        return None, {}, False
    if _CACHE in g:
        return g.get(_CACHE)
    values = setup_cache.kept(("grade scale",), _read_choice)
    setattr(g, _CACHE, values)
    return values


def _read_choice() -> tuple[str | None, dict[str, str], bool]:
    row = current_choice()
    return row.scale, dict(row.labels or {}), bool(row.best_first)


def forget() -> None:
    """Drop the values kept for this request (after a change, or in tests)."""
    if has_app_context():
        g.pop(_CACHE, None)
        g.pop(_SCALES, None)


def council_scale(tool_default: str | None = None) -> GradeScale:
    """The scale a tool grades on: the council's choice, else ``tool_default``, in the
    council's words."""
    built: dict[str | None, GradeScale] | None = None
    if has_app_context():
        built = g.setdefault(_SCALES, {})
        if tool_default in built:
            return built[tool_default]
    relabelled = setup_cache.kept(("grade scale", tool_default), lambda: _build(tool_default))
    if built is not None:
        built[tool_default] = relabelled
    return relabelled


def _build(tool_default: str | None) -> GradeScale:
    chosen, labels, best_first = _saved()
    scale = scale_named(chosen or tool_default)
    known = {grade.value for grade in Grade}
    return scale.relabelled({k: v for k, v in labels.items() if k in known}, best_first)


def grade_label(code: str | None) -> str:
    """The words for a stored grade code, as the council says them (old grades too)."""
    return council_scale().label(code)


def save_choice(
    scale: str | None, labels: Mapping[str, str], best_first: bool, user: User | None
) -> CouncilGradeScale:
    """Change the council's scale and words, and record the change in the trail.

    ``labels`` blank for a grade means its own words. The caller commits. Audits
    keep the grade codes they were given; only what new audits are offered changes.
    """
    row = current_choice()
    fields = ("scale", "labels", "best_first")
    was = trail.snapshot(row, *fields)
    row.scale = scale
    row.labels = {code: text.strip() for code, text in labels.items() if text and text.strip()}
    row.best_first = best_first
    row.updated_by_id = user.id if user is not None else None
    db.session.add(row)
    before, after = trail.changes(was, trail.snapshot(row, *fields))
    if after:
        chosen = scale_named(scale).title if scale else "each audit tool’s own"
        trail.record(
            "grading.scale_updated",
            row,
            summary=f"Grade scale: {chosen}",
            before=before,
            after=after,
        )
    forget()
    return row


# -- the administrator's form ------------------------------------------------------------

#: The form's choice for "each tool's own scale" (no council-wide scale).
EACH_TOOL = "tools"
#: The form's choices of order.
WORST_FIRST, BEST_FIRST = "worst_first", "best_first"


def form_values(row: CouncilGradeScale | None = None) -> dict[str, str]:
    """The form's values for the saved choice (or ``row``)."""
    row = row if row is not None else current_choice()
    labels = row.labels or {}
    return {
        "scale": row.scale or EACH_TOOL,
        "order": BEST_FIRST if row.best_first else WORST_FIRST,
        **{f"label-{grade.value}": str(labels.get(grade.value, "")) for grade in Grade},
    }


def read_form(
    form: Mapping[str, str],
) -> tuple[dict[str, str], dict[str, str], tuple[str | None, dict[str, str], bool] | None]:
    """The posted form as (values kept to show again, errors by field, the choice or None).

    Errors in GOV.UK words: a scale and an order must be chosen; a grade's words are
    at most :data:`MAX_LABEL` characters; two grades of one scale cannot share words,
    or an auditor could not tell them apart.
    """
    values = {
        "scale": (form.get("scale") or "").strip(),
        "order": (form.get("order") or "").strip(),
        **{
            f"label-{grade.value}": (form.get(f"label-{grade.value}") or "").strip()
            for grade in Grade
        },
    }
    errors: dict[str, str] = {}
    if values["scale"] != EACH_TOOL and values["scale"] not in SCALES:
        errors["scale"] = "Select the grade scale the council uses"
    if values["order"] not in (WORST_FIRST, BEST_FIRST):
        errors["order"] = "Select the order the grades are shown in"
    for grade in Grade:
        name = f"label-{grade.value}"
        if len(values[name]) > MAX_LABEL:
            errors[name] = (
                f"The council’s words for {grade.label} must be {MAX_LABEL} characters or fewer"
            )
    labels = {grade: values[f"label-{grade.value}"] or grade.label for grade in Grade}
    # Every scale the council may grade on: the chosen one, or any tool's own.
    scales = [SCALES[values["scale"]]] if values["scale"] in SCALES else list(SCALES.values())
    for scale in scales:
        seen: dict[str, Grade] = {}
        for grade in scale.grades:
            key = " ".join(labels[grade].lower().split())
            name = f"label-{grade.value}"
            if key in seen and name not in errors:
                errors[name] = (
                    f"The words for {grade.label} must be different from the words for "
                    f"{seen[key].label}, “{labels[grade]}”"
                )
            seen.setdefault(key, grade)
    if errors:
        return values, errors, None
    chosen = None if values["scale"] == EACH_TOOL else values["scale"]
    words = {grade.value: values[f"label-{grade.value}"] for grade in Grade}
    return values, errors, (chosen, words, values["order"] == BEST_FIRST)


def grades_in_use() -> dict[str, int]:
    """How many submitted audits have each grade code, for the administrator to see what
    an old grade's words will keep showing on."""
    rows = db.session.execute(
        select(Audit.grade, func.count(Audit.id))
        .where(Audit.status == AuditStatus.SUBMITTED, Audit.grade.is_not(None))
        .group_by(Audit.grade)
    )
    return {code: n for code, n in rows if code}
