"""Case categories as data: the defaults every council starts with, and finding them.

The migration that made categories data wrote the same defaults; this module
is how the demo, the tests and a fresh directorate get them.
"""

from __future__ import annotations

from sqlalchemy import select

from core.extensions import db
from core.models import CaseCategory, Category, Directorate
from core.models.cases import DEFAULT_RISK_WEIGHTS

DIRECTORATE_NAMES = {"children": "Children’s social care", "adults": "Adults’ social care"}


def ensure_defaults() -> dict[str, Directorate]:
    """Create the two directorates and the well-known categories where missing.

    Idempotent: existing rows (and an administrator's changes to them) are
    kept. Returns the directorates by code. Flushes, does not commit.
    """
    directorates = {d.code: d for d in db.session.scalars(select(Directorate))}
    for code, name in DIRECTORATE_NAMES.items():
        if code not in directorates:
            directorates[code] = Directorate(code=code, name=name)
            db.session.add(directorates[code])
    db.session.flush()
    known = set(db.session.scalars(select(Category.code)))
    for member in CaseCategory:
        if member.value not in known:
            db.session.add(
                Category(
                    directorate_id=directorates[member.directorate_code].id,
                    code=member.value,
                    label=member.label,
                    risk_weight=DEFAULT_RISK_WEIGHTS.get(member, 1.0),
                )
            )
    db.session.flush()
    return directorates


def categories_for(directorate_id: int | None = None, active_only: bool = True) -> list[Category]:
    statement = select(Category).order_by(Category.label)
    if directorate_id is not None:
        statement = statement.where(Category.directorate_id == directorate_id)
    if active_only:
        statement = statement.where(Category.active.is_(True))
    return list(db.session.scalars(statement))


def risk_weights() -> dict[str, float]:
    """Each category's weight in the allocation draw, by code."""
    return dict(db.session.execute(select(Category.code, Category.risk_weight)).all())
