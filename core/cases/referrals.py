"""Referrals from the CIN census: age bands, re-referrals, and linking them to case files.

The Department for Education's definition (children in need statistics): *a
re-referral occurs when a child is referred within 12 months of a previous
referral*. Read here as: a referral is a re-referral when the same child's
previous referral is dated on or after the same calendar day twelve months
earlier (a referral on 15 May 2026 after one on 15 May 2025 is a re-referral;
after one on 14 May 2025 it is not). Each referral is compared with the one
just before it, so in a chain every referral after the first is a re-referral
when it follows the previous one within 12 months. docs/rereferrals.md
explains this for leads.

A child is the census's ``LAchildID`` (the case reference), compared without
regard to letter case, as the case list is.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import bindparam, func, select, update

from core.extensions import db
from core.models import Case, Referral

#: The age bands at referral, by stable code (the re-referral theme's answers use these).
AGE_BAND_LABELS = {
    "unborn": "Unborn (pre-birth referral)",
    "under_4": "Under 4",
    "4_to_10": "4 to 10",
    "11_to_15": "11 to 15",
    "16_plus": "16 and over",
}

#: Rows per statement: well inside PostgreSQL's 65,535 bind parameters.
CHUNK = 5000


def age_band(
    date_of_birth: date | None, referral_date: date, expected_birth_date: date | None = None
) -> str | None:
    """The child's age band at referral: unborn, under 4, 4-10, 11-15, 16+.

    A child not yet born at the referral (a pre-birth referral: a birth date
    after the referral, or only an expected birth date) is ``unborn``. With
    neither date the band is unknown (``None``). The date of birth is used for
    this and never kept.
    """
    if date_of_birth is None:
        return "unborn" if expected_birth_date is not None else None
    if date_of_birth > referral_date:
        return "unborn"
    years = (
        referral_date.year
        - date_of_birth.year
        - ((referral_date.month, referral_date.day) < (date_of_birth.month, date_of_birth.day))
    )
    if years < 4:
        return "under_4"
    if years <= 10:
        return "4_to_10"
    if years <= 15:
        return "11_to_15"
    return "16_plus"


def twelve_months_before(day: date) -> date:
    """The same calendar day a year earlier (29 February falls back to the 28th)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def is_rereferral(previous: date | None, referral: date) -> bool:
    """Whether ``referral`` is within 12 months of the child's ``previous`` referral."""
    return previous is not None and twelve_months_before(referral) <= previous < referral


@dataclass(frozen=True)
class ReReferral:
    """A referral in the period that came within 12 months of the child's previous one."""

    referral_id: int
    child_reference: str
    referral_date: date
    previous_referral_date: date
    days_since_previous: int
    age_band: str | None
    case_id: int | None
    #: The case file's reference as careaudit has it (the census's id if no case file).
    case_reference: str
    #: The case file's team; ``None`` when the child has no case file in careaudit.
    team_id: int | None


def rereferrals(start: date, end: date) -> list[ReReferral]:
    """Referrals dated ``start`` to ``end`` (inclusive) that are re-referrals.

    One query: the period's referrals and those of the 12 months before it,
    with the linked case's reference and team. Ordered by date, then child.
    """
    rows = db.session.execute(
        select(
            Referral.id,
            Referral.child_reference,
            Referral.referral_date,
            Referral.age_band,
            Referral.case_id,
            Case.reference,
            Case.team_id,
        )
        .outerjoin(Case, Case.id == Referral.case_id)
        .where(Referral.referral_date.between(twelve_months_before(start), end))
    ).all()
    rows.sort(key=lambda r: (r.child_reference.upper(), r.referral_date))
    found: list[ReReferral] = []
    previous_child, previous_date = None, None
    for row in rows:
        child = row.child_reference.upper()
        previous = previous_date if child == previous_child else None
        if start <= row.referral_date and is_rereferral(previous, row.referral_date):
            assert previous is not None
            found.append(
                ReReferral(
                    referral_id=row.id,
                    child_reference=row.child_reference,
                    referral_date=row.referral_date,
                    previous_referral_date=previous,
                    days_since_previous=(row.referral_date - previous).days,
                    age_band=row.age_band,
                    case_id=row.case_id,
                    case_reference=row.reference or row.child_reference,
                    team_id=row.team_id,
                )
            )
        previous_child, previous_date = child, row.referral_date
    found.sort(key=lambda r: (r.referral_date, r.child_reference.upper()))
    return found


def referral_count(start: date, end: date) -> int:
    """How many referrals careaudit holds dated ``start`` to ``end`` (inclusive)."""
    return (
        db.session.scalar(
            select(func.count())
            .select_from(Referral)
            .where(Referral.referral_date.between(start, end))
        )
        or 0
    )


def _chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for index in range(0, len(items), CHUNK):
        yield items[index : index + CHUNK]


def link_referrals(references: Iterable[str] | None = None) -> int:
    """Link referrals kept without a case file to the case file with their reference.

    Call after creating case files (the case list import does, and so does
    every census import). ``references`` limits the work to those case
    references; by default every unlinked referral is tried. Returns how many
    referrals were linked. Writes in bulk; does not commit.
    """
    statement = select(Referral.id, Referral.child_reference).where(Referral.case_id.is_(None))
    if db.session.scalar(statement.limit(1)) is None:
        return 0  # the usual night: every referral already has its case file
    if references is not None:
        wanted = sorted({r.upper() for r in references if r})
        if not wanted:
            return 0
        unlinked = []
        for chunk in _chunks(wanted):
            unlinked += db.session.execute(
                statement.where(func.upper(Referral.child_reference).in_(chunk))
            ).all()
    else:
        unlinked = list(db.session.execute(statement).all())
    if not unlinked:
        return 0
    needed = sorted({reference.upper() for _, reference in unlinked})
    case_ids: dict[str, int] = {}
    for chunk in _chunks(needed):
        for case_id, reference in db.session.execute(
            select(Case.id, Case.reference).where(func.upper(Case.reference).in_(chunk))
        ):
            case_ids[reference.upper()] = case_id
    links = [
        {"referral_id": referral_id, "linked_case_id": case_ids[reference.upper()]}
        for referral_id, reference in unlinked
        if reference.upper() in case_ids
    ]
    statement_update = (
        update(Referral.__table__)
        .where(Referral.__table__.c.id == bindparam("referral_id"))
        .values(case_id=bindparam("linked_case_id"))
    )
    for index in range(0, len(links), CHUNK):
        db.session.execute(statement_update, links[index : index + CHUNK])
    return len(links)
