"""Staff who use careaudit, and their roles."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from core.models._types import enum_column, utcnow
from core.models.organisation import Service, Team


class Role(StrEnum):
    ADMINISTRATOR = "administrator"
    SENIOR_MANAGER = "senior_manager"
    SERVICE_MANAGER = "service_manager"
    TEAM_MANAGER = "team_manager"
    DEPUTY_TEAM_MANAGER = "deputy_team_manager"
    INDEPENDENT_REVIEWER = "independent_reviewer"
    SOCIAL_WORKER = "social_worker"
    PERFORMANCE_ANALYST = "performance_analyst"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]

    @property
    def needs_team(self) -> bool:
        return self in {Role.TEAM_MANAGER, Role.DEPUTY_TEAM_MANAGER, Role.SOCIAL_WORKER}

    @property
    def needs_service(self) -> bool:
        return self is Role.SERVICE_MANAGER


ROLE_LABELS = {
    Role.ADMINISTRATOR: "System administrator",
    Role.SENIOR_MANAGER: "Senior manager",
    Role.SERVICE_MANAGER: "Service manager",
    Role.TEAM_MANAGER: "Team manager",
    Role.DEPUTY_TEAM_MANAGER: "Deputy team manager",
    Role.INDEPENDENT_REVIEWER: "Independent reviewer (IRO / QA officer)",
    Role.SOCIAL_WORKER: "Social worker",
    Role.PERFORMANCE_ANALYST: "Performance analyst",
}


class User(UserMixin, db.Model):
    """A member of staff. Team or service is set where the role needs it."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    #: The council's own staff number, from the staff import (case lists may name
    #: the allocated worker by it instead of by email).
    staff_id: Mapped[str | None] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[Role] = mapped_column(enum_column(Role))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"))
    service_id: Mapped[int | None] = mapped_column(ForeignKey("service.id"))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    #: Two-step verification (core.mfa): the TOTP secret, encrypted with a key derived
    #: from SECRET_KEY; when it was confirmed; and the last time step accepted, so a
    #: code cannot be used twice.
    mfa_secret: Mapped[str | None] = mapped_column(String(255))
    mfa_enrolled_at: Mapped[datetime | None]
    mfa_last_step: Mapped[int | None]

    team: Mapped[Team | None] = relationship()
    own_service: Mapped[Service | None] = relationship(foreign_keys=[service_id])

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    @property
    def has_mfa(self) -> bool:
        return self.mfa_enrolled_at is not None and self.mfa_secret is not None

    @property
    def service(self) -> Service | None:
        """The user's service: their team's, or the one they manage."""
        if self.team is not None:
            return self.team.service
        return self.own_service

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role.value}>"


#: What a page loads of a person it names (an audit's auditor, a case's worker), for
#: ``load_only``: never their credentials, which no such page has any use for.
USER_SHOWN = (User.id, User.name, User.email, User.role, User.team_id, User.service_id, User.active)
