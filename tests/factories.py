"""Small, explicit builders for test data. All data is synthetic.

The borough itself is published with the pytest plugin (core/testing/borough.py), so
careaudit's tests and an outside package's build the same council.
"""

from __future__ import annotations

from core.extensions import db
from core.models import CaseCategory, Role
from core.testing.borough import PASSWORD, Borough, build_borough, make_case, make_user
from core.tools.registry import get_registry

__all__ = [
    "PASSWORD",
    "Borough",
    "add_programme",
    "build_borough",
    "children_form",
    "make_case",
    "make_user",
]


def children_form(
    ratings: dict[int, str] | None = None,
    default: str = "partially_met",
    overall: str = "partially_met",
    grade: str = "adequate",
    **extra: str,
) -> dict[str, str]:
    """POST data for a complete children's audit: every standard rated, evidence given.

    ``ratings`` overrides the rating of single standards by number.
    """
    ratings = ratings or {}
    data: dict[str, str] = {}
    for number in range(1, 14):
        rating = ratings.get(number, default)
        data[f"standard_{number}"] = rating
        data[f"standard_{number}__comment"] = f"Evidence for standard {number}."
    for item in ("pep", "health", "sdq"):
        data[f"standard_6_{item}"] = (
            "not_applicable" if data["standard_6"] == ("not_applicable") else "yes"
        )
    data.update(
        overall_rating=overall,
        overall_grade=grade,
        strengths="Child seen alone at every visit.",
        areas_for_development="Update the chronology.",
    )
    data.update(extra)
    return data


def add_programme(borough: Borough) -> Borough:
    """The report's default rules, a fuller CIN North team and a Children in Care caseload."""
    from core.programme.rules import default_rules

    extra = make_user("worker_two", Role.SOCIAL_WORKER, team=borough.north)
    for n in range(10):
        worker = borough.user("worker") if n % 2 else extra
        category = CaseCategory.CHILD_PROTECTION if n < 3 else CaseCategory.CHILD_IN_NEED
        make_case(f"C5000{n:02d}", borough.north, category, worker)
    for n in range(6):
        make_case(f"C6000{n:02d}", borough.care, CaseCategory.LOOKED_AFTER)
    default_rules(get_registry())
    db.session.commit()
    return borough
