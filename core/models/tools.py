"""Per-service tool switches: data, checked on every request, never a restart."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from core.models._types import utcnow
from core.models.organisation import Service


class ServiceTool(db.Model):
    """Whether a tool is switched on for a service, and its settings there.

    No row means switched off: a newly installed tool does nothing until an
    administrator turns it on.
    """

    __tablename__ = "service_tool"
    __table_args__ = (UniqueConstraint("service_id", "tool"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"))
    tool: Mapped[str] = mapped_column(String(60))
    enabled: Mapped[bool] = mapped_column(default=False)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    service: Mapped[Service] = relationship()


class SetupVersion(db.Model):
    """One row whose token changes in every transaction that changes the council's
    set-up: which tools are switched on where, their settings, the grade scale.

    Each worker keeps what it read of the set-up across requests under the token it
    read it at (``core.setup_cache``); the token comes with the session's own
    statement, so a page that keeps its set-up asks nothing more. A random token, not
    a counter, so that emptying the table (tests, ``demo --reset``) can never bring an
    old token back.
    """

    __tablename__ = "setup_version"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    token: Mapped[str] = mapped_column(String(32))
