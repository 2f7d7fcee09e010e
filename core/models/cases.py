"""Case files, identified by the case recording system's reference.

Data minimisation: no names, addresses or dates of birth. A reference and
optional initials are enough to find the file in the recording system.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from core.models._types import enum_column
from core.models.organisation import Service, Team
from core.models.users import User


class CaseCategory(StrEnum):
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
    category: Mapped[CaseCategory] = mapped_column(enum_column(CaseCategory))
    is_open: Mapped[bool] = mapped_column(default=True)
    opened_on: Mapped[date | None]
    closed_on: Mapped[date | None]

    service: Mapped[Service] = relationship()
    team: Mapped[Team] = relationship()
    allocated_worker: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<Case {self.reference}>"
