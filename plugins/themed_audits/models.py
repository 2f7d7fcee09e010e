"""Themed audits: the theme's population, the random sample and its allocation.

Tables are prefixed ``themed_`` (the plugin's name) so they never collide
with core's; they are created by core's migrations (see docs/decisions.md).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from core.models import Audit, Team, User
from core.models._types import utcnow


class ThemedAudit(db.Model):
    """One themed audit: a question looked at hard, on a random sample."""

    __tablename__ = "themed_audit"

    id: Mapped[int] = mapped_column(primary_key=True)
    theme: Mapped[str] = mapped_column(String(60))  # the theme tool's slug
    title: Mapped[str] = mapped_column(String(200))
    rationale: Mapped[str] = mapped_column(Text)
    commissioned_by: Mapped[str] = mapped_column(String(200))
    period_start: Mapped[date]
    period_end: Mapped[date]
    lead_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    lead: Mapped[User] = relationship()
    population: Mapped[list[PopulationItem]] = relationship(
        back_populates="themed_audit",
        order_by="PopulationItem.row_number",
        cascade="all, delete-orphan",
    )
    draw: Mapped[SampleDraw | None] = relationship(back_populates="themed_audit", uselist=False)


class PopulationUpload(db.Model):
    """A CSV file as uploaded, kept so "import the valid rows" needs no second upload."""

    __tablename__ = "themed_population_upload"

    id: Mapped[int] = mapped_column(primary_key=True)
    themed_audit_id: Mapped[int] = mapped_column(ForeignKey("themed_audit.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content: Mapped[str] = mapped_column(Text)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    imported_rows: Mapped[int | None]


class PopulationItem(db.Model):
    """One member of the population, e.g. one re-referral, with the theme's facts.

    ``facts`` holds only what the theme keeps after import (e.g. an age band,
    never a date of birth).
    """

    __tablename__ = "themed_population_item"
    __table_args__ = (UniqueConstraint("themed_audit_id", "reference"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    themed_audit_id: Mapped[int] = mapped_column(ForeignKey("themed_audit.id"), index=True)
    row_number: Mapped[int]
    reference: Mapped[str] = mapped_column(String(60))
    case_reference: Mapped[str] = mapped_column(String(40))
    item_date: Mapped[date]
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"))
    facts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    themed_audit: Mapped[ThemedAudit] = relationship(back_populates="population")
    team: Mapped[Team] = relationship()


class SampleDraw(db.Model):
    """The sampling log: how the sample was drawn, so it can be drawn again identically."""

    __tablename__ = "themed_sample_draw"

    id: Mapped[int] = mapped_column(primary_key=True)
    themed_audit_id: Mapped[int] = mapped_column(ForeignKey("themed_audit.id"), unique=True)
    seed: Mapped[int] = mapped_column(BigInteger)
    population_size: Mapped[int]
    sample_size: Mapped[int]
    drawn_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    drawn_at: Mapped[datetime] = mapped_column(default=utcnow)

    themed_audit: Mapped[ThemedAudit] = relationship(back_populates="draw")
    drawn_by: Mapped[User] = relationship()
    items: Mapped[list[SampleItem]] = relationship(
        back_populates="draw", order_by="SampleItem.position", cascade="all, delete-orphan"
    )


class SampleItem(db.Model):
    """A sampled population item and, once allocated, its audit."""

    __tablename__ = "themed_sample_item"
    __table_args__ = (UniqueConstraint("draw_id", "population_item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    draw_id: Mapped[int] = mapped_column(ForeignKey("themed_sample_draw.id"), index=True)
    population_item_id: Mapped[int] = mapped_column(ForeignKey("themed_population_item.id"))
    position: Mapped[int]
    audit_id: Mapped[int | None] = mapped_column(ForeignKey("audit.id"), unique=True)

    draw: Mapped[SampleDraw] = relationship(back_populates="items")
    population_item: Mapped[PopulationItem] = relationship()
    audit: Mapped[Audit | None] = relationship()
