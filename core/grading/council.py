"""The council's grade scale: read for every form, score and report; changed by administrators.

One council-wide row (``CouncilGradeScale``). Until one is saved, each tool
grades on the scale it declares (``ToolInfo.grade_scale``), in each grade's
own words. Once an administrator chooses a scale, every tool grades on it;
their words for grades apply whichever scale is used, to old audits too.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import g, has_app_context
from sqlalchemy import select

from core import trail
from core.extensions import db
from core.grading.scales import FRAMEWORK, GradeScale, scale_named
from core.models import CouncilGradeScale, Grade, User

#: The longest word for a grade an administrator may type (fits a report's column).
MAX_LABEL = 60
#: Where the saved row's values are kept for the rest of the request (or command):
#: labels are read for every grade shown on a page.
_CACHE = "careaudit_grade_scale"


def current_choice() -> CouncilGradeScale:
    """The saved row, or an empty one (not added to the session) if none is saved."""
    row = db.session.scalar(select(CouncilGradeScale).order_by(CouncilGradeScale.id))
    if row is None:
        row = CouncilGradeScale(scale=None, labels={}, best_first=False)
    return row


def _saved() -> tuple[str | None, dict[str, str], bool]:
    if has_app_context() and _CACHE in g:
        return g.get(_CACHE)
    row = current_choice()
    values = (row.scale, dict(row.labels or {}), bool(row.best_first))
    if has_app_context():
        setattr(g, _CACHE, values)
    return values


def forget() -> None:
    """Drop the values kept for this request (after a change, or in tests)."""
    if has_app_context():
        g.pop(_CACHE, None)


def council_scale(tool_default: str | None = None) -> GradeScale:
    """The scale a tool grades on: the council's choice, else ``tool_default``, in the
    council's words."""
    chosen, labels, best_first = _saved()
    scale = scale_named(chosen or tool_default)
    known = {grade.value for grade in Grade}
    return scale.relabelled({k: v for k, v in labels.items() if k in known}, best_first)


def grade_label(code: str | None) -> str:
    """The words for a stored grade code, as the council says them (old grades too)."""
    if not has_app_context():
        return FRAMEWORK.label(code)
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
