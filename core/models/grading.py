"""The council's grade scale: which scale every audit tool grades on, and its words."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from core.extensions import db
from core.models._types import utcnow


class CouncilGradeScale(db.Model):
    """The council's choice of grade scale, and its own words for grades.

    One row (council-wide); until one is saved, each tool grades on the scale it
    declares. ``scale`` is a built-in scale's code (``core.grading.scales``), or
    None for each tool's own; ``labels`` maps grade codes to the council's words.
    """

    __tablename__ = "council_grade_scale"

    id: Mapped[int] = mapped_column(primary_key=True)
    scale: Mapped[str | None] = mapped_column(String(40))
    labels: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    best_first: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
