"""Case files, identified by the case recording system's reference, and their categories.

Data minimisation: no names, addresses or dates of birth. A reference and
optional initials are enough to find the file in the recording system.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from core.models.organisation import Directorate, Service, Team
from core.models.users import User


class CaseCategory(StrEnum):
    """The stable codes of the well-known categories.

    Categories themselves are data (:class:`Category` rows an administrator
    manages per directorate). These codes never change, so tools key their
    "cannot apply" pre-sets on them and plugins ask, for example,
    ``case.is_category(CaseCategory.LOOKED_AFTER)``. A council's own category
    (say "Private fostering") can be *treated as* one of these by the tools.
    """

    CHILD_IN_NEED = "child_in_need"
    CHILD_PROTECTION = "child_protection"
    LOOKED_AFTER = "looked_after"
    CARE_LEAVER = "care_leaver"
    CHILDREN_WITH_DISABILITIES = "children_with_disabilities"
    UNACCOMPANIED_ASYLUM_SEEKING = "unaccompanied_asylum_seeking"
    ADULT_CARE_AND_SUPPORT = "adult_care_and_support"
    ADULT_SAFEGUARDING = "adult_safeguarding"
    ADULT_MENTAL_HEALTH = "adult_mental_health"
    ADULT_LEARNING_DISABILITY = "adult_learning_disability"
    ADULT_CARER = "adult_carer"

    @property
    def label(self) -> str:
        return CATEGORY_LABELS[self]

    @property
    def directorate_code(self) -> str:
        return "adults" if self.value.startswith("adult_") else "children"

    @classmethod
    def for_directorate(cls, code: str) -> list[CaseCategory]:
        return [c for c in cls if c.directorate_code == code]


CATEGORY_LABELS = {
    CaseCategory.CHILD_IN_NEED: "Child in need",
    CaseCategory.CHILD_PROTECTION: "Child protection",
    CaseCategory.LOOKED_AFTER: "Looked after",
    CaseCategory.CARE_LEAVER: "Care leaver",
    CaseCategory.CHILDREN_WITH_DISABILITIES: "Children with disabilities",
    CaseCategory.UNACCOMPANIED_ASYLUM_SEEKING: "Unaccompanied asylum-seeking child",
    CaseCategory.ADULT_CARE_AND_SUPPORT: "Care and support",
    CaseCategory.ADULT_SAFEGUARDING: "Adult safeguarding",
    CaseCategory.ADULT_MENTAL_HEALTH: "Mental health",
    CaseCategory.ADULT_LEARNING_DISABILITY: "Learning disability",
    CaseCategory.ADULT_CARER: "Carer",
}

#: The allocation draw's weight of the well-known categories when first created.
DEFAULT_RISK_WEIGHTS = {CaseCategory.CHILD_PROTECTION: 2.0, CaseCategory.LOOKED_AFTER: 2.0}


class Category(db.Model):
    """A case category as the council records it, e.g. "Child protection" or "Early help".

    ``code`` is stable (imports and tools refer to it). ``treat_as`` names the
    well-known :class:`CaseCategory` whose pre-sets the audit tools apply, so a
    council's own category can behave like one the tools know. ``risk_weight``
    is how much more likely a case of this category is to be drawn by the
    audit programme (1 = ordinary).
    """

    __tablename__ = "case_category"

    id: Mapped[int] = mapped_column(primary_key=True)
    directorate_id: Mapped[int] = mapped_column(ForeignKey("directorate.id"), index=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    label: Mapped[str] = mapped_column(String(120))
    treat_as: Mapped[str | None] = mapped_column(String(40))
    risk_weight: Mapped[float] = mapped_column(default=1.0)
    active: Mapped[bool] = mapped_column(default=True)

    directorate: Mapped[Directorate] = relationship()

    @property
    def kind(self) -> str:
        """The stable code the tools key on: ``treat_as`` where set, else the own code."""
        return self.treat_as or self.code

    def __repr__(self) -> str:
        return f"<Category {self.code}>"


class Case(db.Model):
    __tablename__ = "case_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(40), unique=True)
    initials: Mapped[str | None] = mapped_column(String(4))
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"), index=True)
    allocated_worker_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id"), index=True
    )
    #: The code of the case's :class:`Category`.
    category: Mapped[str] = mapped_column(ForeignKey("case_category.code"), index=True)
    #: The category the case list last gave. A statutory return may refine
    #: ``category`` (child protection from the CIN census, looked after from the
    #: SSDA903); the refinement stands until the case list's own value changes.
    listed_category: Mapped[str | None] = mapped_column(String(40))
    is_open: Mapped[bool] = mapped_column(default=True)
    opened_on: Mapped[date | None]
    closed_on: Mapped[date | None]

    service: Mapped[Service] = relationship()
    team: Mapped[Team] = relationship()
    allocated_worker: Mapped[User | None] = relationship()
    category_record: Mapped[Category] = relationship(lazy="joined")

    @property
    def category_label(self) -> str:
        return self.category_record.label if self.category_record else self.category

    @property
    def category_kind(self) -> str:
        """The stable code tools key on (the category's ``treat_as``, or its own code)."""
        return self.category_record.kind if self.category_record else self.category

    def is_category(self, code: str) -> bool:
        """True when the case is of category ``code`` or of one the council treats as it."""
        return code in (self.category, self.category_kind)

    def __repr__(self) -> str:
        return f"<Case {self.reference}>"


class CaseAssignment(db.Model):
    """Where a case was and who held it, from one day until the next change.

    The case list import writes a row whenever a case's team, worker or
    category changes, so compliance and feedback can credit the worker who
    held the case when it was audited. The open row (``ended_on`` empty) is
    the current one.
    """

    __tablename__ = "case_assignment"
    __table_args__ = (Index("ix_case_assignment_case_started", "case_id", "started_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"))
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"))
    worker_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    category: Mapped[str] = mapped_column(String(40))
    started_on: Mapped[date]
    ended_on: Mapped[date | None]
    #: The import that recorded the change (none for changes made in careaudit).
    import_run_id: Mapped[int | None] = mapped_column(ForeignKey("import_run.id"))

    team: Mapped[Team] = relationship()
    worker: Mapped[User | None] = relationship()


class Referral(db.Model):
    """One referral of a child to children's social care, from the CIN census.

    Kept for the re-referral themed audit and the case page. Keyed on the
    council's child id (``LAchildID``), which is the case reference; linked to
    the case file when there is one. No name, date of birth or UPN: an age
    band at referral is enough.
    """

    __tablename__ = "referral"
    __table_args__ = (UniqueConstraint("child_reference", "referral_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    child_reference: Mapped[str] = mapped_column(String(40), index=True)
    case_id: Mapped[int | None] = mapped_column(
        ForeignKey("case_file.id", ondelete="SET NULL"), index=True
    )
    referral_date: Mapped[date] = mapped_column(index=True)
    #: The census's referral source code (e.g. 1A individual, 5D police).
    source: Mapped[str | None] = mapped_column(String(4))
    #: The primary need code N1-N9 at referral.
    primary_need: Mapped[str | None] = mapped_column(String(4))
    closure_date: Mapped[date | None]
    #: The census's reason for closure code RC1-RC9.
    closure_reason: Mapped[str | None] = mapped_column(String(4))
    age_band: Mapped[str | None] = mapped_column(String(20))
    assessments: Mapped[int] = mapped_column(default=0)
    section47_enquiries: Mapped[int] = mapped_column(default=0)
    child_protection_plans: Mapped[int] = mapped_column(default=0)
    import_run_id: Mapped[int | None] = mapped_column(ForeignKey("import_run.id"))

    case: Mapped[Case | None] = relationship()
